import { z } from 'zod';
import { bulkRevocationJob, type BulkRevocationJobInput } from './bulk-job';
import {
  bulkScheduleId,
  bulkScheduleNote,
  bulkScheduleOverlap,
  cronExpression,
  cronExpressionList,
  ianaTimeZone,
  isoTime,
  MIN_SCHEDULE_CATCHUP_MS,
  MIN_SCHEDULE_EVERY_MS,
  parseInto,
  scheduleDuration,
  type BulkScheduleOverlap,
} from './schedule-fields';
import { parseOrThrow } from './validation';

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

export interface BackfillOptions {
  /** First slot time considered (inclusive). */
  start: Date | string;
  /** Last slot time considered (inclusive). */
  end: Date | string;
  /** @default 'BUFFER_ALL': every past slot runs, one after another. */
  overlap?: BulkScheduleOverlap;
}

/** A schedule's timing as Temporal's ScheduleSpec takes it: milliseconds, trimmed expressions. */
export interface BulkScheduleTiming {
  cronExpressions?: string[];
  intervals?: Array<{ every: number; offset?: number }>;
  timezone?: string;
}

/**
 * A spec's timing. Its rules depend on each other (exactly one of cron and every; an offset only
 * with every, shorter than it), so one transform checks the fields in the order the errors name
 * them: `spec`, `spec.cron`, `spec.offset`, `spec.every`, `spec.timezone`. `requireTiming`: exactly
 * one of cron and every (create); otherwise at most one (update, where a time zone alone is a change).
 */
function scheduleTiming(requireTiming: boolean) {
  return z
    .object({
      cron: z.unknown().optional(),
      every: z.unknown().optional(),
      offset: z.unknown().optional(),
      timezone: z.unknown().optional(),
    })
    .transform((spec, ctx): BulkScheduleTiming => {
      const out: BulkScheduleTiming = {};
      const hasCron = spec.cron !== undefined;
      const hasEvery = spec.every !== undefined;
      if (hasCron && hasEvery) {
        ctx.addIssue({ code: 'custom', message: 'give exactly one of spec.cron and spec.every, not both' });
      } else if (requireTiming && !hasCron && !hasEvery) {
        ctx.addIssue({
          code: 'custom',
          message: 'give exactly one of spec.cron (e.g. "0 3 * * *") and spec.every (e.g. "1h")',
        });
      }
      if (hasCron) {
        const cron = Array.isArray(spec.cron)
          ? parseInto(ctx, cronExpressionList, spec.cron, ['cron'])
          : parseInto(ctx, cronExpression, spec.cron, ['cron']);
        if (cron !== undefined) out.cronExpressions = Array.isArray(cron) ? cron : [cron];
      }
      if (spec.offset !== undefined && !hasEvery) {
        ctx.addIssue({ code: 'custom', path: ['offset'], message: 'only applies with spec.every' });
      }
      if (hasEvery) {
        const every = parseInto(ctx, scheduleDuration(MIN_SCHEDULE_EVERY_MS), spec.every, ['every']);
        const offset =
          spec.offset !== undefined
            ? parseInto(ctx, scheduleDuration(0), spec.offset, ['offset'])
            : undefined;
        if (every !== undefined && offset !== undefined && offset >= every) {
          ctx.addIssue({ code: 'custom', path: ['offset'], message: 'must be shorter than spec.every' });
        }
        if (every !== undefined) out.intervals = [{ every, ...(offset ? { offset } : {}) }];
      }
      if (spec.timezone !== undefined) {
        const timezone = parseInto(ctx, ianaTimeZone, spec.timezone, ['timezone']);
        if (timezone !== undefined) out.timezone = timezone;
      }
      return out;
    });
}

const catchupWindow = scheduleDuration(MIN_SCHEDULE_CATCHUP_MS);

/**
 * Options of a new schedule. Unknown fields are dropped, as they always were. The job's issues are
 * named under `job.` (`job.source.path`); a missing spec is an empty one, so it names `spec`.
 */
export const createBulkScheduleOptions = z.object({
  scheduleId: bulkScheduleId,
  job: bulkRevocationJob,
  spec: scheduleTiming(true).prefault({}),
  overlap: bulkScheduleOverlap.default('SKIP'),
  catchupWindow: catchupWindow.optional(),
  paused: z.boolean().default(false),
  note: bulkScheduleNote.optional(),
  pauseOnFailure: z.boolean().default(false),
});

/** Changes to a schedule, with the id of the schedule they change; at least one change. */
export const updateBulkScheduleChanges = z
  .object({
    scheduleId: bulkScheduleId,
    job: bulkRevocationJob.optional(),
    spec: scheduleTiming(false).optional(),
    overlap: bulkScheduleOverlap.optional(),
    catchupWindow: catchupWindow.optional(),
    pauseOnFailure: z.boolean().optional(),
  })
  .superRefine(
    (c, ctx) => {
      // A field with an issue was given; the spec's output holds only what it changes.
      const given = (key: string) => ctx.issues.some((i) => i.path?.[0] === key);
      const empty =
        (['job', 'overlap', 'catchupWindow', 'pauseOnFailure'] as const).every(
          (k) => c[k] === undefined && !given(k),
        ) &&
        !given('spec') &&
        (c.spec === undefined || Object.values(c.spec).every((x) => x === undefined));
      if (empty) {
        ctx.addIssue({
          code: 'custom',
          path: ['changes'],
          message: 'give at least one of job, spec, overlap, catchupWindow, pauseOnFailure',
        });
      }
    },
    // Also when a field is wrong, so one error names everything.
    { when: () => true },
  );

export const backfillOptions = z
  .object({ start: isoTime, end: isoTime, overlap: bulkScheduleOverlap.default('BUFFER_ALL') })
  .superRefine(
    (o, ctx) => {
      if (o.start.getTime() >= o.end.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be later than start' });
      }
    },
    { when: (p) => !p.issues.some((i) => i.path?.[0] === 'start' || i.path?.[0] === 'end') },
  );

export type CheckedBulkSchedule = z.output<typeof createBulkScheduleOptions>;
export type CheckedBulkScheduleChanges = z.output<typeof updateBulkScheduleChanges>;
export type CheckedBackfillOptions = z.output<typeof backfillOptions>;

/** Thrown when invalid: InvalidArgumentError naming each bad field (`scheduleId`, `spec.every`, `job.source.path`, ...). */
export function parseCreateBulkSchedule(options: CreateBulkScheduleOptions): CheckedBulkSchedule {
  return parseOrThrow(createBulkScheduleOptions, options, '');
}

/** Thrown when invalid: InvalidArgumentError naming each bad field, or `changes` when there is none. */
export function parseBulkScheduleChanges(
  scheduleId: string,
  changes: UpdateBulkScheduleOptions,
): CheckedBulkScheduleChanges {
  return parseOrThrow(updateBulkScheduleChanges, { ...changes, scheduleId }, '');
}

/** Thrown when invalid: InvalidArgumentError naming `start`, `end`, `overlap`. */
export function parseBackfillOptions(options: BackfillOptions): CheckedBackfillOptions {
  return parseOrThrow(backfillOptions, options, '');
}
