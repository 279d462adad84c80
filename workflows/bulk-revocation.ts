import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  CancelledFailure,
  condition,
  continueAsNew,
  defineSignal,
  defineUpdate,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, BulkPageResult } from '../activities';
import {
  BULK_PAGE_HEARTBEAT_TIMEOUT_MS,
  Code,
  InvalidArgumentError,
  parseBulkRevocationJob,
  SignalNames,
  UpdateNames,
  type BulkRevocationJob,
  type BulkRevocationJobInput,
  type Status,
} from '../api';
import {
  BulkJobState,
  firstCarry,
  invalidBulkOperation,
  type BulkCarry,
  type BulkOperation,
  type ThrottleChange,
} from './bulk-job-state';
import { answerConfirmRequest } from './confirm-request';
import { drainPending, handsOverOperations, pollPendingIfDue } from './bulk-pending';
import { endJobEvidence, recordsEvidence } from './bulk-evidence';
import { statusOf } from './failures';
import { getOperationQuery, OperationState, operationFailure } from './operation-state';
import { setSearchAttributes } from './search-attributes';

export type { BulkCarry, BulkOperation } from './bulk-job-state';

export const pauseSignal = defineSignal(SignalNames.pause);
export const resumeSignal = defineSignal(SignalNames.resume);
/** Change rate or concurrency while running; applies from the next page. */
export const setThrottleUpdate = defineUpdate<
  { ratePerSecond?: number; concurrency?: number },
  [ThrottleChange]
>(UpdateNames.setThrottle);

const { bulkProcessPage } = proxyActivities<Activities>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: BULK_PAGE_HEARTBEAT_TIMEOUT_MS,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
  // Pages go through the task queue to any worker: eager dispatch would hand each page to the worker
  // that ran the (sticky) workflow task, so one worker could run every page of a job.
  allowEagerDispatch: false,
});

/** Patch: a cancelled job ends as a cancelled execution, like revokeTokens and revokeSubject. */
export const CANCELLED_EXECUTION_PATCH = 'bulk-cancel-ends-cancelled';

/** How the pages of a run ended: the source ran out, the job was cancelled, or the source failed for good. */
type PagesEnd = { cancelled: boolean; aborted?: Status };

/** The job, or the failure that ends an invalid one (its Operation is served as well). */
function parseJob(raw: BulkRevocationJobInput): BulkRevocationJob {
  try {
    return parseBulkRevocationJob(raw);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    const operation = invalidBulkOperation(workflowInfo().workflowId, err);
    const state = new OperationState(operation);
    setHandler(getOperationQuery, () => state.snapshot());
    throw operationFailure(operation);
  }
}

function validateThrottle(change: ThrottleChange): void {
  const r = change.ratePerSecond;
  if (r !== undefined && r !== null && !(typeof r === 'number' && r > 0 && r <= 10_000)) {
    throw new Error('ratePerSecond: must be a number above 0 and at most 10000, or null to remove the limit');
  }
  const c = change.concurrency;
  if (c !== undefined && !(Number.isInteger(c) && c >= 1 && c <= 100)) {
    throw new Error('concurrency: must be an integer from 1 to 100');
  }
}

function handleMessages(state: BulkJobState): void {
  setHandler(getOperationQuery, () => state.snapshot());
  setHandler(pauseSignal, () => state.pause());
  setHandler(resumeSignal, () => state.resume());
  setHandler(setThrottleUpdate, (change) => state.throttle(change), { validator: validateThrottle });
}

/** False when the job was cancelled while paused. */
async function waitWhilePaused(state: BulkJobState): Promise<boolean> {
  try {
    await condition(() => !state.carry.paused);
    return true;
  } catch (err) {
    if (!isCancellation(err)) throw err;
    return false;
  }
}

/**
 * One page as one activity. It finishes even when the job is cancelled, so its targets are counted;
 * a source that failed for good (a listing refused, a file missing) comes back as the status to stop with.
 */
async function processPage(state: BulkJobState): Promise<{ page: BulkPageResult } | { aborted: Status }> {
  try {
    const page = await CancellationScope.nonCancellable(() =>
      bulkProcessPage.executeWithOptions({ summary: `page ${state.carry.pages + 1}` }, [state.nextPage()]),
    );
    return { page };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return { aborted: statusOf(err) };
  }
}

/** Pages until the source runs out, the job is cancelled or the source fails; continues as new when suggested. */
async function runPages(
  raw: BulkRevocationJobInput,
  state: BulkJobState,
  exhausted: boolean,
): Promise<PagesEnd> {
  const root = CancellationScope.current();
  while (!exhausted) {
    if (!(await waitWhilePaused(state)) || root.consideredCancelled) return { cancelled: true };
    const result = await processPage(state);
    if ('aborted' in result) return { cancelled: false, aborted: result.aborted };
    exhausted = state.pageDone(result.page);
    if (state.handsOverOperations) await pollPendingIfDue(state);
    if (root.consideredCancelled) return { cancelled: true };
    if (!exhausted && workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof bulkRevocation>(raw, state.carry);
    }
  }
  // Targets handed over by the pages end on durable timers, after the last page.
  const drained = state.handsOverOperations ? await drainPending(state) : 'done';
  if (drained === 'cancelled') return { cancelled: true };
  if (drained === 'continue') {
    await condition(allHandlersFinished);
    await continueAsNew<typeof bulkRevocation>(raw, state.carry);
  }
  return { cancelled: false };
}

/** Ends the job with its report: in the response, or in the error of a failed source or a cancel. */
function finish(state: BulkJobState, end: PagesEnd): BulkOperation {
  const report = state.report(end.cancelled);
  const reportDetail = report as unknown as Status['details'][number];
  if (end.aborted) {
    const { aborted } = end;
    const operation = state.ended({ ...aborted, details: [...aborted.details, reportDetail] });
    setSearchAttributes({ outcome: 'FAILED' });
    throw operationFailure(operation);
  }
  if (end.cancelled) {
    const operation = state.ended({
      code: Code.CANCELLED,
      message: `cancelled after ${state.carry.counts.processed} targets`,
      details: [reportDetail],
    });
    setSearchAttributes({ outcome: 'CANCELLED' });
    // One rule for every workflow (docs/contract.md): a cancelled execution, its Operation (with the
    // report) served by getOperation. Runs before the patch ended as a failed execution instead.
    if (patched(CANCELLED_EXECUTION_PATCH)) throw new CancelledFailure(operation.error.message);
    throw operationFailure(operation);
  }
  const operation = state.completed(report);
  setSearchAttributes({ outcome: state.carry.counts.failed > 0 ? 'FAILED' : 'SUCCEEDED' });
  return operation;
}

/**
 * A bulk revocation job as one Operation: pages through its source by cursor, one activity per
 * page, and continues as new when the server suggests, carrying cursor and totals, so a job of any
 * size keeps a bounded history. Pause/resume by signal, rate and concurrency by update; cancel
 * finishes the page in flight and reports what was done.
 */
export async function bulkRevocation(
  raw: BulkRevocationJobInput,
  carried?: BulkCarry,
): Promise<BulkOperation> {
  const info = workflowInfo();
  const job = parseJob(raw);
  const carry = carried ?? firstCarry(job, info.startTime);
  carry.runs++;
  const state = new BulkJobState(job, carry, info.workflowId);
  state.handsOverOperations = handsOverOperations();
  state.recordsEvidence = recordsEvidence();
  handleMessages(state);
  answerConfirmRequest('bulkRevocation', raw, parseBulkRevocationJob, () => state.snapshot());
  setSearchAttributes({ jobName: job.name, outcome: 'RUNNING', createdBy: job.createdBy || undefined });
  // Show the request at once; the page in flight still finishes before the job stops.
  CancellationScope.current().cancelRequested.catch(() => state.cancelRequested());

  const exhausted = carried !== undefined && carried.cursor === undefined && carried.pages > 0;
  const end = await runPages(raw, state, exhausted);
  // Runs before the patch end synchronously, as they did (an await here would reorder their commands).
  if (state.recordsEvidence) await endJobEvidence(state, end);
  return finish(state, end);
}
