import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../scripts/free-port';

/**
 * A throwaway PostgreSQL cluster for tests: `initdb` + `pg_ctl` in a temporary directory, listening
 * on 127.0.0.1 only (a free port, trust auth), stopped and removed by `stop()`. PostgreSQL refuses
 * to run as root: as root the cluster runs as `nobody` (via runuser), which owns the directory.
 */
export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** A new empty database on the cluster; its url. */
  createDatabase(): Promise<string>;
  /** `pg_dump` of the database at `url` (schema and data, as SQL text): what a secret scan reads. */
  dump(url: string): string;
  stop(): Promise<void>;
}

/**
 * Where the server binaries are: PG_BIN when set (only there), else PostgreSQL 15's Debian path,
 * else the newest version installed under /usr/lib/postgresql.
 */
export function postgresBin(): string | undefined {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  if (process.env.PG_BIN) return has(process.env.PG_BIN) ? process.env.PG_BIN : undefined;
  const candidates = ['/usr/lib/postgresql/15/bin'];
  try {
    for (const v of readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)))
      candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // no Debian PostgreSQL at all
  }
  return candidates.find(has);
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (postgresBin()) return undefined;
  return `PostgreSQL server binaries are missing (${process.env.PG_BIN || '/usr/lib/postgresql/15/bin'}/initdb; Debian: \`apt-get install postgresql\`, or set PG_BIN)`;
}

/** The unprivileged user the cluster runs as when we are root (PostgreSQL refuses root). */
function clusterUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = process.env.PG_TEST_USER ?? 'nobody';
  if (spawnSync('id', ['-u', user]).status !== 0)
    execFileSync('useradd', ['--system', '--no-create-home', user]);
  return user;
}

function run(user: string | undefined, bin: string, args: string[]): string {
  const [cmd, argv] = user ? ['runuser', ['-u', user, '--', bin, ...args]] : [bin, args];
  const res = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0)
    throw new Error(`${bin} ${args.join(' ')} failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

let databases = 0;

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error(postgresUnavailable());
  const user = clusterUser();
  const dir = mkdtempSync(join(tmpdir(), 'ledger-pg-'));
  const data = join(dir, 'data');
  if (user) {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const port = await freePort();
  run(user, join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=50',
  ].join(' ');
  const log = join(dir, 'server.log');
  const stopNow = () => {
    // Immediate: the cluster is thrown away; nothing of it must outlive the test process.
    if (existsSync(join(data, 'postmaster.pid'))) {
      const args = [join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'];
      if (user) spawnSync('runuser', ['-u', user, '--', ...args]);
      else spawnSync(args[0]!, args.slice(1));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run(user, join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
  } catch (err) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
    stopNow();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${serverLog}`, { cause: err });
  }
  process.once('exit', stopNow);
  // A test process killed outright (SIGKILL, a runner timeout) runs no exit handler: a detached
  // watchdog stops the cluster when this process is gone.
  const stopCommand = [
    ...(user ? ['runuser', '-u', user, '--'] : []),
    join(bin, 'pg_ctl'),
    '-D',
    data,
    '-m',
    'immediate',
    '-w',
    'stop',
  ];
  const watchdog = spawn(
    'sh',
    [
      '-c',
      'while kill -0 "$0" 2>/dev/null; do sleep 1; done; "$@" >/dev/null 2>&1; rm -rf "$DIR"',
      String(process.pid),
      ...stopCommand,
    ],
    { detached: true, stdio: 'ignore', env: { ...process.env, DIR: dir } },
  );
  watchdog.unref();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async createDatabase() {
      const name = `ledger_${process.pid}_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    dump(target: string) {
      const res = spawnSync(join(bin, 'pg_dump'), ['--no-owner', '--dbname', target], {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      });
      if (res.status !== 0) throw new Error(`pg_dump failed (${res.status}): ${res.stderr}`);
      return res.stdout;
    },
    stop() {
      process.removeListener('exit', stopNow);
      watchdog.kill();
      stopNow();
      return Promise.resolve();
    },
  };
}
