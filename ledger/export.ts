import { EventEmitter, once } from 'node:events';
import { z } from 'zod';
import { evidenceStatuses, verificationStates } from '../api';
import type { EvidenceLedger, EvidenceQuery, LedgerRow } from './types';

/**
 * Streaming export of evidence records (docs/auditing.md): NDJSON or CSV (RFC 4180), one record per
 * line, each with its chain fields so a file can be checked against the ledger row by row. Memory
 * stays flat whatever the size of the export: rows are read as the ledger streams them and written
 * in chunks that wait for the output to drain.
 */

export const exportFormats = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** The columns of an export, in order: the record's fields, then its place in the chain. */
export const EXPORT_COLUMNS = [
  'recordId',
  'operationId',
  'jobId',
  'targetKey',
  'provider',
  'connection',
  'target',
  'tokenFingerprint',
  'subject',
  'requestedBy',
  'requestedAt',
  'revokedAt',
  'providerReference',
  'verification',
  'attempts',
  'status',
  'errorCode',
  'streamId',
  'seq',
  'prevHash',
  'hash',
  'recordedAt',
] as const;
type Column = (typeof EXPORT_COLUMNS)[number];

/** Columns that hold JSON (in CSV, the JSON text in the cell). */
const JSON_COLUMNS = new Set<Column>(['providerReference', 'verification']);
/** Columns that hold integers. */
const INTEGER_COLUMNS = new Set<Column>(['attempts', 'seq']);

/** Where an export goes: a Writable (file, stdout), or anything with `write` (a buffer in tests). */
export interface ExportOutput {
  /** Returns false when the caller should wait for `drain` (Node's Writable contract). */
  write(chunk: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

/** A line of an export could not be read back; names the line and the field. */
export class EvidenceFileError extends Error {
  override readonly name = 'EvidenceFileError';
  constructor(
    readonly line: number,
    readonly field: string | undefined,
    description: string,
  ) {
    super(`line ${line}${field ? `, ${field}` : ''}: ${description}`);
  }
}

/** Rows are written in chunks of about this many characters. */
const CHUNK_CHARS = 64 * 1024;
/** `onProgress` is called every this many records, and once at the end. */
export const PROGRESS_EVERY = 1000;

/** The flat object of one row: the record's fields, then streamId, seq, prevHash, hash, recordedAt. */
export function flatRow(row: LedgerRow): Record<Column, unknown> {
  const r = row.record;
  return {
    recordId: r.recordId,
    operationId: r.operationId,
    jobId: r.jobId,
    targetKey: r.targetKey,
    provider: r.provider,
    connection: r.connection,
    target: r.target,
    tokenFingerprint: r.tokenFingerprint,
    subject: r.subject,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    revokedAt: r.revokedAt,
    providerReference: r.providerReference,
    verification: r.verification,
    attempts: r.attempts,
    status: r.status,
    errorCode: r.errorCode,
    streamId: row.streamId,
    seq: row.seq,
    prevHash: row.prevHash,
    hash: row.hash,
    recordedAt: row.recordedAt,
  };
}

/** A CSV cell per RFC 4180; null is an empty unquoted cell, an empty string `""` (as PostgreSQL's COPY). */
function csvCell(value: unknown, column: Column): string {
  if (value === null || value === undefined) return '';
  const text = JSON_COLUMNS.has(column) ? JSON.stringify(value) : String(value);
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvHeader = (): string => `${EXPORT_COLUMNS.join(',')}\r\n`;

export function csvLine(row: LedgerRow): string {
  const flat = flatRow(row);
  return `${EXPORT_COLUMNS.map((c) => csvCell(flat[c], c)).join(',')}\r\n`;
}

export const ndjsonLine = (row: LedgerRow): string => `${JSON.stringify(flatRow(row))}\n`;

async function writeChunk(out: ExportOutput, chunk: string): Promise<void> {
  const stream = out as ExportOutput & { destroyed?: boolean; errored?: Error | null };
  if (stream.errored) throw stream.errored;
  if (out.write(chunk) !== false || typeof out.once !== 'function' || stream.destroyed) return;
  if (out instanceof EventEmitter) {
    // events.once rejects on 'error', so a closed pipe ends the export instead of hanging it.
    await once(out, 'drain');
  } else {
    const o = out as Required<ExportOutput>;
    await new Promise<void>((resolve) => o.once('drain', resolve));
  }
}

/**
 * Writes every row `query` selects to `out` as NDJSON or CSV (with a header), waiting for `drain`
 * whenever `out` asks to, and returns how many rows it wrote. `out` is not ended (it may be stdout).
 * `onProgress` gets the running count every {@link PROGRESS_EVERY} rows and at the end.
 */
export async function exportEvidence(
  ledger: Pick<EvidenceLedger, 'query'>,
  query: EvidenceQuery,
  format: ExportFormat,
  out: ExportOutput,
  onProgress?: (exported: number) => void,
): Promise<number> {
  const line = format === 'csv' ? csvLine : ndjsonLine;
  let pending = format === 'csv' ? csvHeader() : '';
  let exported = 0;
  for await (const row of ledger.query(query)) {
    pending += line(row);
    exported++;
    if (pending.length >= CHUNK_CHARS) {
      await writeChunk(out, pending);
      pending = '';
    }
    if (exported % PROGRESS_EVERY === 0) onProgress?.(exported);
  }
  if (pending !== '') await writeChunk(out, pending);
  onProgress?.(exported);
  return exported;
}

const verificationSchema = z.object({
  state: z.enum(verificationStates),
  method: z.string(),
  checkedAt: z.string(),
  detail: z.string(),
});

const providerReferenceSchema = z.object({
  operationId: z.string().optional(),
  count: z.number().int().nonnegative().optional(),
  ids: z.array(z.string()).optional(),
});

const nullableString = z.string().nullable();
/** One exported row, as a flat object (both formats read back to it). */
const rowSchema = z.object({
  recordId: z.string().min(1),
  operationId: z.string().min(1),
  jobId: nullableString,
  targetKey: z.string().min(1),
  provider: z.string(),
  connection: z.string(),
  target: z.string(),
  tokenFingerprint: nullableString,
  subject: nullableString,
  requestedBy: z.string(),
  requestedAt: z.string(),
  revokedAt: nullableString,
  providerReference: providerReferenceSchema,
  verification: verificationSchema.nullable(),
  attempts: z.number().int().nonnegative(),
  status: z.enum(evidenceStatuses),
  errorCode: nullableString,
  streamId: z.string().min(1),
  seq: z.number().int().positive(),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'),
  recordedAt: z.string(),
});

/** The LedgerRow of one flat object; thrown when it is not one: EvidenceFileError naming the field. */
export function rowFromFlat(flat: unknown, line: number): LedgerRow {
  const parsed = rowSchema.safeParse(flat);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EvidenceFileError(line, issue?.path.join('.') || undefined, issue?.message ?? 'not a record');
  }
  const { streamId, seq, prevHash, hash, recordedAt, ...record } = parsed.data;
  return { record, streamId, seq, prevHash, hash, recordedAt };
}

/** Splits text chunks into lines (LF or CRLF), keeping no more than one unfinished line. */
async function* lines(input: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of input) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const parts = rest.split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) yield part;
  }
  rest += decoder.decode();
  if (rest !== '') yield rest;
}

/** Reads an NDJSON export back, row by row. Thrown on a bad line: EvidenceFileError. */
export async function* readNdjsonExport(input: AsyncIterable<string | Buffer>): AsyncGenerator<LedgerRow> {
  let n = 0;
  for await (const raw of lines(input)) {
    n++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new EvidenceFileError(n, undefined, 'not valid JSON');
    }
    yield rowFromFlat(value, n);
  }
}

/** One CSV cell as read: null for an empty unquoted cell. */
type CsvCell = string | null;

/**
 * An RFC 4180 reader fed in chunks: quoted cells may hold commas, quotes (doubled) and line breaks;
 * records end with CRLF or LF. `push` returns the records completed so far, each with the line it
 * started on.
 */
export class CsvReader {
  private cells: CsvCell[] = [];
  private cell = '';
  private quoted = false;
  private inQuotes = false;
  /** The last character was the closing candidate `"` of a quoted cell. */
  private quoteSeen = false;
  private line = 1;
  private recordLine = 1;
  private out: Array<{ line: number; cells: CsvCell[] }> = [];

  push(chunk: string): Array<{ line: number; cells: CsvCell[] }> {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] as string;
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (ch === '"') {
            this.cell += '"';
            continue;
          }
          this.inQuotes = false; // the quote closed the cell; `ch` is read as outside quotes
        } else if (ch === '"') {
          this.quoteSeen = true;
          continue;
        } else {
          const end = chunk.indexOf('"', i);
          const stop = end === -1 ? chunk.length : end;
          const run = chunk.slice(i, stop);
          this.line += run.split('\n').length - 1;
          this.cell += run;
          i = stop - 1;
          continue;
        }
      }
      this.outside(ch);
    }
    return this.out.splice(0);
  }

  private outside(ch: string): void {
    if (ch === ',') return this.endCell();
    if (ch === '\n') {
      this.endCell();
      this.out.push({ line: this.recordLine, cells: this.cells });
      this.cells = [];
      this.line++;
      this.recordLine = this.line;
      return;
    }
    if (ch === '\r') return; // CRLF: the LF ends the record
    if (ch === '"') {
      if (this.quoted || this.cell !== '')
        throw new EvidenceFileError(this.line, undefined, 'stray " in a cell');
      this.quoted = true;
      this.inQuotes = true;
      return;
    }
    if (this.quoted) throw new EvidenceFileError(this.line, undefined, 'text after a closing "');
    this.cell += ch;
  }

  private endCell(): void {
    this.cells.push(this.quoted || this.cell !== '' ? this.cell : null);
    this.cell = '';
    this.quoted = false;
  }

  /** The last record when the input does not end with a line break. */
  end(): Array<{ line: number; cells: CsvCell[] }> {
    if (this.inQuotes && !this.quoteSeen)
      throw new EvidenceFileError(this.recordLine, undefined, 'unclosed "');
    this.inQuotes = false;
    this.quoteSeen = false;
    if (this.cells.length > 0 || this.cell !== '' || this.quoted) {
      this.endCell();
      this.out.push({ line: this.recordLine, cells: this.cells });
      this.cells = [];
    }
    return this.out.splice(0);
  }
}

function flatFromCsv(cells: CsvCell[], line: number): Record<string, unknown> {
  if (cells.length !== EXPORT_COLUMNS.length) {
    throw new EvidenceFileError(line, undefined, `${cells.length} cells, expected ${EXPORT_COLUMNS.length}`);
  }
  const flat: Record<string, unknown> = {};
  EXPORT_COLUMNS.forEach((column, i) => {
    const cell = cells[i] ?? null;
    if (cell === null) flat[column] = null;
    else if (JSON_COLUMNS.has(column)) {
      try {
        flat[column] = JSON.parse(cell) as unknown;
      } catch {
        throw new EvidenceFileError(line, column, 'not valid JSON');
      }
    } else if (INTEGER_COLUMNS.has(column)) {
      if (!/^\d+$/.test(cell)) throw new EvidenceFileError(line, column, 'not an integer');
      flat[column] = Number(cell);
    } else flat[column] = cell;
  });
  return flat;
}

/** Reads a CSV export back, row by row; the first line must be the header. Thrown: EvidenceFileError. */
export async function* readCsvExport(input: AsyncIterable<string | Buffer>): AsyncGenerator<LedgerRow> {
  const reader = new CsvReader();
  const decoder = new TextDecoder();
  let header = false;
  const rows = function* (records: Array<{ line: number; cells: CsvCell[] }>) {
    for (const { line, cells } of records) {
      if (!header) {
        const want = EXPORT_COLUMNS.join(',');
        if (cells.join(',') !== want)
          throw new EvidenceFileError(line, undefined, `the header must be ${want}`);
        header = true;
        continue;
      }
      if (cells.length === 1 && cells[0] === null) continue; // an empty line
      yield rowFromFlat(flatFromCsv(cells, line), line);
    }
  };
  for await (const chunk of input) {
    yield* rows(reader.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })));
  }
  yield* rows([...reader.push(decoder.decode()), ...reader.end()]);
}

/** Reads an export of either format back. */
export function readExport(
  input: AsyncIterable<string | Buffer>,
  format: ExportFormat,
): AsyncGenerator<LedgerRow> {
  return format === 'csv' ? readCsvExport(input) : readNdjsonExport(input);
}

/** The format a file name says (`.csv` → csv, otherwise ndjson). */
export const formatOfPath = (path: string): ExportFormat => (/\.csv$/i.test(path) ? 'csv' : 'ndjson');

/** Key-order-independent JSON, so a re-read nested field compares equal to the stored one. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The first exported column whose value differs between two rows, or undefined when they are the same. */
export function differentField(a: LedgerRow, b: LedgerRow): Column | undefined {
  const fa = flatRow(a);
  const fb = flatRow(b);
  return EXPORT_COLUMNS.find((c) => canonical(fa[c]) !== canonical(fb[c]));
}
