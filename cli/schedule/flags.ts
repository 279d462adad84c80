import { Option, type Command } from 'commander';
import {
  InvalidArgumentError,
  revocationRequest,
  secretsOf,
  type BulkRevocationJobInput,
  type FieldViolation,
} from '../../api';
import {
  BulkScheduleAlreadyExistsError,
  BulkScheduleNotFoundError,
  bulkScheduleOverlaps,
  type BulkScheduleOverlap,
  type BulkScheduleSpecInput,
} from '../../client/schedules';
import { cliIdentity } from '../connect';
import type { CliContext } from '../context';
import { ExitCode, errorLine } from '../exit-codes';
import { badInput, collect, parseJsonInput, readInputFile } from '../flags';

const overlapChoices = bulkScheduleOverlaps.map((o) => o.toLowerCase().replace(/_/g, '-'));
export const toOverlap = (flag: string | undefined): BulkScheduleOverlap | undefined =>
  flag === undefined ? undefined : (flag.toUpperCase().replace(/-/g, '_') as BulkScheduleOverlap);

export const overlapHelp = `Overlap (a run is due while the previous one still runs):
  skip             the due run is dropped (default; counted as "skipped")
  buffer-one       it starts when the running one ends; at most one waits
  buffer-all       every due run waits its turn
  cancel-other     the running one is cancelled (it reports what it did), then the new one starts
  terminate-other  the running one is terminated, then the new one starts
  allow-all        runs overlap freely`;

/** Schedule fields → the flags that set them, so errors name what the user typed. */
function flagOf(field: string): string | undefined {
  if (field.startsWith('job')) return '--job/--job-file';
  if (field.startsWith('spec.cron')) return '--cron';
  return {
    scheduleId: '--schedule-id',
    spec: '--every/--cron',
    'spec.every': '--every',
    'spec.offset': '--offset',
    'spec.timezone': '--timezone',
    overlap: '--overlap',
    catchupWindow: '--catchup-window',
    note: '--note',
    start: '--start',
    end: '--end',
    changes: '--job/--job-file/--every/--cron/--timezone/--overlap/--catchup-window/--pause-on-failure',
  }[field];
}

function withFlags(err: InvalidArgumentError): InvalidArgumentError {
  return new InvalidArgumentError(
    err.violations.map((v): FieldViolation => {
      const flag = flagOf(v.field);
      return flag ? { field: `${flag} (${v.field})`, description: v.description } : v;
    }),
  );
}

/**
 * Wraps an action: schedule errors get their exit codes (id taken → 2, not found → 5), and
 * validation errors name the flag next to the field.
 */
export function action<A extends unknown[]>(
  ctx: CliContext,
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw withFlags(err);
      if (err instanceof BulkScheduleAlreadyExistsError || err instanceof BulkScheduleNotFoundError) {
        ctx.io.stderr.write(`${errorLine(err)}\n`);
        ctx.exitCode = err instanceof BulkScheduleNotFoundError ? ExitCode.notFound : ExitCode.badInput;
        return;
      }
      throw err;
    }
  };
}

export interface JobFlags {
  job?: string;
  jobFile?: string;
  createdBy?: string;
}

const parseJobJson = (text: string, flag: string): unknown => parseJsonInput(text, flag, 'is not valid JSON');

/** Inline requests with tokens must not come from argv (shell history, `ps`); a file or stdin is fine. */
function refuseSecretsOnCommandLine(job: unknown): void {
  const source = (job as { source?: { kind?: unknown; requests?: unknown } } | null)?.source;
  if (source?.kind !== 'inline' || !Array.isArray(source.requests)) return;
  const violations: FieldViolation[] = [];
  source.requests.forEach((raw: unknown, i) => {
    const parsed = revocationRequest.safeParse(raw);
    if (!parsed.success) return;
    const secrets = new Set(secretsOf(parsed.data));
    if (secrets.size === 0) return;
    const record = raw as Record<string, unknown>;
    for (const k of Object.keys(record).filter((key) => secrets.has(record[key] as string))) {
      violations.push({
        field: `--job (job.source.requests.${i}.${k})`,
        description:
          'a secret is never accepted on the command line; pass the job with --job-file PATH or --job-file - (stdin)',
      });
    }
  });
  if (violations.length > 0) throw new InvalidArgumentError(violations);
}

/** The job from `--job '<json>'` or `--job-file PATH` (`-` = stdin); `createdBy` defaults to --created-by, then user@host. */
export async function jobFromFlags(
  flags: JobFlags,
  ctx: CliContext,
  required: boolean,
): Promise<BulkRevocationJobInput | undefined> {
  if (flags.job !== undefined && flags.jobFile !== undefined) {
    throw badInput('--job', 'give the job once: --job JSON or --job-file PATH, not both');
  }
  let value: unknown;
  if (flags.job !== undefined) {
    value = parseJobJson(flags.job, '--job');
    refuseSecretsOnCommandLine(value);
  } else if (flags.jobFile !== undefined) {
    value = parseJobJson(await readInputFile(flags.jobFile, ctx.io, '--job-file'), '--job-file');
  } else {
    if (required) {
      throw badInput(
        '--job/--job-file',
        "give the job as --job-file PATH, --job-file - (stdin) or --job '{...}'",
      );
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const job = value as Record<string, unknown>;
    if (job.createdBy === undefined) job.createdBy = flags.createdBy ?? cliIdentity(ctx.io.env);
  }
  return value as BulkRevocationJobInput;
}

export interface TimingFlags {
  every?: string;
  offset?: string;
  cron?: string[];
  timezone?: string;
}

export function specFromFlags(flags: TimingFlags): BulkScheduleSpecInput {
  return {
    ...(flags.cron !== undefined
      ? { cron: flags.cron.length === 1 ? (flags.cron[0] ?? '') : flags.cron }
      : {}),
    ...(flags.every !== undefined ? { every: flags.every } : {}),
    ...(flags.offset !== undefined ? { offset: flags.offset } : {}),
    ...(flags.timezone !== undefined ? { timezone: flags.timezone } : {}),
  };
}

export function addTimingOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--every <duration>', 'run at a fixed interval, e.g. 1h, 30m, 1d (at least 1s)').conflicts(
        'cron',
      ),
    )
    .addOption(
      new Option('--cron <expr>', 'run on a cron expression, e.g. "0 3 * * *" (repeatable)')
        .argParser(collect)
        .conflicts('every'),
    )
    .option(
      '--offset <duration>',
      'with --every: shift the slots, e.g. --every 1d --offset 3h runs at 03:00 UTC',
    )
    .option('--timezone <zone>', 'IANA time zone for --cron, e.g. Europe/Berlin (default UTC)');
}

export function addJobOptions(cmd: Command): Command {
  return cmd
    .option('--job-file <path>', 'the bulk job as JSON (as for "bulk start"); "-" reads stdin')
    .option('--job <json>', 'the bulk job as inline JSON (no secrets: inline tokens need --job-file)')
    .option('--created-by <who>', 'recorded on every run unless the job names one (default: user@host)');
}

export const overlapOption = (what: string) => new Option('--overlap <policy>', what).choices(overlapChoices);
