import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { writeWorkflowBundle } from '../../scripts/bundle-workflows';
import { startCluster } from '../../scripts/cluster-services';

/**
 * `npm run test:cluster`: a fresh local cluster (Temporal Server v1.29.1, four services, PostgreSQL
 * 15, in a temporary directory, ports from TEST_CLUSTER_BASE_PORT, default 7652 so that a running
 * `npm run cluster` on 7632 is left alone), then node:test on test/cluster/*.cluster-test.ts, or on
 * the files given as arguments: any test file of `npm test` runs against the cluster the same
 * way, through TEMPORAL_TEST_ADDRESS alone. The files are named *.cluster-test.ts so that
 * `npm test`'s discovery (*.test.ts) never picks them up.
 */
async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'test-cluster-'));
  chmodSync(dir, 0o755); // PostgreSQL's unprivileged user must reach dir/postgres (private itself)
  const started = Date.now();
  const cluster = await startCluster({
    dir,
    basePort: Number(process.env.TEST_CLUSTER_BASE_PORT || 7652),
    log: (line) => process.stdout.write(`${line}\n`),
  }).catch((err: unknown) => {
    process.stderr.write(`the cluster did not start; its logs are in ${join(dir, 'logs')}\n`);
    throw err;
  });
  process.stdout.write(`cluster for tests at ${cluster.address} in ${Date.now() - started} ms\n`);
  try {
    const bundle = await writeWorkflowBundle(join(dir, 'workflow-bundle.js'));
    const files =
      process.argv.length > 2
        ? process.argv.slice(2).map((f) => normalize(f))
        : readdirSync(__dirname)
            .filter((f) => f.endsWith('.cluster-test.ts'))
            .sort()
            .map((f) => join('test', 'cluster', f));
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
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          TEMPORAL_TEST_ADDRESS: cluster.address,
          REVOCATION_WORKFLOW_BUNDLE: bundle,
          TEST_CLUSTER_PIDS: JSON.stringify(cluster.pids()),
          TEST_CLUSTER_PG_PORT: String(cluster.postgres.port),
        },
      },
    );
    return await new Promise<number>((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
