import { setTimeout as sleep } from 'node:timers/promises';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import {
  BULK_ID_PREFIX,
  BulkTypeUrl,
  defaultJobDescription,
  describeBulkSource,
  InvalidArgumentError,
  parseBulkRevocationJob,
  SearchAttributes,
  SignalNames,
  UpdateNames,
  WorkflowTypes,
  zeroCounts,
  type BulkRevocationJob,
  type BulkRevocationJobInput,
  type BulkRevocationMetadata,
  type BulkRevocationReport,
  type FieldViolation,
  type Operation,
} from '../api';
import { OperationNotFoundError } from './errors';
import { bulkJobDetails, bulkJobSummary } from '../api/operation-summary';
import {
  checkRequestId,
  fingerprintOf,
  idempotentStartPolicies,
  operationId,
  REQUEST_FINGERPRINT_MEMO,
  startOnce,
  withCreatedBy,
} from './idempotent-start';
import type { RevocationClient } from './revocation-client';

/** A `bulkRevocation` job as an Operation: counts in `metadata`, the report in `response` once done. */
export type BulkJobOperation = Operation<BulkRevocationMetadata, BulkRevocationReport>;

export interface StartBulkJobOptions {
  /**
   * Idempotency key (AIP-155): a repeated call with the same key and job returns the same job; the
   * same key with a different job is refused (RequestIdConflictError).
   */
  requestId?: string;
}

/** A change of a running job's throttle; applies from the next page. */
export interface BulkThrottle {
  /** Provider calls per second for the whole job; `null` removes the limit. */
  ratePerSecond?: number | null;
  /** Provider calls in flight at once within a page. */
  concurrency?: number;
}

export interface WatchBulkJobOptions {
  /** How often to read the job's progress. @default 1000 */
  intervalMs?: number;
  /** How long to watch before OperationWaitTimeoutError (the job keeps running). @default 600000 */
  timeout?: number;
}

/**
 * What `client.get` can fall back on when no worker answers: the memo. It holds the fields
 * `RevocationClient.get` reads for any operation, plus the job's own, and never a secret.
 */
interface BulkJobMemo {
  description: string;
  createdBy: string;
  provider: string;
  connection: string;
  target: string;
  name: string;
  source: string;
  dryRun: boolean;
  concurrency: number;
  ratePerSecond?: number;
  scheduleId?: string;
}

/** A signal reaches a running job within one workflow task; this bounds how long `pause`/`resume` look for it. */
const SIGNAL_SETTLE_MS = 5_000;
/** An update waits for a worker to accept it; with none polling it would wait indefinitely. */
const UPDATE_DEADLINE_MS = 30_000;

/** The job's id: from the request id when given (never from the job), else random. */
export function bulkJobId(requestId?: string): string {
  return operationId(BULK_ID_PREFIX, requestId);
}

/** True for the Operation of a `bulkRevocation` job (by its metadata type). */
export function isBulkJobOperation(op: Operation): op is BulkJobOperation {
  return op.metadata['@type'] === BulkTypeUrl.metadata;
}

/** The final report of a done job: its response, or the report a cancelled job keeps in its error. */
export function bulkReportOf(op: BulkJobOperation): BulkRevocationReport | undefined {
  if (op.response) return op.response;
  const detail = op.error?.details[0];
  return detail?.['@type'] === BulkTypeUrl.response ? (detail as unknown as BulkRevocationReport) : undefined;
}

/** What the source is, in words and without secrets (the Web UI and `status` show it). */
function memoOf(job: BulkRevocationJob): BulkJobMemo {
  const s = job.source;
  const listing =
    s.kind === 'yandex-list'
      ? { provider: 'yandex-cloud', connection: s.connection }
      : s.kind === 'authlete-list'
        ? { provider: 'authlete', connection: s.connection }
        : { provider: 'bulk', connection: '-' };
  return {
    description: job.description || defaultJobDescription(job),
    createdBy: job.createdBy ?? 'unknown',
    ...listing,
    target: describeBulkSource(job),
    name: job.name,
    source: describeBulkSource(job),
    dryRun: job.dryRun,
    concurrency: job.concurrency,
    ...(job.ratePerSecond !== undefined ? { ratePerSecond: job.ratePerSecond } : {}),
    ...(job.scheduleId !== undefined ? { scheduleId: job.scheduleId } : {}),
  };
}

/** A job's Operation as the server knows it without a worker (or before the first workflow task). */
function operationFromMemo(
  id: string,
  memo: Partial<BulkJobMemo>,
  at: { createdAt: Date; modifiedAt: Date },
): BulkJobOperation {
  return {
    id,
    description: memo.description ?? '',
    createdAt: at.createdAt.toISOString(),
    createdBy: memo.createdBy ?? 'unknown',
    modifiedAt: at.modifiedAt.toISOString(),
    done: false,
    metadata: {
      '@type': BulkTypeUrl.metadata,
      name: memo.name ?? 'unknown',
      source: memo.source ?? memo.target ?? 'unknown',
      phase: 'RUNNING',
      dryRun: memo.dryRun ?? false,
      ...zeroCounts(),
      pages: 0,
      ...(memo.ratePerSecond !== undefined ? { ratePerSecond: memo.ratePerSecond } : {}),
      concurrency: memo.concurrency ?? 0,
      runs: 1,
      ...(memo.scheduleId !== undefined ? { scheduleId: memo.scheduleId } : {}),
    },
  };
}

/**
 * Starts a `bulkRevocation` job and returns its Operation, not done yet. `client.get`, `client.wait`
 * and `client.cancel` take its id, as do the functions below.
 * Thrown when the job or request id is invalid: InvalidArgumentError naming each bad field (`job.source.path`,
 * `requestId`); when `requestId` was used for a different job: RequestIdConflictError. Nothing
 * starts. `job.createdBy` defaults to the client's.
 */
export async function startBulkJob(
  client: RevocationClient,
  raw: BulkRevocationJobInput,
  options: StartBulkJobOptions = {},
): Promise<BulkJobOperation> {
  checkRequestId(options.requestId);
  const job = parseBulkRevocationJob(withCreatedBy(raw, client.createdBy));
  const id = bulkJobId(options.requestId);
  const memo = memoOf(job);
  const attributes: SearchAttributePair[] = [
    { key: SearchAttributes.jobName, value: job.name },
    { key: SearchAttributes.outcome, value: 'RUNNING' },
  ];
  if (job.createdBy) attributes.push({ key: SearchAttributes.createdBy, value: job.createdBy });
  const fingerprint = fingerprintOf('bulkRevocation', options.requestId, job);

  const summaryInput = { job, requestId: options.requestId, scheduleId: job.scheduleId };
  const existing = await startOnce({
    temporal: client.temporal,
    id,
    requestId: options.requestId,
    fingerprint,
    get: (x) => getBulkJob(client, x),
    start: () =>
      client.temporal.workflow.start(WorkflowTypes.bulkRevocation, {
        taskQueue: client.taskQueue,
        workflowId: id,
        // The parsed job: defaults filled in, so the workflow runs what was validated here.
        args: [job satisfies BulkRevocationJobInput],
        ...idempotentStartPolicies,
        memo: { ...memo, ...(fingerprint ? { [REQUEST_FINGERPRINT_MEMO]: fingerprint } : {}) },
        typedSearchAttributes: attributes,
        staticSummary: bulkJobSummary(summaryInput),
        staticDetails: bulkJobDetails(summaryInput),
      }),
  });
  if (existing) return existing;
  const now = new Date();
  return operationFromMemo(id, memo, { createdAt: now, modifiedAt: now });
}

/**
 * The job as it is now: running (from its `getOperation` query), paused, done or cancelled (with its
 * report); from the memo when no worker answers. Thrown when unknown: OperationNotFoundError; for
 * an operation that is not a job: InvalidArgumentError (`id`).
 */
export async function getBulkJob(client: RevocationClient, id: string): Promise<BulkJobOperation> {
  const op = await client.get(id);
  if (isBulkJobOperation(op)) return op;
  // `client.get` synthesized a revokeTokens-shaped Operation (no worker answered, or a run ended
  // without its report): rebuild it as a job from the memo, keeping get's verdict.
  const d = await client.temporal.workflow.getHandle(id).describe();
  if (d.type !== WorkflowTypes.bulkRevocation) {
    throw new InvalidArgumentError([
      { field: 'id', description: `${id} is a ${d.type} operation, not a bulk job` },
    ]);
  }
  const synthesized = operationFromMemo(id, (d.memo ?? {}) as Partial<BulkJobMemo>, {
    createdAt: d.startTime,
    modifiedAt: new Date(op.modifiedAt),
  });
  if (op.done) {
    synthesized.done = true;
    synthesized.metadata.phase = 'DONE';
    if (op.error) synthesized.error = op.error;
  }
  return synthesized;
}

/** Temporal answers "not found" for an unknown id and for a closed run; `get` tells the two apart. */
async function notRunning(client: RevocationClient, id: string): Promise<BulkJobDoneError> {
  return new BulkJobDoneError(await getBulkJob(client, id));
}

/** Thrown by pause, resume and throttle when the job is already done; it carries the final Operation. */
export class BulkJobDoneError extends Error {
  override readonly name = 'BulkJobDoneError';
  /** google.rpc FAILED_PRECONDITION */
  readonly code = 9;
  constructor(readonly operation: BulkJobOperation) {
    super(`job ${operation.id} is already done`);
  }
}

async function signalJob(
  client: RevocationClient,
  id: string,
  signal: string,
  settled: (op: BulkJobOperation) => boolean,
): Promise<BulkJobOperation> {
  const handle = client.temporal.workflow.getHandle(id);
  try {
    await handle.signal(signal);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw await notRunning(client, id);
    throw err;
  }
  // The signal is in history now; show the job once the workflow has applied it (a worker runs
  // it within a workflow task), or as it is after a short while when no worker is polling.
  const deadline = Date.now() + SIGNAL_SETTLE_MS;
  for (;;) {
    const op = await getBulkJob(client, id);
    if (op.done || settled(op) || Date.now() >= deadline) return op;
    await sleep(100);
  }
}

/**
 * Pauses the job: the page in flight finishes, no new page starts until `resumeBulkJob`.
 * Thrown: OperationNotFoundError (unknown id), BulkJobDoneError (already done).
 */
export function pauseBulkJob(client: RevocationClient, id: string): Promise<BulkJobOperation> {
  return signalJob(client, id, SignalNames.pause, (op) => op.metadata.phase !== 'RUNNING');
}

/**
 * Resumes a paused job from its cursor. Thrown: OperationNotFoundError, BulkJobDoneError.
 */
export function resumeBulkJob(client: RevocationClient, id: string): Promise<BulkJobOperation> {
  return signalJob(client, id, SignalNames.resume, (op) => op.metadata.phase !== 'PAUSED');
}

/** The workflow's validator says `field: what is wrong`; keep the field for the caller. */
function violationFromValidator(message: string): FieldViolation {
  const m = /^(ratePerSecond|concurrency): (.*)$/s.exec(message);
  return m ? { field: m[1] ?? '', description: m[2] ?? '' } : { field: 'throttle', description: message };
}

/**
 * Changes the job's rate and/or concurrency; applies from the next page. The running workflow's
 * validator decides what is allowed, so the rule lives in one place.
 * Thrown: InvalidArgumentError naming `ratePerSecond` or `concurrency` (nothing changed),
 * OperationNotFoundError, BulkJobDoneError; an Error when no worker accepts the change within
 * `timeoutMs` (@default 30000).
 */
export async function setBulkThrottle(
  client: RevocationClient,
  id: string,
  change: BulkThrottle,
  options: { timeoutMs?: number } = {},
): Promise<BulkJobOperation> {
  const violations: FieldViolation[] = [];
  const { ratePerSecond: rate, concurrency } = change;
  if (rate === undefined && concurrency === undefined) {
    violations.push({ field: 'throttle', description: 'give ratePerSecond, concurrency or both' });
  }
  if (rate !== undefined && rate !== null && (typeof rate !== 'number' || !Number.isFinite(rate))) {
    violations.push({ field: 'ratePerSecond', description: 'must be a number, or null to remove the limit' });
  }
  if (concurrency !== undefined && (typeof concurrency !== 'number' || !Number.isInteger(concurrency))) {
    violations.push({ field: 'concurrency', description: 'must be an integer' });
  }
  if (violations.length > 0) throw new InvalidArgumentError(violations);

  const timeoutMs = options.timeoutMs ?? UPDATE_DEADLINE_MS;
  const handle: WorkflowHandle = client.temporal.workflow.getHandle(id);
  const args = {
    ...(rate !== undefined ? { ratePerSecond: rate } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
  };
  try {
    await client.temporal.connection.withDeadline(Date.now() + timeoutMs, () =>
      handle.executeUpdate(UpdateNames.setThrottle, { args: [args] }),
    );
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const reason = err.cause instanceof Error ? err.cause.message : err.message;
      throw new InvalidArgumentError([violationFromValidator(reason)]);
    }
    if (err instanceof WorkflowNotFoundError) throw await notRunning(client, id);
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
      throw new Error(
        `no worker accepted the throttle change of ${id} within ${timeoutMs / 1000}s (is a worker polling ` +
          `task queue ${client.taskQueue}?); it may still apply when a worker picks the job up`,
        { cause: err },
      );
    }
    throw err;
  }
  return getBulkJob(client, id);
}

/**
 * Requests cancellation: the page in flight finishes, then the job ends CANCELLED with the report
 * of what was done in its error details. Returns the job as it is right after the request.
 * Thrown: OperationNotFoundError.
 */
export async function cancelBulkJob(client: RevocationClient, id: string): Promise<BulkJobOperation> {
  try {
    await client.cancel(id);
  } catch (err) {
    // Temporal may answer "not found" for a closed run; `get` tells the two apart.
    if (!(err instanceof OperationNotFoundError)) throw err;
  }
  return getBulkJob(client, id);
}

/**
 * Reads the job every `intervalMs` and hands each reading to `onProgress` (also the final one),
 * until the job is done; resolves with the final Operation. Completion is noticed at once (the
 * workflow's result is awaited alongside), not at the next reading.
 * Thrown: OperationWaitTimeoutError when not done within `timeout` (the job keeps running),
 * OperationNotFoundError.
 */
export async function watchBulkJob(
  client: RevocationClient,
  id: string,
  onProgress: (op: BulkJobOperation) => void,
  options: WatchBulkJobOptions = {},
): Promise<BulkJobOperation> {
  const intervalMs = options.intervalMs ?? 1_000;
  const timeout = options.timeout ?? 600_000;
  const stop = new AbortController();
  const poll = (async () => {
    while (!stop.signal.aborted) {
      await getBulkJob(client, id).then(
        (op) => {
          if (!stop.signal.aborted && !op.done) onProgress(op);
        },
        // A failed reading is not the end of the watch; the wait below decides that.
        () => undefined,
      );
      await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  })();
  let done;
  try {
    done = await client.wait(id, { timeout });
  } finally {
    stop.abort();
    await poll;
  }
  const final = isBulkJobOperation(done) ? done : await getBulkJob(client, id);
  onProgress(final);
  return final;
}

/** Whether a done job counts as a success: no error, and no failed target. */
export function bulkJobSucceeded(op: BulkJobOperation): boolean {
  return op.done && !op.error && (bulkReportOf(op)?.failed ?? op.metadata.failed) === 0;
}
