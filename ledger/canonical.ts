import { createHash } from 'node:crypto';

/** The first row of a stream links to this (and a stream never purged starts from it). */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth and undefined members dropped: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`not JSON: ${typeof value}`);
    return text;
  }
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What a row's hash covers besides its body, which the ledger stores as canonical JSON. */
export interface ChainFields {
  prevHash: string;
  streamId: string;
  seq: number;
  recordedAt: string;
}

/**
 * A row's hash: SHA-256 (hex) of prevHash followed by the canonical JSON of
 * `{record, recordedAt, seq, streamId}`. `body` is the record's canonical JSON as stored, so the
 * text hashed is itself canonical and verify hashes exactly the stored bytes.
 */
export function rowHash(body: string, f: ChainFields): string {
  const wrapped = `{"record":${body},"recordedAt":${JSON.stringify(f.recordedAt)},"seq":${f.seq},"streamId":${JSON.stringify(f.streamId)}}`;
  return sha256Hex(`${f.prevHash}${wrapped}`);
}

/** requestedAt as the queryable column holds it (UTC, milliseconds), so text order is time order. */
export function normalizeTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString();
}
