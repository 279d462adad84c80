import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { attemptFailureReporter } from '../worker/attempt-failure-reporter';
import { AesGcmPayloadCodec } from '../common/payload-codec';
import { floorActivities } from './floor-activities';
import type { BenchTemporal } from './temporal';

let bundle: Promise<WorkflowBundle> | undefined;

/** The floor workflows on their own, so nothing bench-only reaches the product's bundle. */
function floorBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('./floor-workflows'),
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  return bundle;
}

/**
 * A worker for the floor workflow with the options `createRevocationWorker` gives the product's
 * worker (payload codec, activity interceptor, payload limit), so the two differ only in the work.
 */
export async function startFloorWorker(
  t: BenchTemporal,
  taskQueue: string,
): Promise<{ worker: Worker; stop(): Promise<void> }> {
  const native = await NativeConnection.connect({ address: t.address });
  const worker = await Worker.create({
    connection: native,
    namespace: t.namespace,
    taskQueue,
    activities: floorActivities,
    workflowBundle: await floorBundle(),
    dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(t.keyring)] },
    interceptors: { activity: [attemptFailureReporter] },
    disablePayloadErrorLimit: true,
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
}
