import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PostgresCluster, postgresUnavailable, startPostgres } from './postgres';

/**
 * The ledger's stores, so every ledger test runs against each: `for (const b of ledgerBackends())
 * describe(b.name, { skip: b.skip ?? false }, () => { after(() => b.stop()); … await b.freshUrl() … })`.
 */
export interface LedgerBackend {
  readonly name: 'sqlite' | 'postgres';
  /** Set when this backend cannot run here (PostgreSQL binaries missing outside CI). */
  readonly skip?: string;
  /** The url of a new, empty ledger (a new SQLite file, or a new PostgreSQL database). */
  freshUrl(): Promise<string>;
  /**
   * Everything the store holds for the ledger at `url`, as text, for secret scans: the SQLite file
   * and its WAL as bytes (latin1), or PostgreSQL's `pg_dump`.
   */
  dump(url: string): Promise<string>;
  /** Removes the SQLite files, or stops the PostgreSQL cluster (started on the first freshUrl). */
  stop(): Promise<void>;
}

function sqliteBackend(): LedgerBackend {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    freshUrl: () => {
      const dir = mkdtempSync(join(tmpdir(), 'ledger-sqlite-'));
      dirs.push(dir);
      return Promise.resolve(`sqlite:${join(dir, 'evidence.db')}`);
    },
    dump: (url) => {
      const path = url.slice('sqlite:'.length);
      const files = [path, `${path}-wal`].filter((f) => existsSync(f));
      return Promise.resolve(files.map((f) => readFileSync(f).toString('latin1')).join('\n'));
    },
    stop: () => {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/**
 * Without the binaries PostgreSQL tests skip, saying why; where they are required
 * (LEDGER_TEST_POSTGRES=required, which .ci/run sets after installing them) they fail instead.
 */
function postgresBackend(): LedgerBackend {
  const missing = postgresUnavailable();
  const required = process.env.LEDGER_TEST_POSTGRES === 'required';
  let cluster: Promise<PostgresCluster> | undefined;
  return {
    name: 'postgres',
    ...(missing && !required ? { skip: missing } : {}),
    freshUrl: async () => {
      cluster ??= startPostgres();
      return (await cluster).createDatabase();
    },
    dump: async (url) => {
      if (!cluster) throw new Error('no PostgreSQL cluster started: call freshUrl first');
      return (await cluster).dump(url);
    },
    stop: async () => {
      const c = cluster;
      cluster = undefined;
      if (c) await (await c).stop();
    },
  };
}

export function ledgerBackends(): LedgerBackend[] {
  const backends = [sqliteBackend(), postgresBackend()];
  for (const b of backends)
    if (b.skip) process.stdout.write(`# skipping the ${b.name} ledger tests: ${b.skip}\n`);
  return backends;
}
