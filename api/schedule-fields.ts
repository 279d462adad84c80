import { z } from 'zod';
import { durationMs } from './duration';
import { describeIssue } from './validation';

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

export const MIN_SCHEDULE_EVERY_MS = 1_000;
export const MIN_SCHEDULE_CATCHUP_MS = 10_000;
export const MAX_SCHEDULE_NOTE = 1_000;
export const MAX_SCHEDULE_CRON = 10;
const MAX_CRON_LENGTH = 256;

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

const scheduleIdMessage = 'must be 1-200 letters, digits, ".", "_" or "-"';

/** A schedule id; each run's workflow id is `bulk-<scheduleId>-<action time>`. */
export const bulkScheduleId = z
  .string({ error: scheduleIdMessage })
  .regex(/^[A-Za-z0-9._-]{1,200}$/, scheduleIdMessage);

export const bulkScheduleOverlap = z.enum(bulkScheduleOverlaps, {
  error: `must be one of ${bulkScheduleOverlaps.join(', ')}`,
});

const noteMessage = `must be at most ${MAX_SCHEDULE_NOTE} characters`;

/** Why a schedule is paused (or any note), shown in the Web UI. */
export const bulkScheduleNote = z.string({ error: noteMessage }).max(MAX_SCHEDULE_NOTE, noteMessage);

const durationMessage = 'must be a duration such as 30s, 15m, 1h or 1d';

/**
 * Milliseconds of a duration given as a number of ms or text such as `30s` or `1.5h`, at least
 * `min`. Parsed by `durationMs`, the parser the workflow's own timing uses.
 */
export function scheduleDuration(min: number) {
  return z
    .union([z.number(), z.string().regex(/^\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)$/, durationMessage)], {
      error: durationMessage,
    })
    .transform(durationMs)
    .refine((ms) => ms >= min, `must be at least ${formatDuration(min)}`);
}

const cronTextMessage = `must be a cron expression of at most ${MAX_CRON_LENGTH} characters on one line`;

/**
 * One cron expression as Temporal takes it: 5-7 fields (minute … day-of-week, then year; or second
 * first with year), or `@daily` and friends, with an optional `CRON_TZ=` prefix and `#` comment.
 * The server checks the fields' values; this catches what is plainly not cron before any call.
 */
export const cronExpression = z
  .string({ error: cronTextMessage })
  .refine((s) => s.trim() !== '' && s.length <= MAX_CRON_LENGTH && !/[\r\n]/.test(s), {
    message: cronTextMessage,
    abort: true,
  })
  .superRefine((expr, ctx) => {
    const body = expr
      .replace(/#.*$/, '')
      .replace(/^\s*CRON_TZ=\S+\s*/, '')
      .trim();
    if (body.startsWith('@')) return;
    const n = body.split(/\s+/).length;
    if (n < 5 || n > 7) {
      ctx.addIssue({
        code: 'custom',
        message: `must have 5-7 fields ("minute hour day-of-month month day-of-week [year]"), got ${n}`,
      });
    }
  })
  .transform((expr) => expr.trim());

const cronCountMessage = `must hold 1-${MAX_SCHEDULE_CRON} expressions`;

/** A list of cron expressions: the count is checked, and each expression by its index. */
export const cronExpressionList = z
  .array(z.unknown())
  .min(1, cronCountMessage)
  .max(MAX_SCHEDULE_CRON, cronCountMessage)
  // Over the maximum, zod stops at the count before reading any element (a huge list costs nothing).
  .superRefine((list, ctx) => {
    list.forEach((expr, i) => parseInto(ctx, cronExpression, expr, [i]));
  })
  .transform((list) => list.map((expr) => (expr as string).trim()));

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

/** An IANA time zone name, e.g. `Europe/Berlin`, as the server will accept it. */
export const ianaTimeZone = z.string({ error: 'must be a string' }).superRefine((name, ctx) => {
  const problem = timeZoneProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const timeMessage = 'must be an ISO 8601 time such as 2026-01-31T03:00:00Z';

/** A point in time: a valid Date, or ISO 8601 text starting with the date (`2026-01-31T03:00:00Z`). */
export const isoTime = z
  .union([z.date(), z.string().regex(/^\d{4}-\d\d-\d\d/, timeMessage)], { error: timeMessage })
  .transform((value) => (typeof value === 'string' ? new Date(value) : value))
  .refine((d) => !Number.isNaN(d.getTime()), timeMessage);

/**
 * Parses `value` with `schema` inside a refinement, adding its issues under `path` (relative to the
 * value being refined). For checks whose order or conditions depend on sibling fields.
 */
export function parseInto<S extends z.ZodType>(
  ctx: z.core.$RefinementCtx,
  schema: S,
  value: unknown,
  path: PropertyKey[],
): z.output<S> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', path: [...path, ...issue.path], message: describeIssue(issue) });
  }
  return undefined;
}
