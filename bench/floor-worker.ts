import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { AesGcmPayloadCodec } from '../common/payload-codec';
import { activityInterceptors, workflowInterceptorModules } from '../worker/create-worker';
import { buildConnectionRegistry, type ConnectionsConfig } from '../worker/connections';
import { attemptFailureReporter } from '../worker/attempt-failure-reporter';
import { floorActivities } from './floor-activities';
import type { BenchTemporal } from './temporal';

/**
 * What the floor worker installs: `full`, what `createRevocationWorker` installs; `before`, the floor
 * as it was before issue 18 (`attemptFailureReporter` only, no workflow interceptors); `activity`, the
 * full activity interceptors without the workflow module; `workflow`, the workflow module with
 * `attemptFailureReporter` only. The last two split what the interceptors cost.
 */
export const FLOOR_KINDS = ['full', 'before', 'activity', 'workflow'] as const;
export type FloorKind = (typeof FLOOR_KINDS)[number];

const bundles = new Map<boolean, Promise<WorkflowBundle>>();

/**
 * The floor workflows on their own, so nothing bench-only reaches the product's bundle, with the
 * product's workflow interceptor modules (workflows/metrics-interceptor.ts) as `bundleWorkflows` has;
 * `light`: without them.
 */
function floorBundle(light: boolean): Promise<WorkflowBundle> {
  let bundle = bundles.get(light);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath: require.resolve('./floor-workflows'),
      ...(light ? {} : { workflowInterceptorModules }),
      logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
    });
    bundles.set(light, bundle);
  }
  return bundle;
}

/**
 * A worker for the floor workflows with the options `createRevocationWorker` gives the product's
 * worker: the payload codec, the same activity interceptors (`activityInterceptors`, built from the
 * same connections), the workflow interceptor modules (in the bundle) and the payload limit, so the
 * two differ only in the work.
 * Other `kind`s leave some of them out (`FLOOR_KINDS`).
 */
export async function startFloorWorker(
  t: BenchTemporal,
  taskQueue: string,
  connections: ConnectionsConfig,
  kind: FloorKind = 'full',
): Promise<{ worker: Worker; stop(): Promise<void> }> {
  const native = await NativeConnection.connect({ address: t.address });
  const worker = await Worker.create({
    connection: native,
    namespace: t.namespace,
    taskQueue,
    activities: floorActivities,
    workflowBundle: await floorBundle(kind === 'before' || kind === 'activity'),
    dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(t.keyring)] },
    interceptors: {
      activity:
        kind === 'full' || kind === 'activity'
          ? activityInterceptors(buildConnectionRegistry(connections))
          : [attemptFailureReporter],
    },
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
