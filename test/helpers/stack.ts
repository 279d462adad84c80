import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  type Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import {
  startYandexEmulator,
  type YandexEmulator,
  type YandexEmulatorOptions,
} from '../../emulators/yandex-cloud';
import { RevocationClient } from '../../client/revocation-client';
import { buildConnectionRegistry, type ConnectionsConfig } from '../../worker/connections';
import { bundleWorkflows, createRevocationWorker, prebuiltWorkflowBundle } from '../../worker/create-worker';
import { AesGcmPayloadCodec, type CodecKeyring } from '../../common/payload-codec';
import { openWorkerLedger } from '../../worker/ledger';
import type { EvidenceLedger } from '../../ledger';
import { testTemporal } from './temporal';

/**
 * Every log line the in-process workers wrote (INFO and up, with their metadata and errors), so
 * tests can check that no secret is ever logged. Only errors are printed.
 */
export const workerLogs: string[] = [];
Runtime.install({
  logger: new DefaultLogger('INFO', (entry) => {
    const line = JSON.stringify(entry, (_k, v: unknown) =>
      v instanceof Error
        ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause }
        : typeof v === 'bigint'
          ? v.toString()
          : v,
    );
    workerLogs.push(line);
    if (entry.level === 'ERROR') process.stderr.write(`${line}\n`);
  }),
});

let bundle: Promise<WorkflowBundleOption> | undefined;
/**
 * The bundle `npm test` built once for the run (REVOCATION_WORKFLOW_BUNDLE), or one bundled once per
 * test file when a file runs alone: webpack takes seconds.
 */
export const sharedBundle = (): Promise<WorkflowBundleOption> =>
  (bundle ??= Promise.resolve(prebuiltWorkflowBundle(process.env) ?? bundleWorkflows()));

/**
 * A fixed, test-only key: the committed histories under test/histories are encrypted with it and
 * the replay test decodes them with it. It protects nothing but test tokens.
 */
export function testKeyring(): CodecKeyring {
  return {
    currentKeyId: 'test',
    keys: new Map([['test', createHash('sha256').update('token-revocation test key').digest()]]),
  };
}

/** Writes a connections config pointing `yandex-cloud/default` at the emulator; returns its path. */
export function emulatorConnectionsFile(
  emu: YandexEmulator,
  extra: ConnectionsConfig = {},
): { path: string; config: ConnectionsConfig } {
  const dir = mkdtempSync(join(tmpdir(), 'revocation-test-'));
  const rootCertFile = join(dir, 'yandex-ca.pem');
  writeFileSync(rootCertFile, emu.rootCert);
  const config: ConnectionsConfig = {
    ...extra,
    'yandex-cloud': {
      ...extra['yandex-cloud'],
      default: { endpoint: emu.endpoint, iamToken: emu.iamToken, rootCertFile },
    },
  };
  const path = join(dir, 'connections.json');
  writeFileSync(path, JSON.stringify(config));
  return { path, config };
}

export interface TestStack {
  emulator: YandexEmulator;
  client: RevocationClient;
  temporal: Client;
  taskQueue: string;
  keyring: CodecKeyring;
  address: string;
  connectionsFile: string;
  /** The in-process worker's evidence ledger, when the stack was given `ledger` (open while a worker runs). */
  ledger(): EvidenceLedger | undefined;
  /** Runs a worker for this stack until `stopWorker` or `close`. */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** An emulator, a fresh task queue, a client, and (on demand) an in-process worker. */
export async function createTestStack(
  emulatorOptions: YandexEmulatorOptions = {},
  extra: {
    connections?: ConnectionsConfig;
    /**
     * Gives the in-process worker an evidence ledger at this url (`sqlite:<path>`, `postgres://…`),
     * signed with the key at `signingKeyFile`; without it the worker records no evidence.
     */
    ledger?: { url: string; signingKeyFile: string };
  } = {},
): Promise<TestStack> {
  const { address, namespace } = await testTemporal();
  const emulator = await startYandexEmulator(emulatorOptions);
  const keyring = testKeyring();
  const taskQueue = `test-${randomUUID()}`;
  const { path: connectionsFile, config } = emulatorConnectionsFile(emulator, extra.connections);
  const connection = await Connection.connect({ address });
  const temporal = new Client({
    connection,
    namespace,
    dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(keyring)] },
  });
  const client = new RevocationClient(temporal, { taskQueue });
  let running:
    { worker: Worker; done: Promise<void>; native: NativeConnection; ledger?: EvidenceLedger } | undefined;

  const stack: TestStack = {
    emulator,
    client,
    temporal,
    taskQueue,
    keyring,
    address,
    connectionsFile,
    ledger: () => running?.ledger,
    async startWorker() {
      if (running) return;
      const native = await NativeConnection.connect({ address });
      const ledger = extra.ledger ? await openWorkerLedger(extra.ledger) : undefined;
      const worker = await createRevocationWorker({
        connection: native,
        namespace,
        taskQueue,
        connections: buildConnectionRegistry(config),
        keyring,
        workflowBundle: await sharedBundle(),
        ...(ledger ? { evidence: ledger } : {}),
      });
      running = { worker, native, done: worker.run(), ...(ledger ? { ledger } : {}) };
    },
    async stopWorker() {
      if (!running) return;
      const r = running;
      running = undefined;
      r.worker.shutdown();
      await r.done;
      await r.native.close();
      await r.ledger?.close();
    },
    async close() {
      await stack.stopWorker();
      await connection.close();
      await emulator.close();
    },
  };
  return stack;
}
