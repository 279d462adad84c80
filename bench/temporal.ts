import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  type Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { startDevServer, type DevServer } from '../scripts/dev-server';
import { findTemporalCli } from '../scripts/temporal-cli';
import { testDynamicConfig } from '../test/helpers/temporal';
import type { ConnectionRegistry } from '../activities';
import type { ConnectionsConfig } from '../worker/connections';
import { buildConnectionRegistry } from '../worker/connections';
import { bundleWorkflows, createRevocationWorker } from '../worker/create-worker';
import { AesGcmPayloadCodec, type CodecKeyring } from '../common/payload-codec';

/** The Temporal side of a bench run: one dev server, one client, one workflow bundle. */
export interface BenchTemporal {
  address: string;
  namespace: string;
  /** Where the CLI came from, for the results. */
  cli: string;
  client: Client;
  keyring: CodecKeyring;
  /** Bundled on first use (webpack takes seconds), then shared. */
  bundle(): Promise<WorkflowBundle>;
  /**
   * An in-process worker on `taskQueue` with these connections; stop it with `stop()`. `wrap` may
   * wrap the connection registry the activities use (bench/provider-timing.ts times provider calls).
   */
  startWorker(
    taskQueue: string,
    connections: ConnectionsConfig,
    wrap?: (registry: ConnectionRegistry) => ConnectionRegistry,
  ): Promise<{ worker: Worker; stop(): Promise<void> }>;
  /** The environment `worker/main.ts` needs to serve `taskQueue` of this server with this key. */
  workerEnv(taskQueue: string, connectionsFile: string): Record<string, string>;
  close(): Promise<void>;
}

let runtimeInstalled = false;
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // Warnings and errors only, on stderr: a benchmark prints figures, not worker chatter.
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      const error = entry.meta?.error;
      const why = error instanceof Error ? `: ${error.stack ?? error.message}` : '';
      process.stderr.write(`[worker ${entry.level}] ${entry.message}${why}\n`);
    }),
  });
}

/**
 * Starts a headless dev server the way the tests do (the pinned CLI from scripts/temporal-cli.ts and
 * the tests' dynamic config, so bulk jobs continue as new at the same thresholds), and a client
 * with a random payload key for this run.
 */
export async function startBenchTemporal(log: (line: string) => void): Promise<BenchTemporal> {
  installRuntime();
  const cli = findTemporalCli({ log });
  const server: DevServer = await startDevServer({
    cli,
    uiPort: false,
    dynamicConfig: testDynamicConfig,
    stdio: 'ignore',
  });
  process.once('exit', () => server.kill());
  log(`Temporal dev server at ${server.address}`);
  const keyId = 'bench';
  const keyring: CodecKeyring = { currentKeyId: keyId, keys: new Map([[keyId, randomBytes(32)]]) };
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({
    connection,
    namespace: server.namespace,
    dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(keyring)] },
  });
  let bundle: Promise<WorkflowBundle> | undefined;
  const t: BenchTemporal = {
    address: server.address,
    namespace: server.namespace,
    cli: cli.kind === 'path' ? `${cli.path} (${cli.source})` : 'sdk-download',
    client,
    keyring,
    bundle: () => (bundle ??= bundleWorkflows()),
    async startWorker(taskQueue, connections, wrap) {
      const registry = buildConnectionRegistry(connections);
      const native = await NativeConnection.connect({ address: server.address });
      const worker = await createRevocationWorker({
        connection: native,
        namespace: server.namespace,
        taskQueue,
        connections: wrap ? wrap(registry) : registry,
        keyring,
        workflowBundle: await t.bundle(),
      });
      const done = worker.run();
      return {
        worker,
        async stop() {
          worker.shutdown();
          await done;
          await native.close();
        },
      };
    },
    workerEnv(taskQueue, connectionsFile) {
      return {
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: server.namespace,
        REVOCATION_TASK_QUEUE: taskQueue,
        REVOCATION_CONNECTIONS_FILE: connectionsFile,
        REVOCATION_CODEC_KEY: (keyring.keys.get(keyId) as Buffer).toString('base64'),
        REVOCATION_CODEC_KEY_ID: keyId,
        REVOCATION_LOG_LEVEL: 'WARN',
      };
    },
    async close() {
      await connection.close();
      await server.stop();
    },
  };
  return t;
}
