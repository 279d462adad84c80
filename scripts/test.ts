import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
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
 * `npm test`: provisions the Temporal CLI if needed, starts one dev server for the whole run, and
 * runs every test file against it (one file at a time: two cores, and some tests kill processes).
 * Arguments narrow the run to the given files.
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
  try {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-force-exit',
        '--test-concurrency=1',
        '--test-reporter=spec',
        ...files,
      ],
      { stdio: 'inherit', env: { ...process.env, TEMPORAL_TEST_ADDRESS: server.address } },
    );
    const code = await new Promise<number>((resolve) =>
      child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))),
    );
    process.stdout.write(
      `tests finished in ${Math.round((Date.now() - started) / 1000)} s with exit code ${code}\n`,
    );
    return code;
  } finally {
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
