import { NativeConnection } from '@temporalio/worker';
import { DEFAULT_TASK_QUEUE, providerKeys } from '../api';
import { loadCodecKeyring } from '../common/codec-keys';
import { buildConnectionRegistry, loadConnectionsConfig } from './connections';
import { createRevocationWorker, prebuiltWorkflowBundle } from './create-worker';
import { configuredSecrets, createWorkerLogging, type WorkerLogging } from './logging';
import { ledgerUrlSecrets, loadLedgerConfig, openWorkerLedger, redactLedgerUrl } from './ledger';
import { installTelemetry } from './telemetry';
import { temporalTarget } from '../common/temporal-connection';

let logging: WorkerLogging | undefined;

/**
 * The worker process. Configuration comes from the environment only (see README, Configuration);
 * every line it writes is JSON (docs/observability.md). SIGINT/SIGTERM drain in-flight tasks and exit.
 */
async function main(): Promise<void> {
  const env = process.env;
  const telemetry = installTelemetry(env);
  logging = telemetry.logging;
  const workflowBundle = prebuiltWorkflowBundle(env);
  const keyring = loadCodecKeyring(env);
  logging.addSecrets([...keyring.keys.values()].map((k) => k.toString('base64')));
  const config = loadConnectionsConfig(env);
  logging.addSecrets(configuredSecrets(config, env));
  if (env.TEMPORAL_API_KEY) logging.addSecrets([env.TEMPORAL_API_KEY]);
  const connections = buildConnectionRegistry(config);
  const ledgerConfig = loadLedgerConfig(env);
  if (ledgerConfig) logging.addSecrets(ledgerUrlSecrets(ledgerConfig.url));
  const ledger = ledgerConfig ? await openWorkerLedger(ledgerConfig) : undefined;
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
      ...(workflowBundle ? { workflowBundle } : {}),
      ...(ledger ? { evidence: ledger } : {}),
    });
    const evidence = ledgerConfig ? redactLedgerUrl(ledgerConfig.url) : 'off (LEDGER=off)';
    const configured = Object.fromEntries(providerKeys.map((p) => [p, connections.names(p)]));
    const summary = providerKeys.map((p) => `${p}: ${connections.names(p).join(', ') || 'none'}`).join('; ');
    logging.banner(
      `worker ready: task queue ${taskQueue}, namespace ${target.namespace}; connections ${summary}; workflows ${workflowBundle && 'codePath' in workflowBundle ? `from ${workflowBundle.codePath}` : 'bundled at start'}; evidence ledger ${evidence}`,
      {
        taskQueue,
        namespace: target.namespace,
        connections: configured,
        evidenceLedger: evidence,
        ...(telemetry.metricsUrl ? { metricsUrl: telemetry.metricsUrl } : {}),
      },
    );
    await worker.run();
    logging.logger.info('worker stopped');
  } finally {
    await connection.close();
    await ledger?.close();
  }
}

main().catch((err: unknown) => {
  // A configuration error may come before logging exists; the line is JSON either way.
  const log = logging ?? createWorkerLogging({ level: 'INFO' });
  log.logger.error(`worker failed: ${err instanceof Error ? err.message : String(err)}`, { error: err });
  log.flush();
  process.exit(1);
});
