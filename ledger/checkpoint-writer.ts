import type { KeyObject } from 'node:crypto';
import { type CheckpointPayload, checkpointHash, signCheckpoint } from './checkpoint';
import type { Db, SqlConn } from './db';

/**
 * Writes the next checkpoint inside transaction `c`: the heads of every stream now, chained to the
 * previous checkpoint. The checkpoint lock (PostgreSQL) makes ids and the chain strictly ordered.
 */
export async function writeCheckpointIn(
  db: Db,
  c: SqlConn,
  key: KeyObject,
  what: Pick<CheckpointPayload, 'kind' | 'reason' | 'purge'>,
): Promise<CheckpointPayload> {
  await db.lockCheckpoints(c);
  const [last] = await c.all('SELECT id, hash FROM ledger_checkpoints ORDER BY id DESC LIMIT 1');
  const heads: CheckpointPayload['heads'] = {};
  for (const s of await c.all(
    'SELECT stream_id, head_seq, head_hash FROM ledger_streams WHERE head_seq > 0 ORDER BY stream_id',
  ))
    heads[String(s.stream_id)] = { seq: Number(s.head_seq), hash: String(s.head_hash) };
  const payload: CheckpointPayload = {
    v: 1,
    id: last ? Number(last.id) + 1 : 1,
    kind: what.kind,
    reason: what.reason,
    at: new Date().toISOString(),
    heads,
    prev: last ? String(last.hash) : null,
    ...(what.purge ? { purge: what.purge } : {}),
  };
  const jws = await signCheckpoint(payload, key);
  await c.run(
    'INSERT INTO ledger_checkpoints (id, kind, reason, at, jws, hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [payload.id, payload.kind, payload.reason, payload.at, jws, checkpointHash(jws), payload.prev],
  );
  return payload;
}
