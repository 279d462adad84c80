import type { KeyObject } from 'node:crypto';
import type { PurgedStream } from './checkpoint';
import { writeCheckpointIn } from './checkpoint-writer';
import type { Db, SqlConn } from './db';
import type { PurgeSummary } from './types';

/** Thrown when a purge finds the stream it would cut already damaged (verify names the problem). */
export class LedgerPurgeError extends Error {
  override readonly name = 'LedgerPurgeError';
  readonly code = 'LEDGER_PURGE';
  constructor(
    readonly streamId: string,
    readonly seq: number,
  ) {
    super(`cannot purge: row ${seq} of stream ${streamId} is missing; run verify to see what is wrong`);
  }
}

/**
 * Inside write transaction `c`: removes from each stream the longest prefix of rows recorded before
 * `before` (never a row recorded at or after it, so a stream is always cut whole up to one row),
 * then writes a signed purge checkpoint naming, per stream, the last removed seq, its hash and the
 * count. Verify starts each stream after that row.
 */
export async function purgeLedger(db: Db, c: SqlConn, key: KeyObject, before: Date): Promise<PurgeSummary> {
  const cutoff = before.toISOString();
  await db.lockCheckpoints(c);
  const lock = db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const streams = await c.all(`SELECT stream_id, purged_seq FROM ledger_streams ORDER BY stream_id${lock}`);
  const purged: Record<string, PurgedStream> = {};
  let removed = 0;
  for (const s of streams) {
    const streamId = String(s.stream_id);
    const [kept] = await c.all(
      'SELECT MIN(seq) AS first_kept FROM ledger_records WHERE stream_id = ? AND recorded_at >= ?',
      [streamId, cutoff],
    );
    const [all] = await c.all('SELECT MAX(seq) AS last FROM ledger_records WHERE stream_id = ?', [streamId]);
    if (all?.last === null || all?.last === undefined) continue;
    const through =
      kept?.first_kept === null || kept?.first_kept === undefined
        ? Number(all.last)
        : Number(kept.first_kept) - 1;
    if (through <= Number(s.purged_seq)) continue;
    const [row] = await c.all('SELECT hash FROM ledger_records WHERE stream_id = ? AND seq = ?', [
      streamId,
      through,
    ]);
    if (!row) throw new LedgerPurgeError(streamId, through);
    const hash = String(row.hash);
    const count = await c.run('DELETE FROM ledger_records WHERE stream_id = ? AND seq <= ?', [
      streamId,
      through,
    ]);
    await c.run('UPDATE ledger_streams SET purged_seq = ?, purged_hash = ? WHERE stream_id = ?', [
      through,
      hash,
      streamId,
    ]);
    purged[streamId] = { seq: through, hash, count };
    removed += count;
  }
  const payload = await writeCheckpointIn(db, c, key, {
    kind: 'purge',
    reason: `purge of records before ${cutoff}`,
    purge: { before: cutoff, streams: purged },
  });
  return { before: cutoff, at: payload.at, removed };
}
