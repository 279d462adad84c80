import type {
  BulkEvidenceContext,
  BulkPageInput,
  BulkPageResult,
  PageEvidence,
  PendingPollResult,
  PendingTarget,
} from '../activities';
import {
  addCounts,
  BulkTypeUrl,
  Code,
  defaultJobDescription,
  describeBulkSource,
  TypeUrl,
  zeroCounts,
  type BulkCounts,
  type BulkFailure,
  type BulkRevocationJob,
  type BulkRevocationMetadata,
  type BulkRevocationReport,
  type InvalidArgumentError,
  type Operation,
  type Status,
} from '../api';
import { bulkCurrentDetails } from './current-details';
import { OperationState, type FailedOperation } from './operation-state';

export type BulkOperation = Operation<BulkRevocationMetadata, BulkRevocationReport>;

type BulkPhase = BulkRevocationMetadata['phase'];

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
  /** Targets handed over by pages, their provider operations still running. Absent in older carries. */
  pending?: PendingTarget[];
  /** When to poll them next (workflow time, epoch ms), and the interval that got there. */
  pendingPollAt?: number;
  pendingPollMs?: number;
  /** The records the job's pages and polls wrote (runs from the `bulk-evidence` patch on). */
  evidence?: PageEvidence;
}

const FIRST_PENDING_POLL_MS = 1000;
const MAX_PENDING_POLL_MS = 30_000;

/** A change of rate or concurrency; `ratePerSecond: null` removes the limit. */
export interface ThrottleChange {
  ratePerSecond?: number | null;
  concurrency?: number;
}

/** The carry of a job's first run. */
export function firstCarry(job: BulkRevocationJob, startTime: Date): BulkCarry {
  return {
    counts: zeroCounts(),
    failures: [],
    wouldRevoke: [],
    pages: 0,
    runs: 0,
    startedAt: startTime.toISOString(),
    createdAt: startTime.toISOString(),
    paused: false,
    concurrency: job.concurrency,
    ...(job.ratePerSecond !== undefined ? { ratePerSecond: job.ratePerSecond } : {}),
  };
}

/** The Operation of a job that failed validation: done at once, with the field violations. */
export function invalidBulkOperation(
  id: string,
  err: InvalidArgumentError,
): FailedOperation<BulkRevocationMetadata, BulkRevocationReport> {
  const now = new Date().toISOString();
  return {
    id,
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
}

function bulkMetadata(
  job: BulkRevocationJob,
  carry: BulkCarry,
  phase: BulkPhase,
  currentRate: number | undefined,
): BulkRevocationMetadata {
  return {
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
    ...(carry.pending?.length ? { pending: carry.pending.length } : {}),
  };
}

function phaseOf(carry: BulkCarry): BulkPhase {
  return carry.paused ? 'PAUSED' : 'RUNNING';
}

/**
 * The Operation of one run of a `bulkRevocation` job. The metadata is drawn from the carry (what the
 * next run inherits), the phase and the rate of the last page, again after each change.
 */
export class BulkJobState extends OperationState<BulkRevocationMetadata, BulkRevocationReport> {
  private phase: BulkPhase;
  private currentRate: number | undefined;
  /** The rate schedule runs on from page to page (within a run), so page boundaries cost no calls. */
  private lastCallAt: number | undefined;
  /** Set once per run (a patch): whether its pages hand slow provider operations over. */
  handsOverOperations = false;
  /** Set once per run (a patch): whether its pages and polls write evidence records. */
  recordsEvidence = false;
  /** What the job's end checkpoint said: whether the worker has a ledger. */
  private evidenceOn: boolean | undefined;

  constructor(
    private readonly job: BulkRevocationJob,
    readonly carry: BulkCarry,
    id: string,
  ) {
    super({
      id,
      description: job.description || defaultJobDescription(job),
      createdAt: carry.createdAt,
      createdBy: job.createdBy ?? 'unknown',
      modifiedAt: new Date().toISOString(),
      done: false,
      metadata: bulkMetadata(job, carry, phaseOf(carry), undefined),
    });
    this.phase = phaseOf(carry);
    this.touch();
  }

  pause(): void {
    this.carry.paused = true;
    if (this.phase === 'RUNNING') this.phase = 'PAUSED';
    this.changed();
  }

  resume(): void {
    this.carry.paused = false;
    if (this.phase === 'PAUSED') this.phase = 'RUNNING';
    this.changed();
  }

  /** Applies from the next page; answers with the settings now in force. */
  throttle(change: ThrottleChange): { ratePerSecond: number | undefined; concurrency: number } {
    if (change.ratePerSecond === null) delete this.carry.ratePerSecond;
    else if (change.ratePerSecond !== undefined) this.carry.ratePerSecond = change.ratePerSecond;
    if (change.concurrency !== undefined) this.carry.concurrency = change.concurrency;
    this.changed();
    return { ratePerSecond: this.carry.ratePerSecond, concurrency: this.carry.concurrency };
  }

  cancelRequested(): void {
    if (this.phase !== 'DONE') this.phase = 'CANCELLING';
    this.changed();
  }

  /** The next page's activity input: from the cursor, with what the report still wants. */
  nextPage(): BulkPageInput {
    const { job, carry, lastCallAt } = this;
    return {
      job,
      ...(carry.cursor !== undefined ? { cursor: carry.cursor } : {}),
      concurrency: carry.concurrency,
      ...(carry.ratePerSecond !== undefined ? { ratePerSecond: carry.ratePerSecond } : {}),
      failuresWanted: Math.max(0, job.maxReportedFailures - carry.failures.length),
      samplesWanted: job.dryRun ? Math.max(0, 100 - carry.wouldRevoke.length) : 0,
      ...(lastCallAt !== undefined ? { previousCallAt: lastCallAt } : {}),
      ...(this.handsOverOperations ? { handsOverOperations: true } : {}),
      ...(this.recordsEvidence
        ? {
            evidence: {
              ...this.evidenceContext(),
              ordinalBase: carry.counts.processed + (carry.pending?.length ?? 0),
            },
          }
        : {}),
    };
  }

  /** What every record of the job shares: its id (operation and job id), requested at and by. */
  evidenceContext(): BulkEvidenceContext {
    return { operationId: this.op.id, requestedAt: this.carry.createdAt, requestedBy: this.op.createdBy };
  }

  /** Counts records a page, a poll or the job's end wrote. */
  evidenceWritten(e: PageEvidence | undefined): void {
    if (!e) return;
    const before = this.carry.evidence;
    this.carry.evidence = {
      recorded: (before?.recorded ?? false) || e.recorded,
      count: (before?.count ?? 0) + e.count,
    };
  }

  evidenceChecked(recorded: boolean): void {
    this.evidenceOn = recorded;
  }

  /** When the pending targets are due for a poll: the next interval, or sooner at a deadline. */
  nextPendingPollAt(): number | undefined {
    const { pending, pendingPollAt } = this.carry;
    if (!pending?.length || pendingPollAt === undefined) return undefined;
    return Math.min(pendingPollAt, ...pending.map((t) => t.deadlineAt));
  }

  /** Counts the pending targets that ended in a poll; the rest are polled again, less often. */
  pendingPolled(result: PendingPollResult): void {
    const carry = this.carry;
    this.evidenceWritten(result.evidence);
    carry.counts = addCounts(carry.counts, result.counts);
    this.keepFailures(result.failures);
    carry.pending = result.stillPending;
    carry.pendingPollMs = Math.min((carry.pendingPollMs ?? FIRST_PENDING_POLL_MS) * 2, MAX_PENDING_POLL_MS);
    this.schedulePendingPoll();
    this.changed();
  }

  /** A job that ends (cancelled, or its source failed) before its pending targets did fails them. */
  private settleLeftoverPending(cancelled: boolean): void {
    const left = this.carry.pending ?? [];
    if (left.length === 0) return;
    const failures: BulkFailure[] = left.map((t) => ({
      position: t.position,
      fingerprint: t.fingerprint,
      provider: 'yandex-cloud',
      error: {
        code: cancelled ? Code.CANCELLED : Code.ABORTED,
        message: `the job ended before provider operation ${t.operationId} did; it may still complete`,
        details: [],
      },
    }));
    this.carry.counts.failed += left.length;
    this.carry.counts.processed += left.length;
    this.keepFailures(failures);
    this.carry.pending = [];
    this.schedulePendingPoll();
  }

  private keepFailures(failures: BulkFailure[]): void {
    const room = Math.max(0, this.job.maxReportedFailures - this.carry.failures.length);
    this.carry.failures.push(...failures.slice(0, room));
  }

  private schedulePendingPoll(): void {
    const carry = this.carry;
    if (!carry.pending?.length) {
      delete carry.pending;
      delete carry.pendingPollAt;
      delete carry.pendingPollMs;
      return;
    }
    carry.pendingPollMs ??= FIRST_PENDING_POLL_MS;
    carry.pendingPollAt = Date.now() + carry.pendingPollMs;
  }

  /** Counts a finished page; true when it was the source's last. */
  pageDone(page: BulkPageResult): boolean {
    const carry = this.carry;
    this.evidenceWritten(page.evidence);
    carry.counts = addCounts(carry.counts, page.counts);
    carry.failures.push(...page.failures);
    carry.wouldRevoke.push(...page.wouldRevoke);
    if (page.total !== undefined) carry.total = page.total;
    if (page.pending?.length) {
      carry.pending = [...(carry.pending ?? []), ...page.pending];
      if (carry.pendingPollAt === undefined) this.schedulePendingPoll();
    }
    carry.pages++;
    this.lastCallAt = page.lastCallAt;
    this.currentRate = page.elapsedMs > 0 ? (page.counts.processed * 1000) / page.elapsedMs : undefined;
    if (page.nextCursor === undefined) delete carry.cursor;
    else carry.cursor = page.nextCursor;
    this.changed();
    return page.nextCursor === undefined;
  }

  report(cancelled: boolean): BulkRevocationReport {
    this.settleLeftoverPending(cancelled);
    const { job, carry } = this;
    return {
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
      ...(this.recordsEvidence
        ? {
            evidence: {
              recorded: this.evidenceOn ?? carry.evidence?.recorded ?? false,
              operationId: this.op.id,
              count: carry.evidence?.count ?? 0,
            },
          }
        : {}),
    };
  }

  completed(report: BulkRevocationReport): BulkOperation {
    this.phase = 'DONE';
    return this.succeed(report, { phase: this.phase });
  }

  ended(status: Status): FailedOperation<BulkRevocationMetadata, BulkRevocationReport> {
    this.phase = 'DONE';
    return this.fail(status, { phase: this.phase });
  }

  protected override currentDetails(): string {
    return bulkCurrentDetails({
      ...this.carry,
      phase: this.phase,
      name: this.job.name,
      dryRun: this.job.dryRun,
      pageSize: this.job.pageSize,
      currentRate: this.currentRate,
      error: this.op.error,
    });
  }

  private changed(): void {
    this.op.metadata = bulkMetadata(this.job, this.carry, this.phase, this.currentRate);
    this.touch();
  }
}
