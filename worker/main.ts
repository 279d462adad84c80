import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE, providerKeys } from '../api';
import { loadCodecKeyring } from './codec-keys';
import { buildConnectionRegistry, loadConnectionsConfig } from './connections';
import { createRevocationWorker } from './create-worker';
import { temporalTarget } from './temporal-connection';

/**
 * The worker process. Configuration comes from the environment only (see README, Configuration);
 * SIGINT/SIGTERM drain in-flight tasks and exit.
 */
async function main(): Promise<void> {
  const env = process.env;
  const level = (env.REVOCATION_LOG_LEVEL || 'WARN').toUpperCase();
  if (!['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level)) {
    throw new Error(`REVOCATION_LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR; got "${level}"`);
  }
  Runtime.install({ logger: new DefaultLogger(level as LogLevel) });
  const keyring = loadCodecKeyring(env);
  const connections = buildConnectionRegistry(loadConnectionsConfig(env));
  const target = temporalTarget(env);
  const taskQueue = env.REVOCATION_TASK_QUEUE || DEFAULT_TASK_QUEUE;
  const connection = await NativeConnection.connect(target.connectionOptions);
  try {
    const worker = await createRevocationWorker({
      connection,
      namespace: target.namespace,
      taskQueue,
      connections,
      keyring,
    });
    const configured = providerKeys
      .map((p) => `${p}: ${connections.names(p).join(', ') || 'none'}`)
      .join('; ');
    process.stdout.write(
      `worker ready: task queue ${taskQueue}, namespace ${target.namespace}; connections ${configured}\n`,
    );
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
