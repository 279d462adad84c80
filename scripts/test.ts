import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
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
 * How many test files run at once: 2 (this machine's cores) unless TEST_CONCURRENCY says otherwise.
 * TEST_CONCURRENCY=1 runs the suite one file at a time, as it ran before.
 */
function testConcurrency(): number {
  const raw = process.env.TEST_CONCURRENCY;
  if (!raw) return 2;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`TEST_CONCURRENCY must be a positive integer, not ${raw}`);
  return n;
}

/**
 * Files that run alone, before the others: the chaos suite times client retries against a
 * Retry-After and SIGKILLs workers on a schedule; a second file competing for the two cores can
 * stall a process long enough (a 3 s client timeout) to blur what those checks measure.
 */
const EXCLUSIVE = new Set(['test/chaos.test.ts']);

/**
 * The longest files start first (their figures from clean-clone runs, in that order), so the run
 * does not end on one long file with a core idle; the rest follow in name order.
 */
const LONGEST_FIRST = [
  'test/bulk-scale.test.ts',
  'test/redaction-e2e.test.ts',
  'test/evidence-crash.test.ts',
  'test/evidence-ledger.test.ts',
  'test/bulk-durability.test.ts',
  'test/key-rotation.test.ts',
  'test/hostile-input.test.ts',
  'test/start.test.ts',
  'test/readme-example.test.ts',
  'test/evidence-export.test.ts',
];

/** The run's phases: the exclusive files one at a time, then the rest `concurrency` at a time. */
function testPlan(
  files: readonly string[],
  concurrency: number,
): Array<{ files: string[]; concurrency: number }> {
  const rank = (f: string) => {
    const i = LONGEST_FIRST.indexOf(f);
    return i === -1 ? LONGEST_FIRST.length : i;
  };
  const alone = files.filter((f) => EXCLUSIVE.has(f));
  const shared = files.filter((f) => !EXCLUSIVE.has(f)).sort((a, b) => rank(a) - rank(b));
  return [
    { files: alone, concurrency: 1 },
    { files: shared, concurrency },
  ].filter((phase) => phase.files.length > 0);
}

/** Runs one phase's files under node:test; resolves with its exit code. */
function runPhase(
  phase: { files: string[]; concurrency: number },
  timingsFile: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-force-exit',
      `--test-concurrency=${phase.concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(__dirname, 'test-timings-reporter.mjs')}`,
      `--test-reporter-destination=${timingsFile}`,
      ...phase.files,
    ],
    { stdio: 'inherit', env },
  );
  return new Promise<number>((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
}

/**
 * `npm test`: provisions the Temporal CLI if needed, starts one dev server for the whole run, and
 * runs every test file against it: the exclusive ones alone, then the rest two at a time.
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
  const files =
    process.argv.length > 2 ? process.argv.slice(2).map((f) => normalize(f)) : testFiles('test').sort();
  // Recording histories and refreshing screenshots write into the tree on purpose.
  const allowed = process.env.TEST_ALLOW_TREE_CHANGES || process.env.RECORD_HISTORIES;
  const treeBefore = allowed ? undefined : treeChanges();
  const timingsDir = mkdtempSync(join(tmpdir(), 'test-timings-'));
  const concurrency = testConcurrency();
  const plan = testPlan(files, concurrency);
  const timingsFiles = plan.map((_, i) => join(timingsDir, `phase-${i}.ndjson`));
  try {
    // One webpack bundle for the whole run: every in-process worker and worker process loads it
    // (REVOCATION_WORKFLOW_BUNDLE) instead of bundling the same code again at each start.
    const bundleStarted = Date.now();
    const bundlePath = await writeWorkflowBundle(join(timingsDir, 'workflow-bundle.js'));
    process.stdout.write(`workflow bundle for the run in ${Date.now() - bundleStarted} ms\n`);
    const env = {
      ...process.env,
      TEMPORAL_TEST_ADDRESS: server.address,
      REVOCATION_WORKFLOW_BUNDLE: bundlePath,
    };
    let code = 0;
    for (const [i, phase] of plan.entries()) {
      const phaseStarted = Date.now();
      process.stdout.write(
        `${phase.files.length} test files, ${phase.concurrency} at a time${process.env.TEST_FULL ? ', exhaustive variants (TEST_FULL)' : ''}\n`,
      );
      code = (await runPhase(phase, timingsFiles[i] as string, env)) || code;
      process.stdout.write(
        `${phase.files.length} test files (${phase.concurrency} at a time) in ${Math.round((Date.now() - phaseStarted) / 1000)} s\n`,
      );
    }
    const treeAfter = treeBefore && treeChanges();
    const written = treeAfter ? [...treeAfter].filter((line) => !treeBefore.has(line)) : [];
    if (written.length > 0) {
      process.stdout.write(
        `the tests changed the work tree (write to a scratch directory instead):\n${written.map((l) => `  ${l}`).join('\n')}\n`,
      );
      code = code || 1;
    }
    process.stdout.write(slowestFiles(timingsFiles, 10));
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
function slowestFiles(paths: readonly string[], n: number): string {
  const lines = paths.flatMap((path) => {
    try {
      return readFileSync(path, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  });
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
