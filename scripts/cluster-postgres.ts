import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The local cluster's PostgreSQL 15: `initdb` once into a data directory that a second run reuses,
 * started with `pg_ctl` on 127.0.0.1 only (trust auth, user `temporal`). PostgreSQL refuses to
 * run as root: as root it runs as `nobody` (via runuser), which owns the directory. The same
 * approach as test/helpers/postgres.ts, with a kept directory instead of a throwaway one.
 */
export interface ClusterPostgres {
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** `pg_ctl stop -m fast` (or `immediate`); waits. */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Starts it again on the same port and data (after a stop). */
  start(): void;
}

export function postgresBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  if (env.PG_BIN) return has(env.PG_BIN) ? env.PG_BIN : undefined;
  const candidates = ['/usr/lib/postgresql/15/bin'];
  try {
    for (const v of readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)))
      candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // no Debian PostgreSQL at all
  }
  return candidates.find(has);
}

function clusterUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = process.env.PG_TEST_USER ?? 'nobody';
  if (spawnSync('id', ['-u', user]).status !== 0)
    execFileSync('useradd', ['--system', '--no-create-home', user]);
  return user;
}

function run(user: string | undefined, bin: string, args: string[], allowFail = false): number {
  const [cmd, argv] = user ? ['runuser', ['-u', user, '--', bin, ...args]] : [bin, args];
  const res = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  if (res.status !== 0 && !allowFail)
    throw new Error(`${bin} ${args.join(' ')} failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  return res.status ?? 1;
}

/** Starts (creating on the first run) PostgreSQL in `dir` (data in `dir/data`) on `port`. */
export function startClusterPostgres(dir: string, port: number): ClusterPostgres {
  const bin = postgresBin();
  if (!bin)
    throw new Error(
      'PostgreSQL server binaries are missing (/usr/lib/postgresql/15/bin/initdb; Debian: `apt-get install postgresql`, or set PG_BIN)',
    );
  const user = clusterUser();
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  // Parents stay traversable (the unprivileged user must reach `dir`); `dir` itself is private.
  mkdirSync(dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o700);
  if (user) {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  if (!existsSync(join(data, 'PG_VERSION'))) {
    run(user, join(bin, 'initdb'), ['-D', data, '-U', 'temporal', '-A', 'trust', '-E', 'UTF8', '--locale=C']);
  }
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c max_connections=200',
  ].join(' ');
  const pgCtl = join(bin, 'pg_ctl');
  const start = () => {
    // A stale postmaster.pid from a killed run: pg_ctl sees that no process holds it and starts.
    run(user, pgCtl, ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']);
  };
  const stop = (mode: 'fast' | 'immediate' = 'fast') => {
    if (existsSync(join(data, 'postmaster.pid')))
      run(user, pgCtl, ['-D', data, '-m', mode, '-w', '-t', '60', 'stop'], true);
  };
  // A PostgreSQL left running by a run that was killed outright: stop it, then start ours.
  if (run(user, pgCtl, ['-D', data, 'status'], true) === 0) stop();
  start();
  return { port, dataDir: data, logFile, stop, start };
}
