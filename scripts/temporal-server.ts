import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The Temporal Server release we build: the one the pinned CLI (v1.5.1) embeds. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const SERVER_PACKAGE = 'go.temporal.io/server/cmd/server';
const SQL_TOOL_PACKAGE = 'go.temporal.io/server/cmd/tools/sql';

export interface TemporalServerBinaries {
  /** `temporal-server`: `start --service=<name>` runs one service. */
  server: string;
  /** `temporal-sql-tool`: creates and updates the schemas (embedded in the binary). */
  sqlTool: string;
  source: 'env' | 'cache' | 'go-install';
}

export interface FindServerOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Where to look for Go when it is not on PATH. @default ['/usr/local/go/bin/go'] */
  goFallbacks?: string[];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The cache directory, beside the CLI's: `$XDG_CACHE_HOME` or `$HOME/.cache`, then `token-revocation/`. */
export function serverCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheRoot, 'token-revocation', `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/**
 * Finds or builds the Temporal Server and temporal-sql-tool, in this order: `$TEMPORAL_SERVER_BIN`
 * and `$TEMPORAL_SQL_TOOL` (both); the cached pinned build; `go install` of both into that cache.
 * Thrown when the variables name no executable, when there is no Go, or when `go install` fails.
 */
export function findTemporalServer(opts: FindServerOptions = {}): TemporalServerBinaries {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  if (env.TEMPORAL_SERVER_BIN || env.TEMPORAL_SQL_TOOL) {
    for (const name of ['TEMPORAL_SERVER_BIN', 'TEMPORAL_SQL_TOOL'] as const) {
      if (!env[name] || !isExecutable(env[name]))
        throw new Error(`${name}=${env[name] ?? ''} is not an executable file; set both or neither`);
    }
    return { server: env.TEMPORAL_SERVER_BIN!, sqlTool: env.TEMPORAL_SQL_TOOL!, source: 'env' };
  }
  const dir = serverCacheDir(env);
  const server = join(dir, 'temporal-server');
  const sqlTool = join(dir, 'temporal-sql-tool');
  if (isExecutable(server) && isExecutable(sqlTool)) return { server, sqlTool, source: 'cache' };

  const go = onPath('go', env) ?? (opts.goFallbacks ?? ['/usr/local/go/bin/go']).find(isExecutable);
  if (!go)
    throw new Error(
      'No Go toolchain found to build the Temporal Server; install Go, or set TEMPORAL_SERVER_BIN and TEMPORAL_SQL_TOOL',
    );
  log(
    `Building Temporal Server ${TEMPORAL_SERVER_VERSION} and temporal-sql-tool with Go (one time only; ` +
      `about 5-15 minutes on 2 cores).\nThey are cached in ${dir}.`,
  );
  mkdirSync(dir, { recursive: true });
  // Build into a private directory, then rename: an interrupted build leaves nothing trusted.
  const gobin = mkdtempSync(join(dir, 'build-'));
  const started = Date.now();
  const res = spawnSync(
    go,
    [
      'install',
      `${SERVER_PACKAGE}@${TEMPORAL_SERVER_VERSION}`,
      `${SQL_TOOL_PACKAGE}@${TEMPORAL_SERVER_VERSION}`,
    ],
    {
      env: { ...env, GOBIN: gobin, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=mod`.trim() },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (res.status !== 0) {
    rmSync(gobin, { recursive: true, force: true });
    throw new Error(
      `go install ${SERVER_PACKAGE}@${TEMPORAL_SERVER_VERSION} failed (exit ${res.status ?? res.signal}); ` +
        'set TEMPORAL_SERVER_BIN and TEMPORAL_SQL_TOOL to existing binaries',
    );
  }
  renameSync(join(gobin, 'sql'), sqlTool);
  renameSync(join(gobin, 'server'), server);
  rmSync(gobin, { recursive: true, force: true });
  log(`Temporal Server built in ${Math.round((Date.now() - started) / 1000)} s.`);
  return { server, sqlTool, source: 'go-install' };
}

if (require.main === module) {
  const found = findTemporalServer();
  process.stdout.write(`${found.server}\n${found.sqlTool}\n(${found.source})\n`);
}
