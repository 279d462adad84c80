import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from './node-sqlite';
import { type Db, Mutex, type SqlConn, type SqlRow, type SqlValue } from './db';
import { MIGRATIONS_TABLE, migrations } from './migrations';

/** How long a writer waits for another process's write transaction before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 15_000;

/** One connection and its prepared statements; every use goes through its file's mutex. */
class Conn implements SqlConn {
  private readonly statements = new Map<string, StatementSync>();
  constructor(readonly db: DatabaseSync) {}

  private statement(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  all(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return Promise.resolve(this.statement(sql).all(...params) as SqlRow[]);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return Promise.resolve(Number(this.statement(sql).run(...params).changes));
  }
}

function connect(path: string, readOnly: boolean): DatabaseSync {
  const db = new DatabaseSync(path, { readOnly });
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!readOnly) {
    // WAL: readers never block the writer, and several worker processes can write one file in turn.
    // synchronous=NORMAL in WAL loses nothing on a process crash (only, possibly, on power loss).
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
  }
  return db;
}

/**
 * One mutex per file in this process: a second connection's BEGIN IMMEDIATE would wait on the busy
 * timeout synchronously, blocking the thread that holds the lock (two ledgers on one file in one
 * process). Between processes the busy timeout orders writers.
 */
const fileMutexes = new Map<string, Mutex>();

/** The SQLite store: `path` is created with its directory; migrations are applied at open. */
export async function openSqliteDb(path: string): Promise<Db> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const writer = new Conn(connect(path, false));
  const mutex = (path !== ':memory:' && fileMutexes.get(path)) || new Mutex();
  if (path !== ':memory:') fileMutexes.set(path, mutex);
  let reader: Conn | undefined;
  const readerMutex = new Mutex();

  const transaction = async <T>(c: Conn, begin: string, fn: (c: SqlConn) => Promise<T>): Promise<T> => {
    c.db.exec(begin);
    try {
      const result = await fn(c);
      c.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (c.db.isTransaction) c.db.exec('ROLLBACK');
      throw err;
    }
  };

  const db: Db = {
    dialect: 'sqlite',
    read: {
      all: (sql, params) => mutex.run(() => writer.all(sql, params)),
      run: (sql, params) => mutex.run(() => writer.run(sql, params)),
    },
    write: (fn) => mutex.run(() => transaction(writer, 'BEGIN IMMEDIATE', fn)),
    // A second, read-only connection: its read transaction is one WAL snapshot and blocks no writer.
    snapshot: (fn) =>
      path === ':memory:'
        ? mutex.run(() => transaction(writer, 'BEGIN', fn))
        : readerMutex.run(() => {
            reader ??= new Conn(connect(path, true));
            return transaction(reader, 'BEGIN', fn);
          }),
    lockCheckpoints: () => Promise.resolve(),
    isConflict: (err) => err instanceof Error && /UNIQUE constraint failed|PRIMARY KEY/i.test(err.message),
    close: () =>
      mutex.run(async () => {
        reader?.db.close();
        writer.db.close();
      }),
  };
  await db.write(async (c) => {
    await c.run(MIGRATIONS_TABLE);
    const applied = new Set((await c.all('SELECT id FROM ledger_migrations')).map((r) => String(r.id)));
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      for (const sql of m.statements) await c.run(sql);
      await c.run('INSERT INTO ledger_migrations (id, applied_at) VALUES (?, ?)', [
        m.id,
        new Date().toISOString(),
      ]);
    }
  });
  return db;
}
