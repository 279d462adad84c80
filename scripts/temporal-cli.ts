import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The Temporal CLI release we build; the newest whose go.mod has no replace directive. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

export type TemporalCli =
  | { kind: 'path'; path: string; source: 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'go-install' }
  /** No binary and no Go: let the SDK download one (needs internet). */
  | { kind: 'sdk-download' };

export interface FindOptions {
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

/** Where the pinned CLI is cached: `$XDG_CACHE_HOME` or `$HOME/.cache`, then `token-revocation/`. */
export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheRoot, 'token-revocation', `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

/**
 * Finds or builds the Temporal CLI, in this order: `$TEMPORAL_CLI`; `temporal` on PATH; the cached
 * pinned build; `go install` into that cache; otherwise the SDK's own download.
 * Thrown when `$TEMPORAL_CLI` is set but not an executable file, or when `go install` fails.
 */
export function findTemporalCli(opts: FindOptions = {}): TemporalCli {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) {
      throw new Error(`TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file; unset it or fix the path`);
    }
    return { kind: 'path', path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { kind: 'path', path: fromPath, source: 'PATH' };

  const cached = cachedCliPath(env);
  if (isExecutable(cached)) return { kind: 'path', path: cached, source: 'cache' };

  const go = onPath('go', env) ?? (opts.goFallbacks ?? ['/usr/local/go/bin/go']).find(isExecutable);
  if (go) {
    log(
      `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (one time only; about 3-10 minutes on 2 cores).\n` +
        `It is cached at ${cached}; set TEMPORAL_CLI to use another binary.`,
    );
    const dir = join(cached, '..');
    mkdirSync(dir, { recursive: true });
    // Build into a private directory, then rename: a concurrent or interrupted build never leaves
    // a half-written binary where the next run would trust it.
    const gobin = mkdtempSync(join(dir, 'build-'));
    const started = Date.now();
    const res = spawnSync(go, ['install', `${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}`], {
      env: { ...env, GOBIN: gobin, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=mod`.trim() },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (res.status !== 0) {
      rmSync(gobin, { recursive: true, force: true });
      throw new Error(
        `go install ${GO_PACKAGE}@${TEMPORAL_CLI_VERSION} failed (exit ${res.status ?? res.signal}); ` +
          'set TEMPORAL_CLI to an existing temporal binary',
      );
    }
    renameSync(join(gobin, 'temporal'), cached);
    rmSync(gobin, { recursive: true, force: true });
    log(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s.`);
    return { kind: 'path', path: cached, source: 'go-install' };
  }

  log('No Temporal CLI and no Go toolchain found; the Temporal SDK will download the CLI (needs internet).');
  return { kind: 'sdk-download' };
}

if (require.main === module) {
  const cli = findTemporalCli();
  process.stdout.write(cli.kind === 'path' ? `${cli.path} (${cli.source})\n` : 'sdk-download\n');
}
