import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type CalendarSpecDescription,
  type ScheduleDescription,
  type ScheduleExecutionResult,
  type ScheduleHandle,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
  type ScheduleSpecDescription,
  type ScheduleSummary,
  type Range,
} from '@temporalio/client';
import type { SearchAttributePair, Workflow } from '@temporalio/common';
import {
  BULK_ID_PREFIX,
  durationMs,
  InvalidArgumentError,
  parseBulkRevocationJob,
  SearchAttributes,
  WorkflowTypes,
  type BulkRevocationJob,
  type BulkRevocationJobInput,
  type FieldViolation,
} from '../api';
import { defaultJobDescription, describeBulkSource } from '../api';
import { bulkJobDetails, bulkJobSummary } from '../api/operation-summary';
import type { RevocationClient } from './revocation-client';

/** What happens when a run is due while the previous one still runs (Temporal's ScheduleOverlapPolicy). */
export const bulkScheduleOverlaps = [
  'SKIP',
  'BUFFER_ONE',
  'BUFFER_ALL',
  'CANCEL_OTHER',
  'TERMINATE_OTHER',
  'ALLOW_ALL',
] as const;
export type BulkScheduleOverlap = (typeof bulkScheduleOverlaps)[number];

/** When a schedule runs: exactly one of `cron` and `every`. */
export interface BulkScheduleSpecInput {
  /** Cron expressions (5-7 fields, or `@daily` and friends), evaluated in `timezone`. */
  cron?: string[] | string;
  /** A fixed interval such as `1h` or `30m` (at least 1s), counted from the Unix epoch plus `offset`. */
  every?: string | number;
  /** With `every`: shifts the slots, e.g. every `1d` with offset `3h` runs at 03:00 UTC. @default 0 */
  offset?: string | number;
  /** IANA time zone name for `cron`, e.g. `Europe/Berlin`. @default UTC */
  timezone?: string;
}

export interface CreateBulkScheduleOptions {
  /** 1-200 letters, digits, `.`, `_`, `-`; each run's workflow id is `bulk-<scheduleId>-<action time>`. */
  scheduleId: string;
  /** The job each run executes; validated like `bulk start`. Its `scheduleId` is set by the schedule. */
  job: BulkRevocationJobInput;
  spec: BulkScheduleSpecInput;
  /** @default 'SKIP': a run that is due while the previous one still runs is skipped. */
  overlap?: BulkScheduleOverlap;
  /** How late a missed run (server down, schedule paused) may still start; at least 10s. @default 1 year (server) */
  catchupWindow?: string | number;
  /** Create it paused. @default false */
  paused?: boolean;
  /** Why it is paused (or any note), shown in the Web UI. */
  note?: string;
  /** Pause the schedule when a run fails. @default false */
  pauseOnFailure?: boolean;
}

export interface UpdateBulkScheduleOptions {
  /** Replaces the job of future runs. */
  job?: BulkRevocationJobInput;
  /**
   * `cron` or `every` (with `offset`) replaces the timing; `timezone` alone changes only the zone.
   * Both `cron` and `every` at once is an error.
   */
  spec?: BulkScheduleSpecInput;
  overlap?: BulkScheduleOverlap;
  catchupWindow?: string | number;
  pauseOnFailure?: boolean;
}

/** The timing of a schedule as people write it. */
export interface BulkScheduleSpecText {
  /** Cron expressions (the server stores calendars; these are rendered back from them). */
  cron: string[];
  /** Intervals such as `2s` or `1h` (with `+offset` when there is one). */
  every: string[];
  timezone?: string;
}

/** One run a schedule started. */
export interface BulkScheduleAction {
  /** The slot the run belongs to (for a trigger: when it was triggered). */
  scheduledAt: Date;
  takenAt: Date;
  /** The run's Operation id: `bulk-<scheduleId>-<scheduledAt>`. */
  workflowId: string;
  runId: string;
}

export interface BulkScheduleSummary {
  scheduleId: string;
  jobName?: string;
  spec: BulkScheduleSpecText;
  paused: boolean;
  note?: string;
  nextActionTimes: Date[];
  recentActions: BulkScheduleAction[];
}

export interface BulkScheduleDescription extends BulkScheduleSummary {
  /** The job as given (without `scheduleId`, which each run gets from the schedule). May hold inline secrets. */
  job: BulkRevocationJobInput;
  taskQueue: string;
  overlap: BulkScheduleOverlap;
  catchupWindowMs: number;
  pauseOnFailure: boolean;
  /** Runs still running. */
  running: Array<{ workflowId: string; runId: string }>;
  numActionsTaken: number;
  numActionsSkippedOverlap: number;
  numActionsMissedCatchupWindow: number;
  createdAt: Date;
  updatedAt?: Date;
}

/** Thrown by `createBulkSchedule` when a schedule with the id exists (google.rpc ALREADY_EXISTS). */
export class BulkScheduleAlreadyExistsError extends Error {
  override readonly name = 'BulkScheduleAlreadyExistsError';
  readonly code = 6;
  constructor(
    readonly scheduleId: string,
    options?: { cause: unknown },
  ) {
    super(`scheduleId: a schedule ${scheduleId} already exists; choose another id, or update it`, options);
  }
}

/** Thrown when no schedule has the id, or the schedule with it does not run bulk revocation jobs. */
export class BulkScheduleNotFoundError extends Error {
  override readonly name = 'BulkScheduleNotFoundError';
  readonly code = 5;
  constructor(
    readonly scheduleId: string,
    reason = 'not found',
    options?: { cause: unknown },
  ) {
    super(`schedule ${scheduleId} ${reason}`, options);
  }
}

const scheduleIdPattern = /^[A-Za-z0-9._-]{1,200}$/;
const MIN_EVERY_MS = 1_000;
const MIN_CATCHUP_MS = 10_000;
const MAX_NOTE = 1_000;
const MAX_CRON = 10;

type Violations = FieldViolation[];

function checkScheduleId(id: unknown, v: Violations, field = 'scheduleId'): void {
  if (typeof id !== 'string' || !scheduleIdPattern.test(id)) {
    v.push({ field, description: 'must be 1-200 letters, digits, ".", "_" or "-"' });
  }
}

/** Milliseconds of a duration option, or a violation naming it. */
function durationOf(value: string | number, field: string, min: number, v: Violations): number | undefined {
  let ms: number;
  try {
    ms = durationMs(value);
  } catch {
    v.push({ field, description: 'must be a duration such as 30s, 15m, 1h or 1d' });
    return undefined;
  }
  if (!Number.isFinite(ms) || ms < min) {
    v.push({ field, description: `must be at least ${formatDuration(min)}` });
    return undefined;
  }
  return ms;
}

/** Temporal accepts 5-7 fields (minute … day-of-week, then year; or second first with year) or `@daily` etc. */
function checkCron(expr: unknown, field: string, v: Violations): expr is string {
  if (typeof expr !== 'string' || expr.trim() === '' || expr.length > 256 || /[\r\n]/.test(expr)) {
    v.push({ field, description: 'must be a cron expression of at most 256 characters on one line' });
    return false;
  }
  const body = expr
    .replace(/#.*$/, '')
    .replace(/^\s*CRON_TZ=\S+\s*/, '')
    .trim();
  if (body.startsWith('@')) return true;
  const n = body.split(/\s+/).length;
  if (n < 5 || n > 7) {
    v.push({
      field,
      description: `must have 5-7 fields ("minute hour day-of-month month day-of-week [year]"), got ${n}`,
    });
    return false;
  }
  return true;
}

/**
 * Checks an IANA zone name against the Intl database: undefined when valid, else what is wrong. The
 * server checks again with Go's database, which is case-sensitive, so a name that only differs from
 * the canonical one in case is refused here.
 */
export function timeZoneProblem(name: string): string | undefined {
  const expected = 'must be an IANA time zone name such as Europe/Berlin or UTC';
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return expected;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return expected;
  }
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) {
    return `${expected} (time zone names are case-sensitive: ${resolved})`;
  }
  return undefined;
}

function checkTimeZone(tz: unknown, field: string, v: Violations): boolean {
  const problem = typeof tz === 'string' ? timeZoneProblem(tz) : 'must be a string';
  if (problem) {
    v.push({ field, description: problem });
    return false;
  }
  return true;
}

function checkOverlap(overlap: unknown, v: Violations): void {
  if (!(bulkScheduleOverlaps as readonly unknown[]).includes(overlap)) {
    v.push({ field: 'overlap', description: `must be one of ${bulkScheduleOverlaps.join(', ')}` });
  }
}

interface CompiledTiming {
  cronExpressions?: string[];
  intervals?: Array<{ every: number; offset?: number }>;
  timezone?: string;
}

/**
 * The spec's timing as Temporal wants it. `requireTiming`: exactly one of cron/every (create);
 * otherwise at most one (update, where a time zone alone is a change too).
 */
function compileTiming(spec: BulkScheduleSpecInput, requireTiming: boolean, v: Violations): CompiledTiming {
  const out: CompiledTiming = {};
  const hasCron = spec.cron !== undefined;
  const hasEvery = spec.every !== undefined;
  if (hasCron && hasEvery) {
    v.push({ field: 'spec', description: 'give exactly one of spec.cron and spec.every, not both' });
  } else if (requireTiming && !hasCron && !hasEvery) {
    v.push({
      field: 'spec',
      description: 'give exactly one of spec.cron (e.g. "0 3 * * *") and spec.every (e.g. "1h")',
    });
  }
  if (hasCron && spec.cron !== undefined) {
    const list = Array.isArray(spec.cron) ? spec.cron : [spec.cron];
    if (list.length === 0 || list.length > MAX_CRON) {
      v.push({ field: 'spec.cron', description: `must hold 1-${MAX_CRON} expressions` });
    }
    const single = !Array.isArray(spec.cron);
    const valid = list.filter((c, i) => checkCron(c, single ? 'spec.cron' : `spec.cron.${i}`, v));
    out.cronExpressions = valid.map((c) => c.trim());
  }
  if (spec.offset !== undefined && !hasEvery) {
    v.push({ field: 'spec.offset', description: 'only applies with spec.every' });
  }
  if (hasEvery && spec.every !== undefined) {
    const every = durationOf(spec.every, 'spec.every', MIN_EVERY_MS, v);
    const offset = spec.offset !== undefined ? durationOf(spec.offset, 'spec.offset', 0, v) : undefined;
    if (every !== undefined && offset !== undefined && offset >= every) {
      v.push({ field: 'spec.offset', description: 'must be shorter than spec.every' });
    }
    if (every !== undefined) out.intervals = [{ every, ...(offset ? { offset } : {}) }];
  }
  if (spec.timezone !== undefined && checkTimeZone(spec.timezone, 'spec.timezone', v)) {
    out.timezone = spec.timezone;
  }
  return out;
}

/** Validates the job; its violations join the schedule's so one error names everything wrong. */
function checkJob(job: unknown, v: Violations): BulkRevocationJob | undefined {
  try {
    return parseBulkRevocationJob(job);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    v.push(...err.violations);
    return undefined;
  }
}

function throwIfAny(v: Violations): void {
  if (v.length > 0) throw new InvalidArgumentError(v);
}

/** Strips a caller's `scheduleId`: the schedule sets it, so every run's Operation names it. */
function jobWithoutScheduleId(job: BulkRevocationJobInput): BulkRevocationJobInput {
  const { scheduleId: _ignored, ...rest } = job;
  return rest;
}

function jobAttributes(job: BulkRevocationJob): SearchAttributePair[] {
  return [
    { key: SearchAttributes.jobName, value: job.name },
    ...(job.createdBy ? [{ key: SearchAttributes.createdBy, value: job.createdBy }] : []),
  ];
}

/**
 * The action: start `bulkRevocation` with the job and the schedule id in its input, so the run's
 * Operation names its schedule (metadata.scheduleId). The server appends the action time to the
 * workflow id, so runs are `bulk-<scheduleId>-2026-01-01T03:00:00Z`.
 */
function startAction(
  client: RevocationClient,
  scheduleId: string,
  input: BulkRevocationJobInput,
  job: BulkRevocationJob,
): ScheduleOptionsStartWorkflowAction<Workflow> {
  const source = describeBulkSource(job);
  // The same text the workflow uses for a job without a description, so the Web UI and `get` agree.
  const description = job.description || defaultJobDescription(job);
  const createdBy = job.createdBy ?? 'unknown';
  const listing =
    job.source.kind === 'yandex-list'
      ? { provider: 'yandex-cloud', connection: job.source.connection }
      : job.source.kind === 'authlete-list'
        ? { provider: 'authlete', connection: job.source.connection }
        : { provider: 'bulk', connection: '-' };
  return {
    type: 'startWorkflow',
    workflowType: WorkflowTypes.bulkRevocation,
    taskQueue: client.taskQueue,
    workflowId: `${BULK_ID_PREFIX}${scheduleId}`,
    args: [{ ...jobWithoutScheduleId(input), scheduleId } satisfies BulkRevocationJobInput],
    // The memo `bulk status`/`get` fall back on when no worker answers (client/bulk-jobs.ts shape); no secrets.
    memo: {
      description,
      createdBy,
      ...listing,
      target: source,
      name: job.name,
      source,
      dryRun: job.dryRun,
      concurrency: job.concurrency,
      ...(job.ratePerSecond !== undefined ? { ratePerSecond: job.ratePerSecond } : {}),
      scheduleId,
    },
    typedSearchAttributes: jobAttributes(job),
    staticSummary: bulkJobSummary({ job, scheduleId }),
    staticDetails: bulkJobDetails({ job, scheduleId }),
  };
}

/** Temporal's schedule errors as ours; a spec the server rejects names the spec field. */
function mapScheduleError(err: unknown, scheduleId: string, spec?: BulkScheduleSpecInput): unknown {
  if (err instanceof ScheduleAlreadyRunning)
    return new BulkScheduleAlreadyExistsError(scheduleId, { cause: err });
  if (err instanceof ScheduleNotFoundError)
    return new BulkScheduleNotFoundError(scheduleId, 'not found', { cause: err });
  // The SDK turns the server's "Invalid schedule spec: ..." into a TypeError with the reason.
  if (err instanceof TypeError && spec) {
    const field = /time ?zone/i.test(err.message)
      ? 'spec.timezone'
      : spec.cron !== undefined
        ? 'spec.cron'
        : spec.every !== undefined
          ? /offset/i.test(err.message)
            ? 'spec.offset'
            : 'spec.every'
          : 'spec';
    return new InvalidArgumentError([{ field, description: `rejected by Temporal: ${err.message}` }]);
  }
  return err;
}

async function mapped<T>(scheduleId: string, fn: () => Promise<T>, spec?: BulkScheduleSpecInput): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapScheduleError(err, scheduleId, spec);
  }
}

/** A handle on a schedule that exists and runs bulk revocation jobs, with its description. */
async function bulkHandle(
  client: RevocationClient,
  scheduleId: string,
): Promise<{ handle: ScheduleHandle; description: ScheduleDescription }> {
  const v: Violations = [];
  checkScheduleId(scheduleId, v);
  throwIfAny(v);
  const handle = client.temporal.schedule.getHandle(scheduleId);
  const description = await mapped(scheduleId, () => handle.describe());
  if (description.action.workflowType !== WorkflowTypes.bulkRevocation) {
    throw new BulkScheduleNotFoundError(scheduleId, 'is not a bulk revocation schedule');
  }
  return { handle, description };
}

interface CheckedCreate {
  job: BulkRevocationJob;
  spec: ScheduleSpec;
  overlap: BulkScheduleOverlap;
  catchupWindow?: number;
}

/**
 * Validates create options without any network call (the CLI runs it before connecting).
 * Thrown: InvalidArgumentError naming each bad field (`scheduleId`, `spec.every`, `job.source.path`, ...).
 */
export function checkBulkScheduleOptions(options: CreateBulkScheduleOptions): CheckedCreate {
  const v: Violations = [];
  checkScheduleId(options.scheduleId, v);
  const job = checkJob(options.job, v);
  const spec: ScheduleSpec = compileTiming(options.spec ?? {}, true, v);
  const overlap = options.overlap ?? 'SKIP';
  checkOverlap(overlap, v);
  const catchupWindow =
    options.catchupWindow !== undefined
      ? durationOf(options.catchupWindow, 'catchupWindow', MIN_CATCHUP_MS, v)
      : undefined;
  checkNoteInto(options.note, v);
  throwIfAny(v);
  if (!job) throw new Error('unreachable: the job was validated');
  return { job, spec, overlap, ...(catchupWindow !== undefined ? { catchupWindow } : {}) };
}

/**
 * Creates a schedule whose action starts a `bulkRevocation` job; returns it as described.
 * Thrown: InvalidArgumentError (see `checkBulkScheduleOptions`) before anything is sent;
 * BulkScheduleAlreadyExistsError when the id is taken.
 */
export async function createBulkSchedule(
  client: RevocationClient,
  options: CreateBulkScheduleOptions,
): Promise<BulkScheduleDescription> {
  const { job, spec, overlap, catchupWindow } = checkBulkScheduleOptions(options);
  await mapped(
    options.scheduleId,
    () =>
      client.temporal.schedule.create({
        scheduleId: options.scheduleId,
        spec,
        action: startAction(client, options.scheduleId, options.job, job),
        policies: {
          overlap,
          ...(catchupWindow !== undefined ? { catchupWindow } : {}),
          pauseOnFailure: options.pauseOnFailure === true,
        },
        // Schedules are searchable by job name too (Web UI Schedules page, `schedule list`).
        typedSearchAttributes: [{ key: SearchAttributes.jobName, value: job.name }],
        state: {
          paused: options.paused === true,
          ...(options.note !== undefined ? { note: options.note } : {}),
        },
      }),
    options.spec,
  );
  return describeBulkSchedule(client, options.scheduleId);
}

/**
 * Schedules whose action is a bulk revocation job. From the visibility store, so eventually
 * consistent: a schedule created a moment ago may be missing for a second or two.
 */
export async function listBulkSchedules(client: RevocationClient): Promise<BulkScheduleSummary[]> {
  const out: BulkScheduleSummary[] = [];
  for await (const s of client.temporal.schedule.list()) {
    if (s.action?.workflowType !== WorkflowTypes.bulkRevocation) continue;
    out.push(summaryOf(s));
  }
  return out.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

function summaryOf(s: ScheduleSummary): BulkScheduleSummary {
  const jobName = s.typedSearchAttributes?.get(SearchAttributes.jobName);
  return {
    scheduleId: s.scheduleId,
    ...(jobName ? { jobName } : {}),
    spec: specText(s.spec),
    paused: s.state.paused,
    ...(s.state.note ? { note: s.state.note } : {}),
    nextActionTimes: s.info.nextActionTimes,
    recentActions: s.info.recentActions.map(actionOf),
  };
}

function actionOf(a: ScheduleExecutionResult): BulkScheduleAction {
  return {
    scheduledAt: a.scheduledAt,
    takenAt: a.takenAt,
    workflowId: a.action.workflow.workflowId,
    runId: a.action.workflow.firstExecutionRunId,
  };
}

/**
 * The schedule as it is now (strongly consistent): timing, policies, paused/note, next action
 * times, recent runs with their workflow ids, runs still running, and counters.
 * Thrown: BulkScheduleNotFoundError.
 */
export async function describeBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
): Promise<BulkScheduleDescription> {
  const { description: d } = await bulkHandle(client, scheduleId);
  const stored = (d.action.args?.[0] ?? {}) as BulkRevocationJobInput;
  // The job itself is current at once; the search attribute follows an update a moment later.
  const jobName = stored.name ?? d.typedSearchAttributes.get(SearchAttributes.jobName);
  return {
    scheduleId,
    ...(jobName ? { jobName } : {}),
    job: jobWithoutScheduleId(stored),
    taskQueue: d.action.taskQueue,
    spec: specText(d.spec),
    overlap: d.policies.overlap ?? 'SKIP',
    catchupWindowMs: d.policies.catchupWindow,
    pauseOnFailure: d.policies.pauseOnFailure,
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    nextActionTimes: d.info.nextActionTimes,
    recentActions: d.info.recentActions.map(actionOf),
    running: d.info.runningActions.map((a) => ({
      workflowId: a.workflow.workflowId,
      runId: a.workflow.firstExecutionRunId,
    })),
    numActionsTaken: d.info.numActionsTaken,
    numActionsSkippedOverlap: d.info.numActionsSkippedOverlap,
    numActionsMissedCatchupWindow: d.info.numActionsMissedCatchupWindow,
    createdAt: d.info.createdAt,
    ...(d.info.lastUpdatedAt ? { updatedAt: d.info.lastUpdatedAt } : {}),
  };
}

interface CheckedUpdate {
  job?: BulkRevocationJob;
  timing?: CompiledTiming;
  catchupWindow?: number;
}

/** Validates update changes without any network call. Thrown: InvalidArgumentError naming each bad field. */
export function checkBulkScheduleChanges(
  scheduleId: string,
  changes: UpdateBulkScheduleOptions,
): CheckedUpdate {
  const v: Violations = [];
  checkScheduleId(scheduleId, v);
  const job = changes.job !== undefined ? checkJob(changes.job, v) : undefined;
  const timing = changes.spec !== undefined ? compileTiming(changes.spec, false, v) : undefined;
  if (changes.overlap !== undefined) checkOverlap(changes.overlap, v);
  const catchupWindow =
    changes.catchupWindow !== undefined
      ? durationOf(changes.catchupWindow, 'catchupWindow', MIN_CATCHUP_MS, v)
      : undefined;
  const empty =
    changes.job === undefined &&
    (changes.spec === undefined || Object.values(changes.spec).every((x) => x === undefined)) &&
    changes.overlap === undefined &&
    changes.catchupWindow === undefined &&
    changes.pauseOnFailure === undefined;
  if (empty) {
    v.push({
      field: 'changes',
      description: 'give at least one of job, spec, overlap, catchupWindow, pauseOnFailure',
    });
  }
  throwIfAny(v);
  return {
    ...(job ? { job } : {}),
    ...(timing ? { timing } : {}),
    ...(catchupWindow !== undefined ? { catchupWindow } : {}),
  };
}

/**
 * Changes the job, timing or policies of future runs; running ones are not touched.
 * Thrown: InvalidArgumentError (nothing sent), BulkScheduleNotFoundError.
 */
export async function updateBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  changes: UpdateBulkScheduleOptions,
): Promise<BulkScheduleDescription> {
  const { job, timing, catchupWindow } = checkBulkScheduleChanges(scheduleId, changes);
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(
    scheduleId,
    () =>
      handle.update((prev) => {
        const spec: ScheduleSpec = { ...prev.spec };
        if (timing?.cronExpressions) {
          spec.cronExpressions = timing.cronExpressions;
          spec.calendars = [];
          spec.intervals = [];
        } else if (timing?.intervals) {
          spec.intervals = timing.intervals;
          spec.calendars = [];
          delete spec.cronExpressions;
        }
        if (timing?.timezone !== undefined) spec.timezone = timing.timezone;
        return {
          ...prev,
          spec,
          action:
            job && changes.job
              ? startAction(client, scheduleId, changes.job, job)
              : (prev.action as ScheduleOptionsStartWorkflowAction<Workflow>),
          policies: {
            ...prev.policies,
            ...(changes.overlap !== undefined ? { overlap: changes.overlap } : {}),
            ...(catchupWindow !== undefined ? { catchupWindow } : {}),
            ...(changes.pauseOnFailure !== undefined ? { pauseOnFailure: changes.pauseOnFailure } : {}),
          },
          typedSearchAttributes: job
            ? [{ key: SearchAttributes.jobName, value: job.name }]
            : prev.typedSearchAttributes,
        };
      }),
    changes.spec,
  );
  return describeBulkSchedule(client, scheduleId);
}

/** Stops new runs (running ones continue); trigger and backfill still work while paused. */
export async function pauseBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  note?: string,
): Promise<void> {
  checkNote(note);
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(scheduleId, () => handle.pause(note ?? 'paused'));
}

export async function unpauseBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  note?: string,
): Promise<void> {
  checkNote(note);
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(scheduleId, () => handle.unpause(note ?? 'unpaused'));
}

function checkNoteInto(note: unknown, v: Violations): void {
  if (note !== undefined && (typeof note !== 'string' || note.length > MAX_NOTE)) {
    v.push({ field: 'note', description: `must be at most ${MAX_NOTE} characters` });
  }
}

function checkNote(note: string | undefined): void {
  const v: Violations = [];
  checkNoteInto(note, v);
  throwIfAny(v);
}

/**
 * Runs the job now. The overlap policy defaults to the schedule's own (SKIP unless set), unlike the
 * SDK's `trigger()`, which defaults to ALLOW_ALL. Returns the policy used.
 */
export async function triggerBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  overlap?: BulkScheduleOverlap,
): Promise<BulkScheduleOverlap> {
  const v: Violations = [];
  if (overlap !== undefined) checkOverlap(overlap, v);
  throwIfAny(v);
  const { handle, description } = await bulkHandle(client, scheduleId);
  const policy = overlap ?? description.policies.overlap ?? 'SKIP';
  await mapped(scheduleId, () => handle.trigger(policy));
  return policy;
}

export interface BackfillOptions {
  /** First slot time considered (inclusive). */
  start: Date | string;
  /** Last slot time considered (inclusive). */
  end: Date | string;
  /** @default 'BUFFER_ALL': every past slot runs, one after another. */
  overlap?: BulkScheduleOverlap;
}

function dateOf(value: Date | string, field: string, v: Violations): Date | undefined {
  const d = typeof value === 'string' ? new Date(value) : value;
  if (
    !(d instanceof Date) ||
    Number.isNaN(d.getTime()) ||
    (typeof value === 'string' && !/^\d{4}-\d\d-\d\d/.test(value))
  ) {
    v.push({ field, description: 'must be an ISO 8601 time such as 2026-01-31T03:00:00Z' });
    return undefined;
  }
  return d;
}

/** Validates backfill options without any network call. Thrown: InvalidArgumentError naming `start`, `end`, `overlap`. */
export function checkBackfillOptions(options: BackfillOptions): {
  start: Date;
  end: Date;
  overlap: BulkScheduleOverlap;
} {
  const v: Violations = [];
  const start = dateOf(options.start, 'start', v);
  const end = dateOf(options.end, 'end', v);
  if (start && end && start.getTime() >= end.getTime()) {
    v.push({ field: 'end', description: 'must be later than start' });
  }
  const overlap = options.overlap ?? 'BUFFER_ALL';
  checkOverlap(overlap, v);
  throwIfAny(v);
  if (!start || !end) throw new Error('unreachable: the dates were validated');
  return { start, end, overlap };
}

/**
 * Runs the slots the schedule's spec has between `start` and `end` (both inclusive) as if they had
 * happened, e.g. after an outage; works while paused, and the catch-up window does not apply.
 */
export async function backfillBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  options: BackfillOptions,
): Promise<void> {
  const { start, end, overlap } = checkBackfillOptions(options);
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(scheduleId, () => handle.backfill({ start, end, overlap }));
}

/** Deletes the schedule; runs it started keep running and stay listed. Thrown: BulkScheduleNotFoundError. */
export async function deleteBulkSchedule(client: RevocationClient, scheduleId: string): Promise<void> {
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(scheduleId, () => handle.delete());
}

// ---- rendering the server's spec back into what people write ----

const units: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** `90000` → `90s`, `3600000` → `1h`; the largest unit that divides evenly. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of units) if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

const MONTH_NUMBER: Record<string, number> = {
  JANUARY: 1,
  FEBRUARY: 2,
  MARCH: 3,
  APRIL: 4,
  MAY: 5,
  JUNE: 6,
  JULY: 7,
  AUGUST: 8,
  SEPTEMBER: 9,
  OCTOBER: 10,
  NOVEMBER: 11,
  DECEMBER: 12,
};

function cronField<U extends string | number>(
  ranges: Range<U>[],
  full: [number, number],
  toNumber: (u: U) => number,
  label: (n: number) => string = String,
): string {
  if (ranges.length === 0) return '*';
  return ranges
    .map((r) => {
      const a = toNumber(r.start);
      const b = toNumber(r.end);
      const step = r.step > 1 ? `/${r.step}` : '';
      if (a === full[0] && b === full[1]) return `*${step}`;
      if (a === b || b < a) return label(a);
      return `${label(a)}-${label(b)}${step}`;
    })
    .join(',');
}

const DOW = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** A calendar as a cron expression: 5 fields when it runs at second 0 in every year, else 7. */
export function calendarToCron(c: CalendarSpecDescription): string {
  const num = (u: number) => u;
  const second = cronField(c.second, [0, 59], num);
  const fields = [
    cronField(c.minute, [0, 59], num),
    cronField(c.hour, [0, 23], num),
    cronField(c.dayOfMonth, [1, 31], num),
    cronField(c.month, [1, 12], (m) => MONTH_NUMBER[m] ?? 0),
    cronField(
      c.dayOfWeek,
      [0, 6],
      (d) => DOW.indexOf(d),
      (n) => (DOW[n] ?? String(n)).slice(0, 3),
    ),
  ];
  const year = cronField(c.year, [Number.NaN, Number.NaN], num);
  const expr = second === '0' && year === '*' ? fields.join(' ') : [second, ...fields, year].join(' ');
  return c.comment ? `${expr} # ${c.comment}` : expr;
}

export function specText(spec: ScheduleSpecDescription | undefined): BulkScheduleSpecText {
  return {
    cron: (spec?.calendars ?? []).map(calendarToCron),
    every: (spec?.intervals ?? []).map(
      (i) => `${formatDuration(i.every)}${i.offset ? `+${formatDuration(i.offset)}` : ''}`,
    ),
    ...(spec?.timezone ? { timezone: spec.timezone } : {}),
  };
}
