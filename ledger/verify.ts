import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, canonicalJson, rowHash } from './canonical';
import { checkpointHash, verifyCheckpoint } from './checkpoint';
import type { SqlConn } from './db';
import { QUERY_COLUMNS, RECORD_SELECT, type StoredRow, columnsOf, storedRow } from './rows';
import type { LedgerProblem, PurgeSummary, VerifyReport } from './types';

/** A head a checkpoint binds, or the row a purge cut a stream after. */
interface Bound {
  hash: string;
  checkpointId: string;
}

/** What the signed checkpoints say about the rows: the heads they bind and where purges cut. */
interface Checkpoints {
  count: number;
  bound: Map<string, Map<number, Bound>>;
  starts: Map<string, Bound & { seq: number }>;
  purges: PurgeSummary[];
}

class Found {
  constructor(readonly problem: LedgerProblem) {}
}

/** Checks every checkpoint in id order: signature, id sequence, chain to the previous one, columns. */
async function readCheckpoints(c: SqlConn, key: KeyObject): Promise<Checkpoints | Found> {
  const rows = await c.all(
    'SELECT id, kind, reason, at, jws, hash, prev_hash FROM ledger_checkpoints ORDER BY id',
  );
  const out: Checkpoints = { count: rows.length, bound: new Map(), starts: new Map(), purges: [] };
  let prev: string | null = null;
  for (const [i, row] of rows.entries()) {
    const id = Number(row.id);
    const checkpointId = String(id);
    if (id !== i + 1)
      return new Found({
        kind: 'DELETED',
        checkpointId: String(i + 1),
        message: `checkpoint ${i + 1} is missing (the next one is ${id})`,
      });
    const forged = (why: string) =>
      new Found({ kind: 'FORGED_CHECKPOINT', checkpointId, message: `checkpoint ${id} ${why}` });
    const jws = String(row.jws);
    let p;
    try {
      p = await verifyCheckpoint(jws, key);
    } catch (err) {
      return forged(
        `does not verify with the ledger's public key (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    if (p.id !== id) return forged(`is stored as id ${id} but signed as id ${p.id}`);
    if (p.prev !== prev) return forged(`does not follow checkpoint ${id - 1} (its signed prev hash differs)`);
    if (String(row.hash) !== checkpointHash(jws)) return forged('has a stored hash that is not its JWS hash');
    for (const [column, signed] of [
      ['kind', p.kind],
      ['reason', p.reason],
      ['at', p.at],
    ] as const)
      if (String(row[column]) !== signed)
        return forged(`has a ${column} column that differs from what it signed`);
    prev = checkpointHash(jws);
    for (const [streamId, head] of Object.entries(p.heads)) {
      let m = out.bound.get(streamId);
      if (!m) out.bound.set(streamId, (m = new Map()));
      if (!m.has(head.seq)) m.set(head.seq, { hash: head.hash, checkpointId });
    }
    if (p.purge) {
      let removed = 0;
      for (const [streamId, cut] of Object.entries(p.purge.streams)) {
        out.starts.set(streamId, { seq: cut.seq, hash: cut.hash, checkpointId });
        removed += cut.count;
      }
      out.purges.push({ before: p.purge.before, at: p.at, removed });
    }
  }
  return out;
}

/** The first row field that differs from its body, or undefined. */
function editedColumn(row: StoredRow): string | undefined {
  let record;
  try {
    record = JSON.parse(row.body) as Parameters<typeof columnsOf>[0];
  } catch {
    return 'body';
  }
  if (canonicalJson(record) !== row.body) return 'body';
  if (record.recordId !== row.recordId) return 'record_id';
  const expected = columnsOf(record);
  return QUERY_COLUMNS.find((col) => expected[col] !== row.columns[col]);
}

/** True when row's body hashes correctly in the place of one of `later` (it was moved there). */
function belongsElsewhere(row: StoredRow, later: readonly StoredRow[]): boolean {
  return later.some(
    (o) =>
      rowHash(row.body, {
        prevHash: o.prevHash,
        streamId: o.streamId,
        seq: o.seq,
        recordedAt: o.recordedAt,
      }) === o.hash,
  );
}

/** The first thing wrong with `row`, expected at `expected.seq` after `expected.prev`. */
async function checkRow(
  c: SqlConn,
  row: StoredRow,
  expected: { seq: number; prev: string; previous: StoredRow | undefined; confirmed: number },
  later: () => readonly StoredRow[],
  bound: Map<number, Bound>,
): Promise<Found | undefined> {
  const { streamId } = row;
  const where = (seq: number) => ({ streamId, seq });
  const previous = expected.previous;
  const at = { ...where(row.seq), recordId: row.recordId };
  const name = `row ${row.seq} of stream ${streamId} (record ${row.recordId})`;
  if (row.seq !== expected.seq)
    return new Found({
      kind: 'DELETED',
      ...where(expected.seq),
      message: `row ${expected.seq} of stream ${streamId} is missing (the next row is ${name})`,
    });
  const selfOk = rowHash(row.body, row) === row.hash;
  if (row.prevHash !== expected.prev) {
    const [linked] = await c.all('SELECT seq FROM ledger_records WHERE stream_id = ? AND hash = ? LIMIT 1', [
      streamId,
      row.prevHash,
    ]);
    if (linked)
      return new Found({
        kind: 'REORDERED',
        ...at,
        message: `${name} links to row ${String(linked.seq)}, not to its predecessor: rows were swapped or moved`,
      });
    if (selfOk && previous)
      return new Found({
        kind: 'EDITED',
        ...where(previous.seq),
        recordId: previous.recordId,
        message: `row ${previous.seq} of stream ${streamId} (record ${previous.recordId}) was rewritten and rehashed: the next row's prevHash no longer matches it`,
      });
    return new Found({ kind: 'EDITED', ...at, message: `${name}: its prevHash was altered` });
  }
  if (!selfOk) {
    if (belongsElsewhere(row, later()))
      return new Found({
        kind: 'REORDERED',
        ...at,
        message: `${name} holds the body of a later row: rows were swapped`,
      });
    return new Found({
      kind: 'EDITED',
      ...at,
      message: `${name} no longer hashes to its stored hash: a field was edited`,
    });
  }
  const column = editedColumn(row);
  if (column)
    return new Found({
      kind: 'EDITED',
      ...at,
      message: `${name}: its ${column} column differs from its hashed body`,
    });
  const b = bound.get(row.seq);
  if (b && b.hash !== row.hash)
    return new Found({
      kind: 'CHECKPOINT_MISMATCH',
      ...at,
      checkpointId: b.checkpointId,
      message: `checkpoint ${b.checkpointId} binds ${name} to another hash: the stream was rewritten and rehashed after row ${expected.confirmed}, the last row a checkpoint confirms`,
    });
  return undefined;
}

/** What the checkpoints and the stream table say about the end of a stream whose last row is `last`. */
async function checkEnd(
  c: SqlConn,
  streamId: string,
  start: Bound & { seq: number },
  bound: Map<number, Bound>,
  last: number,
): Promise<Found | undefined> {
  const where = (seq: number) => ({ streamId, seq });
  const startBound = bound.get(start.seq);
  if (start.seq > 0 && startBound && startBound.hash !== start.hash)
    return new Found({
      kind: 'CHECKPOINT_MISMATCH',
      ...where(start.seq),
      checkpointId: start.checkpointId,
      message: `purge checkpoint ${start.checkpointId} cut stream ${streamId} after a row checkpoint ${startBound.checkpointId} gives another hash`,
    });
  const gone = [...bound.entries()].filter(([seq]) => seq > last).sort(([a], [b]) => a - b)[0];
  if (gone)
    return new Found({
      kind: 'DELETED',
      ...where(gone[0]),
      checkpointId: gone[1].checkpointId,
      message: `checkpoint ${gone[1].checkpointId} names row ${gone[0]} of stream ${streamId}, which is gone (the last row is ${last})`,
    });
  const [head] = await c.all('SELECT head_seq FROM ledger_streams WHERE stream_id = ?', [streamId]);
  if (head && Number(head.head_seq) > last)
    return new Found({
      kind: 'DELETED',
      ...where(last + 1),
      message: `stream ${streamId}'s head is row ${Number(head.head_seq)}, but its last row is ${last}`,
    });
  return undefined;
}

/** Walks one stream in seq order; returns the number of rows, or the first problem. */
async function walkStream(c: SqlConn, streamId: string, cps: Checkpoints): Promise<number | Found> {
  const start = cps.starts.get(streamId) ?? { seq: 0, hash: GENESIS_HASH, checkpointId: '' };
  const bound = cps.bound.get(streamId) ?? new Map<number, Bound>();
  const where = (seq: number) => ({ streamId, seq });
  const [early] = await c.all(
    'SELECT record_id, seq FROM ledger_records WHERE stream_id = ? AND seq <= ? ORDER BY seq LIMIT 1',
    [streamId, start.seq],
  );
  if (early)
    return new Found({
      kind: 'CHECKPOINT_MISMATCH',
      ...where(Number(early.seq)),
      recordId: String(early.record_id),
      checkpointId: start.checkpointId,
      message: `row ${String(early.seq)} of stream ${streamId} is present although purge checkpoint ${start.checkpointId} removed it`,
    });
  let expectedSeq = start.seq + 1;
  let expectedPrev = start.hash;
  let previous: StoredRow | undefined;
  let confirmed = start.seq;
  for (;;) {
    const rows = (
      await c.all(
        `SELECT ${RECORD_SELECT} FROM ledger_records WHERE stream_id = ? AND seq >= ? ORDER BY seq LIMIT 1000`,
        [streamId, expectedSeq],
      )
    ).map(storedRow);
    for (const [i, row] of rows.entries()) {
      const found = await checkRow(
        c,
        row,
        { seq: expectedSeq, prev: expectedPrev, previous, confirmed },
        () => rows.slice(i + 1),
        bound,
      );
      if (found) return found;
      expectedPrev = row.hash;
      expectedSeq += 1;
      previous = row;
      if (bound.has(row.seq)) confirmed = row.seq;
    }
    if (rows.length < 1000) break;
  }
  const last = expectedSeq - 1;
  return (await checkEnd(c, streamId, start, bound, last)) ?? last - start.seq;
}

/**
 * Checks the whole ledger inside one read snapshot `c`: every checkpoint (signature, order, chain),
 * then every stream in stream-id order, row by row in seq order. Returns at the first problem.
 */
export async function verifyLedger(c: SqlConn, key: KeyObject): Promise<VerifyReport> {
  const cps = await readCheckpoints(c, key);
  const report: VerifyReport = { ok: true, records: 0, streams: 0, checkpoints: 0, purges: [] };
  if (cps instanceof Found) return { ...report, ok: false, problem: cps.problem };
  report.checkpoints = cps.count;
  report.purges = cps.purges;
  const ids = new Set<string>([...cps.bound.keys(), ...cps.starts.keys()]);
  for (const r of await c.all('SELECT stream_id FROM ledger_streams')) ids.add(String(r.stream_id));
  for (const r of await c.all('SELECT DISTINCT stream_id FROM ledger_records')) ids.add(String(r.stream_id));
  for (const streamId of [...ids].sort()) {
    const n = await walkStream(c, streamId, cps);
    if (n instanceof Found) return { ...report, ok: false, problem: n.problem };
    report.records += n;
    report.streams += 1;
  }
  return report;
}
