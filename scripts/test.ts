import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWorkflowBundle } from './bundle-workflows';
import { startDevServer } from './dev-server';
import { findTemporalCli } from './temporal-cli';
import { testDynamicConfig } from '../test/helpers/temporal';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'helpers' || e.name === 'histories' ? [] : testFiles(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * The work tree's changes as `git status` lists them (tracked and untracked, not ignored), or
 * undefined outside a git checkout.
 */
function treeChanges(): Set<string> | undefined {
  const root = join(__dirname, '..');
  const res = spawnSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (res.status !== 0) return undefined;
  // "XY path" entries; a file already changed before the run counts again when its mtime moves.
  const stamp = (path: string) => {
    try {
      return String(statSync(join(root, path)).mtimeMs);
    } catch {
      return 'gone';
    }
  };
  return new Set(
    res.stdout
      .split('\0')
      .filter((e) => /^.. /.test(e))
      .map((e) => `${e} (${stamp(e.slice(3))})`),
  );
}

/**
 * How many test files run at once: 1 unless TEST_CONCURRENCY says otherwise (an experiment for the
 * suite-speed work; the default stays serial until a concurrent run is shown to be as reliable).
 */
function testConcurrency(): number {
  const raw = process.env.TEST_CONCURRENCY;
  if (!raw) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`TEST_CONCURRENCY must be a positive integer, not ${raw}`);
  return n;
}

/**
 * `npm test`: provisions the Temporal CLI if needed, starts one dev server for the whole run, and
 * runs every test file against it (one file at a time: two cores, and some tests kill processes).
 * Arguments narrow the run to the given files. A run that changes the work tree (a test writing
 * into the checkout instead of a scratch directory) fails and names the files.
 */
async function main(): Promise<number> {
  const started = Date.now();
  const cli = findTemporalCli();
  process.stdout.write(
    `Temporal CLI: ${cli.kind === 'path' ? `${cli.path} (${cli.source})` : 'SDK download'}\n`,
  );
  const server = await startDevServer({
    cli,
    uiPort: false,
    dynamicConfig: testDynamicConfig,
    stdio: 'ignore',
  });
  process.stdout.write(`Temporal dev server for tests at ${server.address}\n`);
  const files = process.argv.length > 2 ? process.argv.slice(2) : testFiles('test').sort();
  // Recording histories and refreshing screenshots write into the tree on purpose.
  const allowed = process.env.TEST_ALLOW_TREE_CHANGES || process.env.RECORD_HISTORIES;
  const treeBefore = allowed ? undefined : treeChanges();
  const timingsDir = mkdtempSync(join(tmpdir(), 'test-timings-'));
  const timingsFile = join(timingsDir, 'files.ndjson');
  const concurrency = testConcurrency();
  // One webpack bundle for the whole run: every in-process worker and worker process loads it
  // (REVOCATION_WORKFLOW_BUNDLE) instead of bundling the same code again at each start.
  const bundleStarted = Date.now();
  const bundlePath = await writeWorkflowBundle(join(timingsDir, 'workflow-bundle.js'));
  process.stdout.write(`workflow bundle for the run in ${Date.now() - bundleStarted} ms\n`);
  process.stdout.write(
    `${files.length} test files, ${concurrency} at a time${process.env.TEST_FULL ? ', exhaustive variants (TEST_FULL)' : ''}\n`,
  );
  try {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-force-exit',
        `--test-concurrency=${concurrency}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${join(__dirname, 'test-timings-reporter.mjs')}`,
        `--test-reporter-destination=${timingsFile}`,
        ...files,
      ],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          TEMPORAL_TEST_ADDRESS: server.address,
          REVOCATION_WORKFLOW_BUNDLE: bundlePath,
        },
      },
    );
    let code = await new Promise<number>((resolve) =>
      child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))),
    );
    const treeAfter = treeBefore && treeChanges();
    const written = treeAfter ? [...treeAfter].filter((line) => !treeBefore.has(line)) : [];
    if (written.length > 0) {
      process.stdout.write(
        `the tests changed the work tree (write to a scratch directory instead):\n${written.map((l) => `  ${l}`).join('\n')}\n`,
      );
      code = code || 1;
    }
    process.stdout.write(slowestFiles(timingsFile, 10));
    process.stdout.write(
      `tests finished in ${Math.round((Date.now() - started) / 1000)} s with exit code ${code}\n`,
    );
    return code;
  } finally {
    rmSync(timingsDir, { recursive: true, force: true });
    await server.stop();
  }
}

/** The `n` slowest test files of the run, from the timings reporter's lines. */
function slowestFiles(path: string, n: number): string {
  let lines: string[];
  try {
    lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return '';
  }
  const files = lines
    .map((l) => JSON.parse(l) as { file: string; ms: number })
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
  if (files.length === 0) return '';
  const rows = files.map((f) => `  ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.file}`);
  return `slowest ${files.length} test files:\n${rows.join('\n')}\n`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
