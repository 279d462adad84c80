import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { startCluster, SERVICES, type Cluster } from './cluster-services';

const root = resolve(__dirname, '..');

function basePort(env: NodeJS.ProcessEnv): number {
  const raw = env.TEMPORAL_CLUSTER_BASE_PORT;
  if (!raw) return 7632;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1024 || port > 65500)
    throw new Error(`TEMPORAL_CLUSTER_BASE_PORT must be a TCP port (1024-65500), got "${raw}"`);
  return port;
}

/**
 * The `npm start` stack (scripts/start.ts: codec server, emulators, worker, banner) as a child
 * process against the cluster's frontend: start.ts starts no server when TEMPORAL_ADDRESS is set.
 */
function startStack(address: string, onReady: () => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'start.ts')], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: address },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    process.stdout.write(d);
    if (out.length < 100_000) out += d.toString();
    if (out.includes('Press Ctrl-C to stop.')) {
      out = '';
      onReady();
    }
  });
  return child;
}

/**
 * `npm run cluster`: Temporal Server v1.29.1 as four services on PostgreSQL 15 (data under
 * .data/cluster/, kept), then the `npm start` stack against it. Ctrl-C stops all of it.
 */
async function main(): Promise<void> {
  const dataDir = resolve(process.env.REVOCATION_DATA_DIR || join(root, '.data'));
  let clusterStarting: Promise<Cluster | undefined> = Promise.resolve(undefined);
  const running: { stack?: ChildProcess } = {};
  let stopping = false;
  const shutdown = async (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${reason}: stopping the stack, then the cluster's services and PostgreSQL...\n`);
    const stack = running.stack;
    if (stack && stack.exitCode === null && stack.signalCode === null) {
      const exited = new Promise((r) => stack.once('exit', r));
      stack.kill('SIGINT');
      await exited;
    }
    // A Ctrl-C during start-up waits for the cluster to be up (or failed), then stops it.
    await (await clusterStarting)?.stop();
    process.stdout.write('cluster stopped.\n');
    process.exit(code);
  };
  // A closed terminal or pipe (EPIPE) must not cut the shutdown short.
  process.stdout.on('error', () => undefined);
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const started = Date.now();
  clusterStarting = startCluster({ dir: join(dataDir, 'cluster'), basePort: basePort(process.env) }).catch(
    (err: unknown) => {
      if (!stopping) throw err;
      return undefined;
    },
  );
  const c = await clusterStarting;
  if (stopping || !c) return;
  process.stdout.write(`cluster started in ${Math.round((Date.now() - started) / 1000)} s\n`);
  const stack = startStack(c.address, () => {
    const pids = c.pids();
    process.stdout.write(
      [
        'Temporal cluster (Temporal Server v1.29.1, PostgreSQL 15, SQL visibility):',
        `  Frontend:        ${c.address} (namespace ${c.namespace})`,
        `  Services:        ${SERVICES.map((s) => `${s} pid ${pids[s]}`).join(', ')}`,
        `  PostgreSQL:      127.0.0.1:${c.postgres.port} (data ${c.postgres.dataDir})`,
        `  Logs:            ${c.logDir}`,
        '  Web UI:          none (the UI server is not built for the cluster; see docs/operations.md)',
        '',
      ].join('\n'),
    );
  });
  running.stack = stack;
  stack.once('exit', (code) => void shutdown(`the stack exited with code ${code}`, code ?? 1));
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run cluster failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
