/**
 * The two stores (SQLite, PostgreSQL) behind one small SQL surface, so the chain, checkpoint,
 * verify and purge logic is written once. SQL is written with `?` placeholders; the PostgreSQL side
 * numbers them. Values are strings, numbers and null only.
 */
export type SqlValue = string | number | null;
export type SqlRow = Record<string, unknown>;

export interface SqlConn {
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface Db {
  readonly dialect: 'sqlite' | 'postgres';
  /** Reads outside a transaction (each statement sees what is committed). */
  readonly read: SqlConn;
  /**
   * A write transaction. SQLite: BEGIN IMMEDIATE (one writer at a time across processes, waiting
   * on the busy timeout). PostgreSQL: READ COMMITTED; row locks where the SQL asks for them.
   */
  write<T>(fn: (c: SqlConn) => Promise<T>): Promise<T>;
  /** A read-only transaction on one consistent snapshot (verify walks the whole ledger in one). */
  snapshot<T>(fn: (c: SqlConn) => Promise<T>): Promise<T>;
  /** Takes the ledger-wide lock that orders checkpoints (PostgreSQL; SQLite's writer lock is it). */
  lockCheckpoints(c: SqlConn): Promise<void>;
  /**
   * True when `err` is a conflict with a concurrent writer that a retry resolves: a primary-key or
   * unique violation (two writers stored the same record id), or a deadlock.
   */
  isConflict(err: unknown): boolean;
  close(): Promise<void>;
}

/** Serializes async critical sections in this process. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
