import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BulkSource } from '../../api';
import type { ProviderAdapters } from '../connection-registry';

/** One target as read from a source: a request to validate, or why the entry is unusable. */
export type SourceEntry = { position: number; request: unknown } | { position: number; unreadable: string };

export interface SourcePage {
  entries: SourceEntry[];
  /** Where the next page starts; undefined when the source is exhausted. */
  nextCursor?: string;
  total?: number;
}

/** Lines longer than this are failed targets, not a crashed job. */
export const MAX_NDJSON_LINE_BYTES = 64 * 1024;

export interface PageQuery {
  cursor?: string;
  pageSize: number;
  /** Targets of the previous page that are still in a listing (failed or skipped); see authlete. */
  remainingFromPrevious?: number;
}

function inlinePage(source: Extract<BulkSource, { kind: 'inline' }>, q: PageQuery): SourcePage {
  const start = q.cursor ? Number(q.cursor) : 0;
  const end = Math.min(start + q.pageSize, source.requests.length);
  const entries = source.requests.slice(start, end).map((request, i) => ({ position: start + i, request }));
  return {
    entries,
    total: source.requests.length,
    ...(end < source.requests.length ? { nextCursor: String(end) } : {}),
  };
}

/** Targets in the file: lines with anything but whitespace, as the page reader counts them. */
async function countLines(path: string): Promise<number> {
  const file = await open(path);
  try {
    let lines = 0;
    let content = false;
    for await (const chunk of file.createReadStream({ highWaterMark: 1 << 20 })) {
      for (const byte of chunk as Buffer) {
        if (byte === 10) {
          if (content) lines++;
          content = false;
        } else if (byte !== 32 && byte !== 9 && byte !== 13) {
          content = true;
        }
      }
    }
    return content ? lines + 1 : lines;
  } finally {
    await file.close();
  }
}

/**
 * NDJSON by byte offset: `cursor` is `<offset>:<line number>`. Blank lines are skipped and not
 * counted; a line over the limit or not JSON becomes an unreadable entry.
 */
async function ndjsonPage(
  source: Extract<BulkSource, { kind: 'ndjson' }>,
  q: PageQuery,
): Promise<SourcePage> {
  const path = source.path.startsWith('file://') ? fileURLToPath(source.path) : source.path;
  const [offsetText, lineText] = (q.cursor ?? '0:0').split(':');
  let offset = Number(offsetText);
  let line = Number(lineText);
  const total = q.cursor ? undefined : await countLines(path);
  const file = await open(path);
  const entries: SourceEntry[] = [];
  try {
    const size = (await file.stat()).size;
    // A page of ids is tens of kilobytes. A 1 MiB buffer per page was garbage the size of the page
    // count (200 MiB over a 100k job) that V8 left outside its heap until a full collection.
    const chunk = Buffer.allocUnsafe(MAX_NDJSON_LINE_BYTES);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let oversize = false;
    let position = offset;
    while (entries.length < q.pageSize && position < size) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      let start = 0;
      for (let i = 0; i < bytesRead && entries.length < q.pageSize; i++) {
        if (chunk[i] !== 10) continue;
        const piece = chunk.subarray(start, i);
        const text = oversize ? '' : Buffer.concat([...pending, piece]).toString('utf8');
        const tooLong = oversize || pendingBytes + piece.length > MAX_NDJSON_LINE_BYTES;
        offset = position + i + 1;
        pending = [];
        pendingBytes = 0;
        oversize = false;
        start = i + 1;
        if (!tooLong && text.trim() === '') continue;
        entries.push(parseLine(line++, text, tooLong));
      }
      if (entries.length >= q.pageSize) break;
      const rest = chunk.subarray(start, bytesRead);
      if (pendingBytes + rest.length > MAX_NDJSON_LINE_BYTES) oversize = true;
      else pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
      position += bytesRead;
      if (position >= size && (pendingBytes > 0 || oversize)) {
        // The last line has no newline.
        const text = oversize ? '' : Buffer.concat(pending).toString('utf8');
        offset = size;
        if (oversize || text.trim() !== '') entries.push(parseLine(line++, text, oversize));
      }
    }
    return {
      entries,
      ...(total !== undefined ? { total } : {}),
      ...(offset < size ? { nextCursor: `${offset}:${line}` } : {}),
    };
  } finally {
    await file.close();
  }
}

function parseLine(position: number, text: string, tooLong: boolean): SourceEntry {
  if (tooLong) return { position, unreadable: `line longer than ${MAX_NDJSON_LINE_BYTES} bytes` };
  try {
    return { position, request: JSON.parse(text) as unknown };
  } catch {
    // Never quote the line: it may hold a token.
    return { position, unreadable: 'line is not valid JSON' };
  }
}

/**
 * Authlete lists by offset, and revoked tokens leave the listing. So the next page starts after the
 * tokens of this page that are still listed (failed or skipped), not after the whole page.
 */
async function authletePage(
  source: Extract<BulkSource, { kind: 'authlete-list' }>,
  q: PageQuery,
  adapter: ProviderAdapters['authlete'],
): Promise<SourcePage> {
  const start = q.cursor ? Number(q.cursor) : 0;
  const list = await adapter.list(source.serviceId, {
    start,
    end: start + q.pageSize,
    ...(source.clientIdentifier ? { clientIdentifier: source.clientIdentifier } : {}),
    ...(source.subject ? { subject: source.subject } : {}),
  });
  const entries = (list.accessTokens ?? []).map((t, i) => ({
    position: start + i,
    request: {
      provider: 'authlete',
      connection: source.connection,
      serviceId: source.serviceId,
      accessTokenIdentifier: t.accessTokenHash,
    },
  }));
  return {
    entries,
    total: q.cursor ? undefined : list.totalCount,
    ...(entries.length > 0 ? { nextCursor: `${start}` } : {}),
  };
}

async function yandexPage(
  source: Extract<BulkSource, { kind: 'yandex-list' }>,
  q: PageQuery,
  adapter: ProviderAdapters['yandex-cloud'],
): Promise<SourcePage> {
  const [token, positionText] = q.cursor
    ? [q.cursor.slice(q.cursor.indexOf(':') + 1), q.cursor.slice(0, q.cursor.indexOf(':'))]
    : ['', '0'];
  const position = Number(positionText);
  const res = await adapter.list({
    pageSize: q.pageSize,
    ...(token ? { pageToken: token } : {}),
    ...(source.subjectId ? { subjectId: source.subjectId } : {}),
    ...(source.filter ? { filter: source.filter } : {}),
  });
  const entries = res.refreshTokens.map((t, i) => ({
    position: position + i,
    request: { provider: 'yandex-cloud', connection: source.connection, refreshTokenId: t.id },
  }));
  return {
    entries,
    ...(res.nextPageToken ? { nextCursor: `${position + entries.length}:${res.nextPageToken}` } : {}),
  };
}

export interface SourceAdapters {
  authlete(connection: string): ProviderAdapters['authlete'];
  yandexCloud(connection: string): ProviderAdapters['yandex-cloud'];
}

export async function readPage(
  source: BulkSource,
  q: PageQuery,
  adapters: SourceAdapters,
): Promise<SourcePage> {
  switch (source.kind) {
    case 'inline':
      return inlinePage(source, q);
    case 'ndjson':
      return ndjsonPage(source, q);
    case 'authlete-list':
      return authletePage(source, q, adapters.authlete(source.connection));
    case 'yandex-list':
      return yandexPage(source, q, adapters.yandexCloud(source.connection));
  }
}
