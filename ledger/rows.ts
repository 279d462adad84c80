import type { EvidenceRecord } from '../api';
import type { SqlRow, SqlValue } from './db';
import { normalizeTime } from './canonical';
import type { LedgerRow } from './types';

/** Columns of ledger_records in insert order. */
export const RECORD_COLUMNS = [
  'record_id',
  'stream_id',
  'seq',
  'prev_hash',
  'hash',
  'recorded_at',
  'body',
  'operation_id',
  'job_id',
  'provider',
  'connection',
  'subject',
  'status',
  'requested_at',
] as const;

export const RECORD_SELECT = RECORD_COLUMNS.join(', ');

/** A row as stored (what verify compares, what get and query return). */
export interface StoredRow {
  recordId: string;
  streamId: string;
  seq: number;
  prevHash: string;
  hash: string;
  recordedAt: string;
  body: string;
  columns: Record<(typeof QUERY_COLUMNS)[number], string | null>;
}

/** The queryable columns copied from the body (verify checks each equals its body). */
export const QUERY_COLUMNS = [
  'operation_id',
  'job_id',
  'provider',
  'connection',
  'subject',
  'status',
  'requested_at',
] as const;

/** The body's value of each queryable column, as the column stores it. */
export function columnsOf(record: EvidenceRecord): StoredRow['columns'] {
  return {
    operation_id: record.operationId,
    job_id: record.jobId ?? null,
    provider: record.provider,
    connection: record.connection,
    subject: record.subject ?? null,
    status: record.status,
    requested_at: normalizeTime(record.requestedAt),
  };
}

const str = (v: unknown): string => String(v);
const nullable = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function storedRow(r: SqlRow): StoredRow {
  return {
    recordId: str(r.record_id),
    streamId: str(r.stream_id),
    seq: Number(r.seq),
    prevHash: str(r.prev_hash),
    hash: str(r.hash),
    recordedAt: str(r.recorded_at),
    body: str(r.body),
    columns: {
      operation_id: nullable(r.operation_id),
      job_id: nullable(r.job_id),
      provider: nullable(r.provider),
      connection: nullable(r.connection),
      subject: nullable(r.subject),
      status: nullable(r.status),
      requested_at: nullable(r.requested_at),
    },
  };
}

export function insertValues(row: StoredRow): SqlValue[] {
  const c = row.columns;
  return [
    row.recordId,
    row.streamId,
    row.seq,
    row.prevHash,
    row.hash,
    row.recordedAt,
    row.body,
    c.operation_id,
    c.job_id,
    c.provider,
    c.connection,
    c.subject,
    c.status,
    c.requested_at,
  ];
}

export function ledgerRow(r: StoredRow): LedgerRow {
  return {
    record: JSON.parse(r.body) as EvidenceRecord,
    streamId: r.streamId,
    seq: r.seq,
    prevHash: r.prevHash,
    hash: r.hash,
    recordedAt: r.recordedAt,
  };
}

/** `(?, ?, …)` for n values. */
export const placeholders = (n: number): string => `(${Array.from({ length: n }, () => '?').join(', ')})`;

/** Splits `items` into slices of at most `size` (IN lists and multi-row inserts stay small). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
