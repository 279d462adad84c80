import type { KeyObject } from 'node:crypto';
import type { EvidenceRecord } from '../api';
import { GENESIS_HASH, canonicalJson, normalizeTime, rowHash } from './canonical';
import type { CheckpointKind } from './checkpoint';
import { writeCheckpointIn } from './checkpoint-writer';
import { type Db, Mutex, type SqlConn, type SqlValue } from './db';
import { LedgerClosedError, LedgerConfigError, LedgerRecordError } from './errors';
import type { LedgerKeys } from './keys';
import { purgeLedger } from './purge';
import {
  RECORD_COLUMNS,
  RECORD_SELECT,
  type StoredRow,
  chunks,
  columnsOf,
  insertValues,
  ledgerRow,
  placeholders,
  storedRow,
} from './rows';
import type { EvidenceLedger, EvidenceQuery, LedgerRow, PurgeSummary, VerifyReport } from './types';
import { verifyLedger } from './verify';

const REQUIRED_TEXT = ['recordId', 'operationId', 'provider', 'connection', 'status', 'requestedAt'] as const;

function checkRecord(r: EvidenceRecord): void {
  const id = typeof r?.recordId === 'string' ? r.recordId : '(no recordId)';
  for (const field of REQUIRED_TEXT) {
    const v = (r as unknown as Record<string, unknown>)[field];
    if (typeof v !== 'string' || v === '')
      throw new LedgerRecordError(id, field, 'must be a non-empty string');
  }
}

/** Rows for `fresh`, chained onto `head` of `streamId`. */
function chain(
  fresh: readonly EvidenceRecord[],
  streamId: string,
  head: { seq: number; hash: string },
  recordedAt: string,
): StoredRow[] {
  let { seq, hash } = head;
  return fresh.map((record) => {
    seq += 1;
    const body = canonicalJson(record);
    const prevHash = hash;
    hash = rowHash(body, { prevHash, streamId, seq, recordedAt });
    return {
      recordId: record.recordId,
      streamId,
      seq,
      prevHash,
      hash,
      recordedAt,
      body,
      columns: columnsOf(record),
    };
  });
}

export interface SqlLedgerOptions {
  streamId: string;
  checkpointEvery: number;
  keys: LedgerKeys;
}

/** The ledger over either store (db.ts): chains, checkpoints, queries; verify.ts and purge.ts. */
export class SqlLedger implements EvidenceLedger {
  private readonly queue = new Mutex();
  private sinceCheckpoint = 0;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: SqlLedgerOptions,
  ) {}

  private open(): void {
    if (this.closed) throw new LedgerClosedError();
  }

  private signingKey(): KeyObject {
    const key = this.options.keys.signing;
    if (!key)
      throw new LedgerConfigError(
        'signingKey',
        'writing the evidence ledger needs the Ed25519 private key that signs its checkpoints (OpenLedgerOptions.signingKey)',
      );
    return key;
  }

  async append(records: readonly EvidenceRecord[]): Promise<{ written: number; existing: EvidenceRecord[] }> {
    this.open();
    this.signingKey();
    records.forEach(checkRecord);
    // One stream per ledger: its appends take turns, so each chains onto the last one's head.
    return this.queue.run(async () => {
      const result = await this.appendRetrying(records);
      this.sinceCheckpoint += result.written;
      if (this.sinceCheckpoint >= this.options.checkpointEvery) {
        await this.writeCheckpoint('interval', `every ${this.options.checkpointEvery} records`);
        this.sinceCheckpoint = 0;
      }
      return result;
    });
  }

  private async appendRetrying(records: readonly EvidenceRecord[]) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.write((c) => this.appendIn(c, records));
      } catch (err) {
        // Another writer stored one of these ids between our look-up and our insert: the retry
        // sees it as existing and writes only the rest.
        if (attempt >= 3 || !this.db.isConflict(err)) throw err;
      }
    }
  }

  private async appendIn(c: SqlConn, records: readonly EvidenceRecord[]) {
    // A record id twice in one batch is written once; its repeats come back as existing.
    const unique = new Map<string, EvidenceRecord>();
    const repeats: string[] = [];
    for (const r of records) {
      if (unique.has(r.recordId)) repeats.push(r.recordId);
      else unique.set(r.recordId, r);
    }
    const stored = await this.storedBodies(c, [...unique.keys()]);
    const existing = [...stored.values(), ...repeats.map((id) => stored.get(id) ?? unique.get(id)!)];
    const fresh = [...unique.values()].filter((r) => !stored.has(r.recordId));
    if (fresh.length === 0) return { written: 0, existing };

    const { streamId } = this.options;
    const now = new Date().toISOString();
    await c.run(
      'INSERT INTO ledger_streams (stream_id, created_at, head_seq, head_hash, purged_seq, purged_hash) VALUES (?, ?, 0, ?, 0, ?) ON CONFLICT (stream_id) DO NOTHING',
      [streamId, now, GENESIS_HASH, GENESIS_HASH],
    );
    const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const [head] = await c.all(`SELECT head_seq, head_hash FROM ledger_streams WHERE stream_id = ?${lock}`, [
      streamId,
    ]);
    const rows = chain(
      fresh,
      streamId,
      { seq: Number(head?.head_seq ?? 0), hash: String(head?.head_hash ?? GENESIS_HASH) },
      now,
    );
    // Inserted in record-id order (their seqs keep the given order): two writers storing overlapping
    // pages then wait on each other's ids in the same order (a unique violation, not a deadlock).
    const byId = [...rows].sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0));
    for (const slice of chunks(byId, 200)) {
      await c.run(
        `INSERT INTO ledger_records (${RECORD_COLUMNS.join(', ')}) VALUES ${slice.map(() => placeholders(RECORD_COLUMNS.length)).join(', ')}`,
        slice.flatMap(insertValues),
      );
    }
    const last = rows[rows.length - 1]!;
    await c.run('UPDATE ledger_streams SET head_seq = ?, head_hash = ? WHERE stream_id = ?', [
      last.seq,
      last.hash,
      streamId,
    ]);
    return { written: rows.length, existing };
  }

  private async storedBodies(c: SqlConn, ids: readonly string[]): Promise<Map<string, EvidenceRecord>> {
    const found = new Map<string, EvidenceRecord>();
    for (const slice of chunks(ids, 500)) {
      const rows = await c.all(
        `SELECT record_id, body FROM ledger_records WHERE record_id IN ${placeholders(slice.length)}`,
        slice,
      );
      for (const r of rows) found.set(String(r.record_id), JSON.parse(String(r.body)) as EvidenceRecord);
    }
    return found;
  }

  async find(recordIds: readonly string[]): Promise<EvidenceRecord[]> {
    this.open();
    const found = await this.storedBodies(this.db.read, [...new Set(recordIds)]);
    return recordIds.flatMap((id) => {
      const r = found.get(id);
      found.delete(id);
      return r ? [r] : [];
    });
  }

  async get(recordId: string): Promise<LedgerRow | undefined> {
    this.open();
    const [r] = await this.db.read.all(`SELECT ${RECORD_SELECT} FROM ledger_records WHERE record_id = ?`, [
      recordId,
    ]);
    return r ? ledgerRow(storedRow(r)) : undefined;
  }

  async *query(q: EvidenceQuery = {}): AsyncIterable<LedgerRow> {
    this.open();
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (clause: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    const eq = (column: string, value: string | undefined) => add(`${column} = ?`, value);
    eq('subject', q.subject);
    eq('provider', q.provider);
    eq('connection', q.connection);
    eq('operation_id', q.operationId);
    eq('job_id', q.jobId);
    eq('status', q.status);
    add('requested_at >= ?', q.from === undefined ? undefined : normalizeTime(q.from));
    add('requested_at < ?', q.to === undefined ? undefined : normalizeTime(q.to));
    let remaining = q.limit ?? Infinity;
    let after: [string, string, number] | undefined;
    // Keyset pages: each page is one short statement, so nothing stays open between pages and
    // memory holds one page whatever the result's size.
    while (remaining > 0) {
      const size = Math.min(500, remaining);
      const keyset = after ? ['(recorded_at, stream_id, seq) > (?, ?, ?)'] : [];
      const clauses = [...where, ...keyset];
      const rows = await this.db.read.all(
        `SELECT ${RECORD_SELECT} FROM ledger_records${clauses.length ? ` WHERE ${clauses.join(' AND ')}` : ''} ORDER BY recorded_at, stream_id, seq LIMIT ${size}`,
        [...params, ...(after ?? [])],
      );
      for (const r of rows) yield ledgerRow(storedRow(r));
      if (rows.length < size) return;
      remaining -= rows.length;
      const last = storedRow(rows[rows.length - 1]!);
      after = [last.recordedAt, last.streamId, last.seq];
    }
  }

  async checkpoint(reason: string): Promise<void> {
    this.open();
    this.signingKey();
    return this.queue.run(async () => {
      await this.writeCheckpoint('job-end', reason);
      this.sinceCheckpoint = 0;
    });
  }

  private writeCheckpoint(kind: CheckpointKind, reason: string): Promise<void> {
    return this.db.write(async (c) => {
      await writeCheckpointIn(this.db, c, this.signingKey(), { kind, reason });
    });
  }

  async verify(): Promise<VerifyReport> {
    this.open();
    const key = this.options.keys.verifying;
    if (!key)
      throw new LedgerConfigError(
        'publicKey',
        'verifying checkpoints needs the Ed25519 public key (OpenLedgerOptions.publicKey, or signingKey)',
      );
    return this.db.snapshot((c) => verifyLedger(c, key));
  }

  async purge(before: Date): Promise<PurgeSummary> {
    this.open();
    const key = this.signingKey();
    if (Number.isNaN(before.getTime())) throw new LedgerConfigError('before', 'is not a valid date');
    return this.db.write((c) => purgeLedger(this.db, c, key, before));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.run(() => this.db.close());
  }
}
