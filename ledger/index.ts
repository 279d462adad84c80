import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Db } from './db';
import { LedgerConfigError } from './errors';
import { loadKeys } from './keys';
import { openPostgresDb } from './postgres-db';
import { SqlLedger } from './sql-ledger';
import { openSqliteDb } from './sqlite-db';
import type { EvidenceLedger, OpenLedgerOptions } from './types';

export type * from './types';
export { LedgerClosedError, LedgerConfigError, LedgerRecordError } from './errors';
export { LedgerPurgeError } from './purge';

export const DEFAULT_CHECKPOINT_EVERY = 1000;

const ACCEPTED = 'sqlite:<path> or postgres://… / postgresql://…';

/** The url without its password, for messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

function openDb(url: string): Promise<Db> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new LedgerConfigError('url', `sqlite: needs a file path (${ACCEPTED})`);
    return openSqliteDb(path === ':memory:' ? path : resolve(path));
  }
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresDb(url);
  throw new LedgerConfigError(
    'url',
    `${JSON.stringify(redactUrl(url))} is not a ledger url: use ${ACCEPTED}`,
  );
}

/**
 * Opens the evidence ledger at `options.url`, creating its schema (SQLite: the file and its
 * directory) and applying migrations. Every call is one writer: its own hash chain (stream).
 * Thrown when: the url has another form, a key is not Ed25519, checkpointEvery is not a positive
 * integer (LedgerConfigError naming the option); the database cannot be opened.
 */
export async function openLedger(options: OpenLedgerOptions): Promise<EvidenceLedger> {
  const checkpointEvery = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  if (!Number.isInteger(checkpointEvery) || checkpointEvery < 1)
    throw new LedgerConfigError(
      'checkpointEvery',
      `must be a positive integer, not ${String(checkpointEvery)}`,
    );
  const streamId = options.streamId ?? randomUUID();
  if (streamId === '') throw new LedgerConfigError('streamId', 'must not be empty');
  const keys = loadKeys(options);
  const db = await openDb(options.url);
  return new SqlLedger(db, { streamId, checkpointEvery, keys });
}
