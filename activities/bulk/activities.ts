import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  BULK_PAGE_CHECKPOINT_MIN_INTERVAL_MS,
  BULK_PAGE_HEARTBEAT_CLOCK_MS,
  Code,
  codeName,
  describeTarget,
  durationMs,
  fingerprint,
  InvalidArgumentError,
  parseRevocationRequest,
  zeroCounts,
  type BulkCounts,
  type BulkFailure,
  type BulkRevocationJob,
  type RevocationRequest,
} from '../../api';
import { authleteFailure } from '../authlete/errors';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import { yandexFailure } from '../yandex-cloud/errors';
import { forEachConcurrent, RateLimiter } from './rate-limiter';
import { pollPendingTargets } from './poll-pending';

export type { PendingPollResult } from './poll-pending';
import { revokeTarget, type PendingOperation, type ProviderCalls, type TargetOutcome } from './revoke-target';
import { readPage, type SourceEntry, type SourcePage } from './sources';

export interface BulkPageInput {
  job: BulkRevocationJob;
  cursor?: string;
  concurrency: number;
  ratePerSecond?: number;
  /** How many more failures the report wants in full. */
  failuresWanted: number;
  /** Dry run: how many more fingerprints the report wants. */
  samplesWanted: number;
  /** The previous page's `lastCallAt`: this page's rate schedule continues from it. */
  previousCallAt?: number;
  /**
   * The workflow follows up provider operations that outlive IN_PAGE_WAIT_MS (`pending` in the
   * result). Unset by runs that predate the hand-over: their pages poll in place until done.
   */
  handsOverOperations?: boolean;
}

/** A target whose provider operation the workflow follows up, with what its report entry needs. */
export interface PendingTarget extends PendingOperation {
  position: number;
  fingerprint: string;
}

export interface BulkPageResult {
  counts: BulkCounts;
  failures: BulkFailure[];
  wouldRevoke: string[];
  /** Undefined when the source is exhausted. */
  nextCursor?: string;
  total?: number;
  elapsedMs: number;
  /** When the page's last rate-limited call started (epoch ms); absent without a rate. */
  lastCallAt?: number;
  /** Targets handed over unfinished (not in `counts` yet): their provider operations still run. */
  pending?: PendingTarget[];
}

/** What a page has done so far, kept in heartbeats so a retried page skips finished targets. */
interface Checkpoint {
  finished: number[];
  counts: BulkCounts;
  failures: BulkFailure[];
  wouldRevoke: string[];
  /** Absent in checkpoints of pages that predate the hand-over. */
  pending?: PendingTarget[];
}

const TARGET_ATTEMPTS = 3;
/** How long a page polls a Yandex operation in place before handing it to the workflow. */
export const IN_PAGE_WAIT_MS = 5000;

/**
 * How a report names a target without its secrets. Only failures and dry-run samples are named, so
 * it is computed for those alone: a SHA-256 per revoked target was CPU spent for nothing.
 */
const targetFingerprint = (r: RevocationRequest) => `${fingerprint(JSON.stringify(r))} ${describeTarget(r)}`;

/**
 * How a report names a target that failed validation. Any JSON value can arrive here, including
 * one nested too deep to serialize again (JSON.stringify throws RangeError); such a target is
 * named by its position instead, so the page still ends.
 */
function invalidLineFingerprint(request: unknown, position: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(request);
  } catch {
    text = undefined;
  }
  return fingerprint(text ?? `unserializable target at ${String(position)}`);
}

/**
 * A listing that fails is classified like any provider call: a permanent code (PERMISSION_DENIED on
 * the subject, a bad filter) fails the job at once instead of retrying the page forever.
 */
function sourceFailure(job: BulkRevocationJob, err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  const s = job.source;
  if (s.kind === 'yandex-list') {
    return yandexFailure(err, { connection: s.connection, rpc: 'RefreshTokenService.List', secrets: [] });
  }
  if (s.kind === 'authlete-list') {
    return authleteFailure(err, {
      connection: s.connection,
      serviceId: s.serviceId,
      operation: 'list',
      secrets: [],
    });
  }
  // A file the workers cannot read will not become readable by retrying forever either.
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    const message = `cannot read the job's source file (${String(code)})`;
    return ApplicationFailure.create({
      type: codeName(Code.FAILED_PRECONDITION),
      nonRetryable: true,
      message,
      details: [{ code: Code.FAILED_PRECONDITION, message, details: [] }],
    });
  }
  return err;
}

/** A page's checkpoint from its last heartbeat (a retried page), or a fresh one. */
function resumeCheckpoint(ctx: Context): { cp: Checkpoint; finished: Set<number> } {
  const previous = ctx.info.heartbeatDetails as Checkpoint | undefined;
  const cp: Checkpoint = previous ?? { finished: [], counts: zeroCounts(), failures: [], wouldRevoke: [] };
  return { cp, finished: new Set(cp.finished) };
}

/**
 * Heartbeats of a page's checkpoint: `soon()` as targets finish, at most once per
 * BULK_PAGE_CHECKPOINT_MIN_INTERVAL_MS, and on a BULK_PAGE_HEARTBEAT_CLOCK_MS clock until `stop()`.
 */
function checkpointHeartbeats(ctx: Context, cp: Checkpoint, finished: Set<number>) {
  const beat = () => ctx.heartbeat({ ...cp, finished: [...finished] } satisfies Checkpoint);
  // The SDK forwards at most one heartbeat per 0.8 x heartbeatTimeout anyway; encoding one per
  // target (copy, JSON, AES-GCM, native call) cost a quarter of the page's CPU for nothing.
  let lastBeat = 0;
  // Heartbeat on a clock too: one slow target (a long Retry-After) must not look like a dead worker.
  const ticker = setInterval(beat, BULK_PAGE_HEARTBEAT_CLOCK_MS);
  return {
    soon(): void {
      const now = Date.now();
      if (now - lastBeat >= BULK_PAGE_CHECKPOINT_MIN_INTERVAL_MS) {
        lastBeat = now;
        beat();
      }
    },
    stop(): void {
      clearInterval(ticker);
    },
  };
}

/** What one target of a page came to, as the report counts and names it. */
type EntryOutcome =
  | { outcome: keyof BulkCounts; fingerprint?: string; failure?: BulkFailure }
  | { outcome: 'pending'; pending: PendingTarget };

function invalidEntry(position: number, fp: string, message: string): EntryOutcome {
  const error = { code: Code.INVALID_ARGUMENT, message, details: [] };
  return { outcome: 'failed', fingerprint: fp, failure: { position, fingerprint: fp, error } };
}

/** Validates one entry and, unless the job is a dry run, revokes it with `revoke`. */
async function processEntry(
  entry: SourceEntry,
  dryRun: boolean | undefined,
  revoke: (request: RevocationRequest) => Promise<TargetOutcome>,
): Promise<EntryOutcome> {
  if ('unreadable' in entry) return invalidEntry(entry.position, `line ${entry.position}`, entry.unreadable);
  let request;
  try {
    request = parseRevocationRequest(entry.request);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    const fp = invalidLineFingerprint(entry.request, entry.position);
    return invalidEntry(entry.position, fp, err.message);
  }
  if (dryRun) return { outcome: 'skipped', fingerprint: targetFingerprint(request) };
  const result = await revoke(request);
  if (result.outcome === 'pending') {
    const pending = {
      ...result.operation,
      position: entry.position,
      fingerprint: targetFingerprint(request),
    };
    return { outcome: 'pending', pending };
  }
  if (result.outcome !== 'failed') return { outcome: result.outcome };
  const fp = targetFingerprint(request);
  return {
    outcome: 'failed',
    fingerprint: fp,
    failure: { position: entry.position, fingerprint: fp, provider: request.provider, error: result.error },
  };
}

/** Where the next page starts. Revoked tokens leave Authlete's list; the ones still listed are skipped over. */
function nextCursorAfter(job: BulkRevocationJob, page: SourcePage, counts: BulkCounts): string | undefined {
  const { nextCursor } = page;
  if (job.source.kind !== 'authlete-list' || nextCursor === undefined) return nextCursor;
  const stillListed = job.dryRun ? page.entries.length : counts.failed;
  return String(Number(nextCursor) + stillListed);
}

export function createBulkActivities(registry: ConnectionRegistry, calls: ProviderCalls) {
  const adapters = {
    authlete: (c: string) => requireAdapter(registry, 'authlete', c),
    yandexCloud: (c: string) => requireAdapter(registry, 'yandex-cloud', c),
  };

  return {
    /**
     * Reads one page of the job's source and revokes its targets with bounded concurrency and the
     * job's rate. Counts are exact: each target of the page is counted once in the result, and a
     * retried page (worker crash) resumes from its last heartbeat instead of counting again.
     */
    async bulkProcessPage(input: BulkPageInput): Promise<BulkPageResult> {
      const ctx = Context.current();
      const started = Date.now();
      const { job } = input;
      const page = await readPage(
        job.source,
        { cursor: input.cursor, pageSize: job.pageSize },
        adapters,
      ).catch((err: unknown) => {
        throw sourceFailure(job, err);
      });
      const { cp, finished } = resumeCheckpoint(ctx);
      const limiter = new RateLimiter(input.ratePerSecond, input.previousCallAt);
      const heartbeats = checkpointHeartbeats(ctx, cp, finished);
      // A page scheduled by a run that predates the deadline carries none: the default then.
      const targetDeadlineMs = durationMs((job as Partial<BulkRevocationJob>).targetDeadline ?? '1h');
      const revoke = (request: RevocationRequest) =>
        limiter.run(() =>
          revokeTarget(request, calls, {
            attempts: TARGET_ATTEMPTS,
            backoffMs: 500,
            deadlineAt: Date.now() + targetDeadlineMs,
            ...(input.handsOverOperations ? { inPageWaitMs: IN_PAGE_WAIT_MS } : {}),
            // What happened after the last checkpoint of an earlier attempt of this page is unknown.
            pageRetried: ctx.info.attempt > 1,
          }),
        );

      const record = (position: number, entry: EntryOutcome) => {
        finished.add(position);
        if (entry.outcome === 'pending') {
          (cp.pending ??= []).push(entry.pending);
          return heartbeats.soon();
        }
        const { outcome, fingerprint: fp, failure } = entry;
        cp.counts[outcome] = (cp.counts[outcome] ?? 0) + 1;
        cp.counts.processed++;
        if (failure && cp.failures.length < input.failuresWanted) cp.failures.push(failure);
        if (fp && outcome === 'skipped' && cp.wouldRevoke.length < input.samplesWanted)
          cp.wouldRevoke.push(fp);
        heartbeats.soon();
      };

      try {
        await forEachConcurrent(page.entries, input.concurrency, async (entry, index) => {
          if (finished.has(index)) return;
          record(index, await processEntry(entry, job.dryRun, revoke));
        });
      } finally {
        heartbeats.stop();
      }

      const nextCursor = nextCursorAfter(job, page, cp.counts);
      return {
        counts: cp.counts,
        failures: cp.failures,
        wouldRevoke: cp.wouldRevoke,
        ...(nextCursor !== undefined ? { nextCursor } : {}),
        ...(page.total !== undefined ? { total: page.total } : {}),
        elapsedMs: Date.now() - started,
        ...(limiter.lastCallAt !== undefined ? { lastCallAt: limiter.lastCallAt } : {}),
        ...(cp.pending?.length ? { pending: cp.pending } : {}),
      };
    },

    /** One poll of the provider operations a job follows up (handed over by its pages). */
    async bulkPollPending(input: { pending: PendingTarget[] }) {
      return pollPendingTargets(input.pending, calls);
    },
  };
}
