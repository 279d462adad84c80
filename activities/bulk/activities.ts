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
  type EvidenceRecord,
  type EvidenceSink,
  type RevocationRequest,
} from '../../api';
import { authleteFailure } from '../authlete/errors';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import { yandexFailure } from '../yandex-cloud/errors';
import { forEachConcurrent, RateLimiter } from './rate-limiter';
import { pollPendingTargets, recordUnsettled } from './poll-pending';

export type { PendingPollResult } from './poll-pending';
import { revokeTarget, type PendingOperation, type ProviderCalls, type TargetOutcome } from './revoke-target';
import { readPage, type SourceAdapters, type SourceEntry, type SourcePage } from './sources';
import {
  appendRecords,
  errorCodeOf,
  failureFromRecord,
  outcomeOfRecord,
  type BulkEvidenceContext,
  type SettledTarget,
  type TargetFields,
} from './evidence';
import { entryFields, findRecorded, keyPositionOf, pageRecords } from './page-evidence';

export type { BulkEvidenceContext } from './evidence';

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
  /**
   * The job's evidence context: the page writes one record per settled target, in one append.
   * Unset by runs that predate the `bulk-evidence` patch: their pages write none.
   */
  evidence?: BulkEvidenceContext & {
    /** Targets the job gave its pages before this one: record keys of listings whose offsets repeat. */
    ordinalBase: number;
  };
}

/** A target whose provider operation the workflow follows up, with what its report entry needs. */
export interface PendingTarget extends PendingOperation {
  position: number;
  fingerprint: string;
  /** What its evidence record needs when it settles (pages that write evidence set it). */
  evidence?: { keyPosition: number; fields: TargetFields; attempts: number };
}

/** A page's (or a poll's) evidence: whether a ledger took its records, and how many. */
export interface PageEvidence {
  recorded: boolean;
  count: number;
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
  /** Set when the page was given an evidence context. */
  evidence?: PageEvidence;
}

/** What a page has done so far, kept in heartbeats so a retried page skips finished targets. */
interface Checkpoint {
  finished: number[];
  counts: BulkCounts;
  failures: BulkFailure[];
  wouldRevoke: string[];
  /** Absent in checkpoints of pages that predate the hand-over. */
  pending?: PendingTarget[];
  /** The settled targets, for their evidence records (pages given an evidence context). */
  settled?: SettledTarget[];
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
  | {
      outcome: Exclude<keyof BulkCounts, 'processed'>;
      fingerprint?: string;
      failure?: BulkFailure;
      /** For the evidence record: provider calls, the provider's reference, when it was revoked. */
      settled?: Omit<SettledTarget, 'position'>;
    }
  | { outcome: 'pending'; pending: PendingTarget };

function invalidEntry(position: number, fp: string, message: string): EntryOutcome {
  const error = { code: Code.INVALID_ARGUMENT, message, details: [] };
  const settled = { outcome: 'failed' as const, attempts: 0, errorCode: 'INVALID_ARGUMENT' };
  return { outcome: 'failed', fingerprint: fp, failure: { position, fingerprint: fp, error }, settled };
}

/** Validates one entry and, unless the job is a dry run, revokes it with `revoke`. */
async function processEntry(
  entry: SourceEntry,
  dryRun: boolean | undefined,
  revoke: (request: RevocationRequest) => Promise<TargetOutcome & { attempts: number }>,
  /** The target's record key position, when the page writes evidence. */
  keyPosition?: number,
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
  if (dryRun) {
    const settled = { outcome: 'skipped' as const, attempts: 0 };
    return { outcome: 'skipped', fingerprint: targetFingerprint(request), settled };
  }
  const result = await revoke(request);
  if (result.outcome === 'pending') {
    const pending: PendingTarget = {
      ...result.operation,
      position: entry.position,
      fingerprint: targetFingerprint(request),
    };
    if (keyPosition !== undefined) {
      pending.evidence = { keyPosition, fields: entryFields(entry), attempts: result.attempts };
    }
    return { outcome: 'pending', pending };
  }
  const settled = {
    outcome: result.outcome,
    attempts: result.attempts,
    ...(result.reference ? { providerReference: result.reference } : {}),
    ...(result.outcome === 'succeeded' ? { revokedAt: new Date().toISOString() } : {}),
    ...(result.outcome === 'failed' ? { errorCode: errorCodeOf(result.error) } : {}),
  };
  if (result.outcome !== 'failed') return { outcome: result.outcome, settled };
  const fp = targetFingerprint(request);
  return {
    outcome: 'failed',
    fingerprint: fp,
    failure: { position: entry.position, fingerprint: fp, provider: request.provider, error: result.error },
    settled,
  };
}

/** Where the next page starts. Revoked tokens leave Authlete's list; the ones still listed are skipped over. */
function nextCursorAfter(job: BulkRevocationJob, page: SourcePage, counts: BulkCounts): string | undefined {
  const { nextCursor } = page;
  if (job.source.kind !== 'authlete-list' || nextCursor === undefined) return nextCursor;
  const stillListed = job.dryRun ? page.entries.length : counts.failed;
  return String(Number(nextCursor) + stillListed);
}

/**
 * The outcome of a target whose record an earlier attempt of the page wrote: counted as recorded,
 * not revoked again (a second revoke would find it gone and count it alreadyRevoked).
 */
function adoptedEntry(entry: SourceEntry | undefined, r: EvidenceRecord): EntryOutcome {
  const outcome = outcomeOfRecord(r);
  const settled = {
    outcome,
    attempts: r.attempts,
    ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}),
    ...(r.errorCode ? { errorCode: r.errorCode } : {}),
    providerReference: r.providerReference,
  };
  const position = entry?.position ?? 0;
  const request = entry && 'request' in entry ? safeParse(entry.request) : undefined;
  const fp = request ? targetFingerprint(request) : undefined;
  if (outcome === 'skipped') return { outcome, settled, ...(fp ? { fingerprint: fp } : {}) };
  if (outcome !== 'failed') return { outcome, settled };
  const failure = failureFromRecord(r, position);
  return { outcome, settled, failure: fp ? { ...failure, fingerprint: fp } : failure };
}

function safeParse(raw: unknown): RevocationRequest | undefined {
  try {
    return parseRevocationRequest(raw);
  } catch {
    return undefined;
  }
}

/**
 * A record already stored under one of the page's ids (written by another attempt of the page that
 * the server had given up on, still running: a zombie) is the evidence; the page counts its
 * outcome instead of its own, so the job's counts and the ledger agree target for target.
 */
function reconcileWithStored(
  cp: Checkpoint,
  input: BulkPageInput,
  mine: readonly EvidenceRecord[],
  existing: readonly EvidenceRecord[],
): void {
  const byId = new Map(mine.map((r) => [r.recordId, r]));
  for (const stored of existing) {
    const ours = byId.get(stored.recordId);
    if (!ours || ours.status === stored.status) continue;
    const [from, to] = [outcomeOfRecord(ours), outcomeOfRecord(stored)];
    cp.counts[from] = (cp.counts[from] ?? 1) - 1;
    cp.counts[to] = (cp.counts[to] ?? 0) + 1;
    const position = Number(stored.targetKey.slice(stored.targetKey.indexOf('/') + 1));
    if (from === 'failed') cp.failures = cp.failures.filter((f) => f.position !== position);
    if (to === 'failed' && cp.failures.length < input.failuresWanted)
      cp.failures.push(failureFromRecord(stored, position));
  }
}

/** The page's counts, failures and samples take in one target's outcome. */
function countEntry(cp: Checkpoint, input: BulkPageInput, position: number, entry: EntryOutcome): void {
  if (entry.outcome === 'pending') {
    (cp.pending ??= []).push(entry.pending);
    return;
  }
  const { outcome, fingerprint: fp, failure, settled } = entry;
  cp.counts[outcome] = (cp.counts[outcome] ?? 0) + 1;
  cp.counts.processed++;
  if (failure && cp.failures.length < input.failuresWanted) cp.failures.push(failure);
  if (fp && outcome === 'skipped' && cp.wouldRevoke.length < input.samplesWanted) cp.wouldRevoke.push(fp);
  if (cp.settled && settled) cp.settled.push({ position, ...settled });
}

/**
 * Reads one page of the job's source and revokes its targets with bounded concurrency and the
 * job's rate. Counts are exact: each target of the page is counted once in the result, and a
 * retried page (worker crash) resumes from its last heartbeat instead of counting again. Given an
 * evidence context, the page writes the records of its settled targets in one append at its end;
 * a retried page first adopts the records an earlier attempt wrote (docs/operations.md, Evidence ledger).
 */
async function processPage(
  input: BulkPageInput,
  adapters: SourceAdapters,
  calls: ProviderCalls,
  sink: EvidenceSink | undefined,
): Promise<BulkPageResult> {
  const ctx = Context.current();
  const started = Date.now();
  const { job } = input;
  const page = await readPage(job.source, { cursor: input.cursor, pageSize: job.pageSize }, adapters).catch(
    (err: unknown) => {
      throw sourceFailure(job, err);
    },
  );
  const { cp, finished } = resumeCheckpoint(ctx);
  const ev = input.evidence && sink ? input.evidence : undefined;
  const keyOf = (index: number) => (ev ? keyPositionOf(job, page, index, ev.ordinalBase) : undefined);
  if (ev) {
    cp.settled ??= [];
    if (ctx.info.attempt > 1) {
      for (const [index, r] of await findRecorded(sink as EvidenceSink, ev, page, keyOf)) {
        if (finished.has(index)) continue;
        finished.add(index);
        countEntry(cp, input, keyOf(index) as number, adoptedEntry(page.entries[index], r));
      }
    }
  }
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

  try {
    await forEachConcurrent(page.entries, input.concurrency, async (entry, index) => {
      if (finished.has(index)) return;
      const outcome = await processEntry(entry, job.dryRun, revoke, keyOf(index));
      finished.add(index);
      countEntry(cp, input, keyOf(index) ?? entry.position, outcome);
      heartbeats.soon();
    });
  } finally {
    heartbeats.stop();
  }
  // One append (one transaction) for the page; a record an earlier attempt wrote is left as it is.
  const records = ev ? pageRecords(ev, page, keyOf, cp.settled ?? []) : [];
  let recorded: boolean | undefined;
  if (input.evidence) {
    const stored = await appendRecords(sink, records);
    recorded = stored.recorded;
    reconcileWithStored(cp, input, records, stored.existing);
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
    ...(recorded !== undefined ? { evidence: { recorded, count: records.length } } : {}),
  };
}

export function createBulkActivities(
  registry: ConnectionRegistry,
  calls: ProviderCalls,
  sink?: EvidenceSink,
) {
  const adapters = {
    authlete: (c: string) => requireAdapter(registry, 'authlete', c),
    yandexCloud: (c: string) => requireAdapter(registry, 'yandex-cloud', c),
  };

  return {
    /** Reads one page of the job's source and revokes its targets (processPage). */
    bulkProcessPage: (input: BulkPageInput): Promise<BulkPageResult> =>
      processPage(input, adapters, calls, sink),

    /** One poll of the provider operations a job follows up (handed over by its pages). */
    async bulkPollPending(input: { pending: PendingTarget[]; evidence?: BulkEvidenceContext }) {
      return pollPendingTargets(
        input.pending,
        calls,
        input.evidence ? { ctx: input.evidence, sink } : undefined,
      );
    },

    /** Records the targets a job ended without (cancelled, or its source failed): FAILED with `code`. */
    async bulkRecordUnsettled(input: {
      evidence: BulkEvidenceContext;
      pending: PendingTarget[];
      errorCode: string;
    }): Promise<PageEvidence> {
      return recordUnsettled(input.evidence, input.pending, input.errorCode, sink);
    },
  };
}
