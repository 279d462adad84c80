import pg from 'pg';
import type { Db, SqlConn, SqlRow, SqlValue } from './db';
import { MIGRATIONS_TABLE, migrations } from './migrations';

/** pg_advisory_xact_lock keys: one orders migrations at open, one orders checkpoints. */
const MIGRATION_LOCK = 7_415_000_001;
const CHECKPOINT_LOCK = 7_415_000_002;

/** `?` placeholders to PostgreSQL's `$1, $2, …` (the ledger's SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function conn(client: pg.Pool | pg.PoolClient): SqlConn {
  return {
    all: async (sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(numbered(sql), params as SqlValue[])).rows as SqlRow[],
    run: async (sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(numbered(sql), params as SqlValue[])).rowCount ?? 0,
  };
}

/** The PostgreSQL store: a pool on `url`; migrations are applied at open under an advisory lock. */
export async function openPostgresDb(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client's connection error must not crash the process; the next query reports it.
  pool.on('error', () => undefined);

  const transaction = async <T>(begin: string, fn: (c: SqlConn) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query(begin);
      const result = await fn(conn(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };

  const db: Db = {
    dialect: 'postgres',
    read: conn(pool),
    write: (fn) => transaction('BEGIN', fn),
    snapshot: (fn) => transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn),
    lockCheckpoints: async (c) => {
      await c.all('SELECT pg_advisory_xact_lock(?)', [CHECKPOINT_LOCK]);
    },
    isConflict: (err) => ['23505', '40P01'].includes(String((err as { code?: unknown } | null)?.code)),
    close: () => pool.end(),
  };
  try {
    await db.write(async (c) => {
      // Several processes may open a new database at once: the lock makes one create the schema.
      await c.all('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
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
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return db;
}
