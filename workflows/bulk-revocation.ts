import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineSignal,
  defineUpdate,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { Activities, BulkPageResult } from '../activities';
import {
  addCounts,
  BulkTypeUrl,
  Code,
  codeName,
  defaultJobDescription,
  describeBulkSource,
  InvalidArgumentError,
  parseBulkRevocationJob,
  SearchAttributes,
  SignalNames,
  TypeUrl,
  UpdateNames,
  zeroCounts,
  type BulkCounts,
  type BulkFailure,
  type BulkRevocationJob,
  type BulkRevocationJobInput,
  type BulkRevocationMetadata,
  type BulkRevocationReport,
  type Operation,
  type Status,
} from '../api';
import { bulkCurrentDetails } from './current-details';
import { statusOf } from './failures';
import { getOperationQuery } from './operation-state';

export type BulkOperation = Operation<BulkRevocationMetadata, BulkRevocationReport>;

export const pauseSignal = defineSignal(SignalNames.pause);
export const resumeSignal = defineSignal(SignalNames.resume);
/** Change rate or concurrency while running; applies from the next page. */
export const setThrottleUpdate = defineUpdate<
  { ratePerSecond?: number; concurrency?: number },
  [{ ratePerSecond?: number | null; concurrency?: number }]
>(UpdateNames.setThrottle);

/** What a run hands to the next one when it continues as new. */
export interface BulkCarry {
  cursor?: string;
  counts: BulkCounts;
  failures: BulkFailure[];
  wouldRevoke: string[];
  total?: number;
  pages: number;
  runs: number;
  startedAt: string;
  createdAt: string;
  paused: boolean;
  ratePerSecond?: number;
  concurrency: number;
}

const { bulkProcessPage } = proxyActivities<Activities>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

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
  let job: BulkRevocationJob;
  try {
    job = parseBulkRevocationJob(raw);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    const now = new Date().toISOString();
    const op: BulkOperation = {
      id: info.workflowId,
      description: 'Invalid bulk revocation job',
      createdAt: now,
      createdBy: 'unknown',
      modifiedAt: now,
      done: true,
      metadata: {
        '@type': BulkTypeUrl.metadata,
        name: 'invalid',
        source: 'invalid',
        phase: 'DONE',
        dryRun: false,
        pages: 0,
        concurrency: 0,
        runs: 1,
        ...zeroCounts(),
      },
      error: {
        code: Code.INVALID_ARGUMENT,
        message: err.message,
        details: [{ '@type': TypeUrl.badRequest, fieldViolations: err.violations }],
      },
    };
    setHandler(getOperationQuery, () => op as never);
    throw ApplicationFailure.create({
      type: 'INVALID_ARGUMENT',
      message: err.message,
      nonRetryable: true,
      details: [op],
    });
  }

  const carry: BulkCarry = carried ?? {
    counts: zeroCounts(),
    failures: [],
    wouldRevoke: [],
    pages: 0,
    runs: 0,
    startedAt: info.startTime.toISOString(),
    createdAt: info.startTime.toISOString(),
    paused: false,
    concurrency: job.concurrency,
    ...(job.ratePerSecond !== undefined ? { ratePerSecond: job.ratePerSecond } : {}),
  };
  carry.runs++;
  let currentRate: number | undefined;
  let phase: BulkRevocationMetadata['phase'] = carry.paused ? 'PAUSED' : 'RUNNING';
  let final: { error?: Status; report?: BulkRevocationReport } = {};
  let modifiedAt = new Date().toISOString();

  const operation = (): BulkOperation => ({
    id: info.workflowId,
    description: job.description || defaultJobDescription(job),
    createdAt: carry.createdAt,
    createdBy: job.createdBy ?? 'unknown',
    modifiedAt,
    done: phase === 'DONE',
    metadata: {
      '@type': BulkTypeUrl.metadata,
      name: job.name,
      source: describeBulkSource(job),
      phase,
      dryRun: job.dryRun,
      ...carry.counts,
      ...(carry.total !== undefined ? { total: carry.total } : {}),
      pages: carry.pages,
      ...(currentRate !== undefined ? { currentRate } : {}),
      ...(carry.ratePerSecond !== undefined ? { ratePerSecond: carry.ratePerSecond } : {}),
      concurrency: carry.concurrency,
      ...(carry.cursor !== undefined ? { cursor: carry.cursor } : {}),
      runs: carry.runs,
      ...(job.scheduleId ? { scheduleId: job.scheduleId } : {}),
    },
    ...(final.error ? { error: final.error } : {}),
    ...(final.report ? { response: final.report } : {}),
  });

  const touch = () => {
    modifiedAt = new Date().toISOString();
    setCurrentDetails(
      bulkCurrentDetails({
        ...carry,
        phase,
        name: job.name,
        dryRun: job.dryRun,
        pageSize: job.pageSize,
        currentRate,
        error: final.error,
      }),
    );
  };

  setHandler(getOperationQuery, () => operation() as never);
  setHandler(pauseSignal, () => {
    carry.paused = true;
    if (phase === 'RUNNING') phase = 'PAUSED';
    touch();
  });
  setHandler(resumeSignal, () => {
    carry.paused = false;
    if (phase === 'PAUSED') phase = 'RUNNING';
    touch();
  });
  setHandler(
    setThrottleUpdate,
    (change) => {
      if (change.ratePerSecond === null) delete carry.ratePerSecond;
      else if (change.ratePerSecond !== undefined) carry.ratePerSecond = change.ratePerSecond;
      if (change.concurrency !== undefined) carry.concurrency = change.concurrency;
      touch();
      return { ratePerSecond: carry.ratePerSecond, concurrency: carry.concurrency };
    },
    {
      validator: (change) => {
        const r = change.ratePerSecond;
        if (r !== undefined && r !== null && !(typeof r === 'number' && r > 0 && r <= 10_000)) {
          throw new Error(
            'ratePerSecond: must be a number above 0 and at most 10000, or null to remove the limit',
          );
        }
        const c = change.concurrency;
        if (c !== undefined && !(Number.isInteger(c) && c >= 1 && c <= 100)) {
          throw new Error('concurrency: must be an integer from 1 to 100');
        }
      },
    },
  );
  upsertSearchAttributes([
    { key: SearchAttributes.jobName, value: job.name },
    { key: SearchAttributes.outcome, value: 'RUNNING' },
    ...(job.createdBy ? [{ key: SearchAttributes.createdBy, value: job.createdBy }] : []),
  ]);
  touch();

  const root = CancellationScope.current();
  // Show the request at once; the page in flight still finishes before the job stops.
  root.cancelRequested.catch(() => {
    if (phase !== 'DONE') phase = 'CANCELLING';
    touch();
  });
  let cancelled = false;
  let aborted: Status | undefined;
  // The rate schedule runs on from page to page (within a run), so page boundaries cost no calls.
  let lastCallAt: number | undefined;
  let exhausted = carried !== undefined && carried.cursor === undefined && carried.pages > 0;
  while (!exhausted) {
    try {
      await condition(() => !carry.paused);
    } catch (err) {
      if (!isCancellation(err)) throw err;
      cancelled = true;
      break;
    }
    if (root.consideredCancelled) {
      cancelled = true;
      break;
    }
    // The page in flight finishes even when the job is cancelled, so its targets are counted.
    let page: BulkPageResult;
    try {
      page = await CancellationScope.nonCancellable(() =>
        bulkProcessPage.executeWithOptions({ summary: `page ${carry.pages + 1}` }, [
          {
            job,
            ...(carry.cursor !== undefined ? { cursor: carry.cursor } : {}),
            concurrency: carry.concurrency,
            ...(carry.ratePerSecond !== undefined ? { ratePerSecond: carry.ratePerSecond } : {}),
            failuresWanted: Math.max(0, job.maxReportedFailures - carry.failures.length),
            samplesWanted: job.dryRun ? Math.max(0, 100 - carry.wouldRevoke.length) : 0,
            ...(lastCallAt !== undefined ? { previousCallAt: lastCallAt } : {}),
          },
        ]),
      );
    } catch (err) {
      // The source itself failed for good (a listing refused, a file missing): stop with what was done.
      if (!(err instanceof ActivityFailure)) throw err;
      aborted = statusOf(err);
      break;
    }
    carry.counts = addCounts(carry.counts, page.counts);
    carry.failures.push(...page.failures);
    carry.wouldRevoke.push(...page.wouldRevoke);
    if (page.total !== undefined) carry.total = page.total;
    carry.pages++;
    lastCallAt = page.lastCallAt;
    currentRate = page.elapsedMs > 0 ? (page.counts.processed * 1000) / page.elapsedMs : undefined;
    if (page.nextCursor === undefined) {
      delete carry.cursor;
      exhausted = true;
    } else {
      carry.cursor = page.nextCursor;
    }
    touch();
    if (root.consideredCancelled) {
      cancelled = true;
      break;
    }
    if (!exhausted && workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof bulkRevocation>(raw, carry);
    }
  }

  const report: BulkRevocationReport = {
    '@type': BulkTypeUrl.response,
    name: job.name,
    dryRun: job.dryRun,
    ...carry.counts,
    ...(carry.total !== undefined ? { total: carry.total } : {}),
    pages: carry.pages,
    runs: carry.runs,
    cancelled,
    failures: carry.failures,
    ...(job.dryRun ? { wouldRevoke: carry.wouldRevoke } : {}),
    startedAt: carry.startedAt,
    finishedAt: new Date().toISOString(),
  };
  phase = 'DONE';
  if (aborted) {
    final = {
      error: { ...aborted, details: [...aborted.details, report as unknown as Status['details'][number]] },
    };
    touch();
    upsertSearchAttributes([{ key: SearchAttributes.outcome, value: 'FAILED' }]);
    throw ApplicationFailure.create({
      type: codeName(aborted.code),
      message: aborted.message,
      nonRetryable: true,
      details: [operation()],
    });
  }
  if (cancelled) {
    // Cancelled with a report: a failed execution whose Operation keeps what was done.
    final = {
      error: {
        code: Code.CANCELLED,
        message: `cancelled after ${carry.counts.processed} targets`,
        details: [report as unknown as Status['details'][number]],
      },
    };
    touch();
    upsertSearchAttributes([{ key: SearchAttributes.outcome, value: 'CANCELLED' }]);
    throw ApplicationFailure.create({
      type: codeName(Code.CANCELLED),
      message: final.error?.message ?? 'cancelled',
      nonRetryable: true,
      details: [operation()],
    });
  }
  final = { report };
  touch();
  upsertSearchAttributes([
    { key: SearchAttributes.outcome, value: carry.counts.failed > 0 ? 'FAILED' : 'SUCCEEDED' },
  ]);
  return operation();
}
