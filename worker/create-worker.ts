import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type ActivityInterceptorsFactory,
  type WorkflowBundle,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { createActivities, type ConnectionRegistry } from '../activities';
import { DEFAULT_TASK_QUEUE, type EvidenceSink } from '../api';
import { attemptFailureReporter } from './attempt-failure-reporter';
import { providerCallTelemetry } from './telemetry-interceptor';
import { ConfigError } from '../common/config-error';
import { AesGcmPayloadCodec, type CodecKeyring } from '../common/payload-codec';

export const workflowsPath = require.resolve('../workflows');
/** Operation metrics and log fields for every workflow (workflows/metrics-interceptor.ts). */
export const workflowInterceptorModules = [require.resolve('../workflows/metrics-interceptor')];

/**
 * The activity interceptors of every revocation worker: attempt-failure signals and provider call
 * telemetry. Exported so the benchmark's floor worker (bench/floor-worker.ts) carries the same ones.
 */
export function activityInterceptors(connections: ConnectionRegistry): ActivityInterceptorsFactory[] {
  return [attemptFailureReporter, providerCallTelemetry(connections)];
}

/** Bundle once and reuse: webpack takes seconds. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules,
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
}

/**
 * The prebuilt bundle REVOCATION_WORKFLOW_BUNDLE names (written by `npm run bundle`), or undefined
 * when it is unset and the worker bundles the workflows itself at start. A name that is not a file
 * is a ConfigError: a worker must not silently run other workflow code than the one it was given.
 */
export function prebuiltWorkflowBundle(env: NodeJS.ProcessEnv): WorkflowBundleOption | undefined {
  const path = env.REVOCATION_WORKFLOW_BUNDLE;
  if (!path) return undefined;
  const codePath = resolve(path);
  if (!existsSync(codePath))
    throw new ConfigError(
      'REVOCATION_WORKFLOW_BUNDLE',
      `no bundle at ${codePath} (npm run bundle writes one)`,
    );
  return { codePath };
}

export interface RevocationWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** @default 'token-revocation' */
  taskQueue?: string;
  connections: ConnectionRegistry;
  keyring: CodecKeyring;
  /** A prebuilt bundle (tests share one); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkflowBundleOption;
  identity?: string;
  /** Where activities write evidence records (worker/ledger.ts); none: nothing is recorded. */
  evidence?: EvidenceSink;
}

export async function createRevocationWorker(o: RevocationWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue ?? DEFAULT_TASK_QUEUE,
    activities: createActivities({
      connections: o.connections,
      ...(o.evidence ? { evidence: o.evidence } : {}),
    }),
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath }),
    dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(o.keyring)] },
    interceptors: {
      activity: activityInterceptors(o.connections),
      // A prebuilt bundle already holds them (bundleWorkflows).
      ...(o.workflowBundle ? {} : { workflowModules: workflowInterceptorModules }),
    },
    ...(o.identity ? { identity: o.identity } : {}),
    // Encrypted payloads are larger than the SDK's own size estimate of them.
    disablePayloadErrorLimit: true,
  });
}
