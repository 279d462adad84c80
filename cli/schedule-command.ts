import { Option, type Command } from 'commander';
import {
  InvalidArgumentError,
  revocationRequest,
  secretsOf,
  type BulkRevocationJobInput,
  type FieldViolation,
} from '../api';
import {
  backfillBulkSchedule,
  BulkScheduleAlreadyExistsError,
  BulkScheduleNotFoundError,
  bulkScheduleOverlaps,
  checkBackfillOptions,
  checkBulkScheduleChanges,
  checkBulkScheduleOptions,
  createBulkSchedule,
  deleteBulkSchedule,
  describeBulkSchedule,
  formatDuration,
  listBulkSchedules,
  pauseBulkSchedule,
  triggerBulkSchedule,
  unpauseBulkSchedule,
  updateBulkSchedule,
  type BulkScheduleDescription,
  type BulkScheduleOverlap,
  type BulkScheduleSpecInput,
  type BulkScheduleSpecText,
  type BulkScheduleSummary,
  type CreateBulkScheduleOptions,
  type UpdateBulkScheduleOptions,
} from '../client/schedules';
import type { CliContext } from './context';
import { ExitCode, errorLine } from './exit-codes';
import { json } from './format';
import { badInput, collect, jsonOption, parseJsonInput, readInputFile } from './flags';

const overlapChoices = bulkScheduleOverlaps.map((o) => o.toLowerCase().replace(/_/g, '-'));
const toOverlap = (flag: string | undefined): BulkScheduleOverlap | undefined =>
  flag === undefined ? undefined : (flag.toUpperCase().replace(/-/g, '_') as BulkScheduleOverlap);

const overlapHelp = `Overlap (a run is due while the previous one still runs):
  skip             the due run is dropped (default; counted as "skipped")
  buffer-one       it starts when the running one ends; at most one waits
  buffer-all       every due run waits its turn
  cancel-other     the running one is cancelled (it reports what it did), then the new one starts
  terminate-other  the running one is terminated, then the new one starts
  allow-all        runs overlap freely`;

const scheduleExitCodes = `Exit codes:
  0  success
  1  an unexpected failure
  2  bad input (the flag and field are named; nothing was changed), or create: the schedule id is taken
  3  Temporal could not be reached, or the configuration is wrong
  5  no bulk revocation schedule has the id`;

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
function action<A extends unknown[]>(
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

interface JobFlags {
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

/** The job from `--job '<json>'` or `--job-file PATH` (`-` = stdin); `createdBy` defaults to --created-by, then $USER. */
async function jobFromFlags(
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
    const createdBy = flags.createdBy ?? (ctx.io.env.USER || ctx.io.env.USERNAME || undefined);
    if (job.createdBy === undefined && createdBy !== undefined) job.createdBy = createdBy;
  }
  return value as BulkRevocationJobInput;
}

interface TimingFlags {
  every?: string;
  offset?: string;
  cron?: string[];
  timezone?: string;
}

function specFromFlags(flags: TimingFlags): BulkScheduleSpecInput {
  return {
    ...(flags.cron !== undefined
      ? { cron: flags.cron.length === 1 ? (flags.cron[0] ?? '') : flags.cron }
      : {}),
    ...(flags.every !== undefined ? { every: flags.every } : {}),
    ...(flags.offset !== undefined ? { offset: flags.offset } : {}),
    ...(flags.timezone !== undefined ? { timezone: flags.timezone } : {}),
  };
}

function addTimingOptions(cmd: Command): Command {
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

function addJobOptions(cmd: Command): Command {
  return cmd
    .option('--job-file <path>', 'the bulk job as JSON (as for "bulk start"); "-" reads stdin')
    .option('--job <json>', 'the bulk job as inline JSON (no secrets: inline tokens need --job-file)')
    .option('--created-by <who>', 'recorded on every run unless the job names one (default: $USER)');
}

const overlapOption = (what: string) => new Option('--overlap <policy>', what).choices(overlapChoices);

// ---- output ----

function lines(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

export function specLine(spec: BulkScheduleSpecText): string {
  const parts = [...spec.cron.map((c) => `cron "${c}"`), ...spec.every.map((e) => `every ${e}`)];
  return `${parts.join(', ') || 'no timing'}${spec.cron.length > 0 ? ` (${spec.timezone ?? 'UTC'})` : ''}`;
}

/** The job without inline requests, which may hold tokens: they are counted, never printed. */
export function redactJob(job: BulkRevocationJobInput): BulkRevocationJobInput {
  const source = job.source as { kind?: string; requests?: unknown[] } | undefined;
  if (source?.kind !== 'inline' || !Array.isArray(source.requests)) return job;
  return {
    ...job,
    source: {
      kind: 'inline',
      requestCount: source.requests.length,
    } as unknown as BulkRevocationJobInput['source'],
  };
}

function jobLine(job: BulkRevocationJobInput): string {
  const s = job.source as { kind?: string; requests?: unknown[]; path?: string; connection?: string };
  const source =
    s?.kind === 'inline'
      ? `${s.requests?.length ?? 0} inline requests`
      : s?.kind === 'ndjson'
        ? `ndjson ${s.path ?? ''}`
        : `${s?.kind ?? '?'}${s?.connection ? ` (${s.connection})` : ''}`;
  return `${job.name}: ${source}${job.dryRun ? ', dry run' : ''}${job.ratePerSecond ? `, ${job.ratePerSecond}/s` : ''}`;
}

export function formatSchedule(d: BulkScheduleDescription): string {
  return lines([
    ['schedule', d.scheduleId],
    ['job', jobLine(d.job)],
    ['spec', specLine(d.spec)],
    ['overlap', d.overlap],
    ['state', d.paused ? `PAUSED${d.note ? `: ${d.note}` : ''}` : 'ACTIVE'],
    [
      'next runs',
      d.paused
        ? undefined
        : d.nextActionTimes
            .slice(0, 3)
            .map((t) => t.toISOString())
            .join(', '),
    ],
    [
      'runs',
      `${d.numActionsTaken} started, ${d.numActionsSkippedOverlap} skipped (overlap), ${d.numActionsMissedCatchupWindow} missed (catch-up window ${formatDuration(d.catchupWindowMs)})`,
    ],
    ['running', d.running.map((r) => r.workflowId).join(', ')],
    ...d.recentActions
      .slice(-5)
      .reverse()
      .map((a, i): [string, string] => [
        i === 0 ? 'recent runs' : '',
        `${a.scheduledAt.toISOString()}  ${a.workflowId}`,
      ]),
    ['task queue', d.taskQueue],
    ['created', d.createdAt.toISOString()],
    ['updated', d.updatedAt?.toISOString()],
  ]);
}

export function formatScheduleList(list: BulkScheduleSummary[]): string {
  if (list.length === 0) return 'no bulk revocation schedules\n';
  const header = ['SCHEDULE', 'JOB', 'SPEC', 'STATE', 'NEXT RUN', 'LAST RUN'];
  const rows = list.map((s) => [
    s.scheduleId,
    s.jobName ?? '-',
    specLine(s.spec),
    s.paused ? 'PAUSED' : 'ACTIVE',
    s.paused ? '-' : (s.nextActionTimes[0]?.toISOString() ?? '-'),
    s.recentActions.at(-1)?.workflowId ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n') + '\n';
}

function printSchedule(ctx: CliContext, d: BulkScheduleDescription, asJson: boolean): void {
  ctx.io.stdout.write(asJson ? json({ ...d, job: redactJob(d.job) }) : formatSchedule(d));
  ctx.exitCode = ExitCode.ok;
}

// ---- commands ----

interface CreateFlags extends TimingFlags, JobFlags {
  scheduleId: string;
  overlap?: string;
  catchupWindow?: string;
  paused?: boolean;
  note?: string;
  pauseOnFailure?: boolean;
  json?: boolean;
}

interface UpdateFlags extends TimingFlags, JobFlags {
  overlap?: string;
  catchupWindow?: string;
  pauseOnFailure?: boolean;
  json?: boolean;
}

function addCreate(schedule: Command, ctx: CliContext): void {
  const cmd = schedule
    .command('create')
    .summary('create a schedule that runs a bulk revocation job')
    .description(
      'Create a Temporal Schedule whose every run starts the bulk revocation job; each run is an operation ' +
        'bulk-<schedule-id>-<time> whose metadata.scheduleId names the schedule',
    )
    .requiredOption('--schedule-id <id>', '1-200 letters, digits, ".", "_" or "-"');
  addTimingOptions(cmd);
  addJobOptions(cmd)
    .addOption(overlapOption('what to do when a run is due while one still runs (default skip)'))
    .option(
      '--catchup-window <duration>',
      'how late a missed run may still start (at least 10s; default 1 year)',
    )
    .option('--pause-on-failure', 'pause the schedule when a run fails')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with the schedule, e.g. why it is paused')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Give exactly one of --every and --cron, and the job with --job-file or --job.

${overlapHelp}

Examples:
  $ revoke schedule create --schedule-id nightly-yandex --cron "0 3 * * *" --timezone Europe/Berlin \\
      --job '{"name":"nightly","source":{"kind":"yandex-list","subjectId":"ajeabc123"}}'
  $ revoke schedule create --schedule-id hourly-sweep --every 1h --job-file sweep-job.json --overlap buffer-one
  $ revoke schedule create --schedule-id drill --every 1d --offset 2h --paused --note "enable after review" --job-file job.json --json`,
    )
    .action(
      action(ctx, async (flags: CreateFlags) => {
        const job = await jobFromFlags(flags, ctx, true);
        const overlap = toOverlap(flags.overlap);
        const options: CreateBulkScheduleOptions = {
          scheduleId: flags.scheduleId,
          job: job as BulkRevocationJobInput,
          spec: specFromFlags(flags),
          ...(overlap !== undefined ? { overlap } : {}),
          ...(flags.catchupWindow !== undefined ? { catchupWindow: flags.catchupWindow } : {}),
          ...(flags.paused ? { paused: true } : {}),
          ...(flags.note !== undefined ? { note: flags.note } : {}),
          ...(flags.pauseOnFailure ? { pauseOnFailure: true } : {}),
        };
        checkBulkScheduleOptions(options); // before connecting: bad input exits 2 with Temporal down
        const client = await ctx.client();
        printSchedule(ctx, await createBulkSchedule(client, options), flags.json === true);
      }),
    );
}

function addList(schedule: Command, ctx: CliContext): void {
  schedule
    .command('list')
    .summary('list bulk revocation schedules')
    .description(
      'List the schedules whose action is a bulk revocation job (visibility store: eventually consistent)',
    )
    .addOption(jsonOption())
    .addHelpText('after', '\nExamples:\n  $ revoke schedule list\n  $ revoke schedule list --json')
    .action(
      action(ctx, async (flags: { json?: boolean }) => {
        const client = await ctx.client();
        const list = await listBulkSchedules(client);
        ctx.io.stdout.write(flags.json ? json(list) : formatScheduleList(list));
        ctx.exitCode = ExitCode.ok;
      }),
    );
}

function addDescribe(schedule: Command, ctx: CliContext): void {
  schedule
    .command('describe')
    .summary('show a schedule: timing, state, next and recent runs')
    .description(
      'Show a schedule as it is now: timing, overlap, paused and note, next run times, recent runs with their ' +
        'operation ids, runs still running, and counters (inline job requests are counted, never printed)',
    )
    .argument('<id>', 'schedule id')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke schedule describe nightly-yandex\n  $ revoke get $(revoke schedule describe nightly-yandex --json | jq -r ".recentActions[-1].workflowId")',
    )
    .action(
      action(ctx, async (id: string, flags: { json?: boolean }) => {
        const client = await ctx.client();
        printSchedule(ctx, await describeBulkSchedule(client, id), flags.json === true);
      }),
    );
}

function addUpdate(schedule: Command, ctx: CliContext): void {
  const cmd = schedule
    .command('update')
    .summary("change a schedule's job, timing or overlap")
    .description('Change the job, timing or policies of future runs; runs already started are not touched')
    .argument('<id>', 'schedule id');
  addTimingOptions(cmd);
  addJobOptions(cmd)
    .addOption(overlapOption('the new overlap policy'))
    .option('--catchup-window <duration>', 'how late a missed run may still start (at least 10s)')
    .option('--pause-on-failure', 'pause the schedule when a run fails')
    .option('--no-pause-on-failure', 'keep running after a failed run')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
--every or --cron replaces the timing; --timezone alone changes only the zone of the cron expressions.

Examples:
  $ revoke schedule update nightly-yandex --cron "30 2 * * *"
  $ revoke schedule update nightly-yandex --timezone America/New_York
  $ revoke schedule update hourly-sweep --job-file sweep-job-v2.json --overlap buffer-all`,
    )
    .action(
      action(ctx, async (id: string, flags: UpdateFlags) => {
        const job = await jobFromFlags(flags, ctx, false);
        const spec = specFromFlags(flags);
        const overlap = toOverlap(flags.overlap);
        const changes: UpdateBulkScheduleOptions = {
          ...(job !== undefined ? { job } : {}),
          ...(Object.keys(spec).length > 0 ? { spec } : {}),
          ...(overlap !== undefined ? { overlap } : {}),
          ...(flags.catchupWindow !== undefined ? { catchupWindow: flags.catchupWindow } : {}),
          ...(flags.pauseOnFailure !== undefined ? { pauseOnFailure: flags.pauseOnFailure } : {}),
        };
        checkBulkScheduleChanges(id, changes);
        const client = await ctx.client();
        printSchedule(ctx, await updateBulkSchedule(client, id, changes), flags.json === true);
      }),
    );
}

function addPauseUnpause(schedule: Command, ctx: CliContext): void {
  for (const verb of ['pause', 'unpause'] as const) {
    schedule
      .command(verb)
      .summary(verb === 'pause' ? 'stop starting new runs' : 'start runs again')
      .description(
        verb === 'pause'
          ? 'Pause a schedule: no new runs start (running ones continue); trigger and backfill still work'
          : 'Unpause a schedule: runs start again at the next slot (missed slots within the catch-up window run too)',
      )
      .argument('<id>', 'schedule id')
      .option('--note <text>', 'why, shown with the schedule in the CLI and the Web UI')
      .addOption(jsonOption())
      .addHelpText('after', `\nExamples:\n  $ revoke schedule ${verb} nightly-yandex --note "incident 1234"`)
      .action(
        action(ctx, async (id: string, flags: { note?: string; json?: boolean }) => {
          const client = await ctx.client();
          if (verb === 'pause') await pauseBulkSchedule(client, id, flags.note);
          else await unpauseBulkSchedule(client, id, flags.note);
          const d = await describeBulkSchedule(client, id);
          if (flags.json) printSchedule(ctx, d, true);
          else ctx.io.stdout.write(`${verb}d schedule ${id}${flags.note ? ` (${flags.note})` : ''}\n`);
          ctx.exitCode = ExitCode.ok;
        }),
      );
  }
}

function addTrigger(schedule: Command, ctx: CliContext): void {
  schedule
    .command('trigger')
    .summary('run the job now')
    .description(
      "Start a run now, also while paused. The overlap policy is the schedule's own unless --overlap is given " +
        '(with skip, nothing starts while a run is still running)',
    )
    .argument('<id>', 'schedule id')
    .addOption(overlapOption("overlap policy for this run (default: the schedule's)"))
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke schedule trigger nightly-yandex\n  $ revoke schedule trigger nightly-yandex --overlap allow-all',
    )
    .action(
      action(ctx, async (id: string, flags: { overlap?: string; json?: boolean }) => {
        const client = await ctx.client();
        const overlap = await triggerBulkSchedule(client, id, toOverlap(flags.overlap));
        ctx.io.stdout.write(
          flags.json
            ? json({ scheduleId: id, triggered: true, overlap })
            : `triggered schedule ${id} (overlap ${overlap}); see "revoke schedule describe ${id}" for the run\n`,
        );
        ctx.exitCode = ExitCode.ok;
      }),
    );
}

function addBackfill(schedule: Command, ctx: CliContext): void {
  schedule
    .command('backfill')
    .summary('run the slots of a past time range')
    .description(
      "Run every slot the schedule's timing has between --start and --end (both inclusive) as if it had happened, " +
        'e.g. after an outage; works while paused',
    )
    .argument('<id>', 'schedule id')
    .requiredOption('--start <time>', 'ISO 8601 time, e.g. 2026-01-30T00:00:00Z')
    .requiredOption('--end <time>', 'ISO 8601 time, later than --start')
    .addOption(
      overlapOption('overlap policy for the backfilled runs (default buffer-all: each runs in turn)'),
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke schedule backfill nightly-yandex --start 2026-01-28T00:00:00Z --end 2026-01-31T00:00:00Z',
    )
    .action(
      action(
        ctx,
        async (id: string, flags: { start: string; end: string; overlap?: string; json?: boolean }) => {
          const overlap = toOverlap(flags.overlap);
          const options = {
            start: flags.start,
            end: flags.end,
            ...(overlap !== undefined ? { overlap } : {}),
          };
          const checked = checkBackfillOptions(options);
          const client = await ctx.client();
          await backfillBulkSchedule(client, id, options);
          ctx.io.stdout.write(
            flags.json
              ? json({ scheduleId: id, backfill: checked })
              : `backfill of ${id} from ${checked.start.toISOString()} to ${checked.end.toISOString()} requested (overlap ${checked.overlap})\n`,
          );
          ctx.exitCode = ExitCode.ok;
        },
      ),
    );
}

function addDelete(schedule: Command, ctx: CliContext): void {
  schedule
    .command('delete')
    .summary('delete a schedule (runs already started continue)')
    .description('Delete a schedule; runs it already started keep running and stay visible as operations')
    .argument('<id>', 'schedule id')
    .addOption(jsonOption())
    .addHelpText('after', '\nExamples:\n  $ revoke schedule delete nightly-yandex')
    .action(
      action(ctx, async (id: string, flags: { json?: boolean }) => {
        const client = await ctx.client();
        await deleteBulkSchedule(client, id);
        ctx.io.stdout.write(
          flags.json ? json({ scheduleId: id, deleted: true }) : `deleted schedule ${id}\n`,
        );
        ctx.exitCode = ExitCode.ok;
      }),
    );
}

/** `revoke schedule create|list|describe|update|pause|unpause|trigger|backfill|delete`. */
export function addScheduleCommand(program: Command, ctx: CliContext): void {
  const schedule = program
    .command('schedule')
    .summary('run bulk revocation jobs on a schedule (Temporal Schedules)')
    .description(
      'Temporal Schedules whose action is a bulk revocation job: cron or interval timing in a time zone, an overlap ' +
        'policy (default skip), pause, trigger now, backfill. They show on the Web UI Schedules page; each run is ' +
        'an operation bulk-<schedule-id>-<time> naming its schedule (metadata.scheduleId)',
    )
    .addHelpText(
      'after',
      `
${scheduleExitCodes}

Examples:
  $ revoke schedule create --schedule-id nightly-yandex --cron "0 3 * * *" --timezone Europe/Berlin --job-file job.json
  $ revoke schedule list
  $ revoke schedule describe nightly-yandex --json
  $ revoke schedule pause nightly-yandex --note "incident 1234"
  $ revoke schedule trigger nightly-yandex
  $ revoke schedule backfill nightly-yandex --start 2026-01-28T00:00:00Z --end 2026-01-31T00:00:00Z
  $ revoke schedule delete nightly-yandex`,
    );
  addCreate(schedule, ctx);
  addList(schedule, ctx);
  addDescribe(schedule, ctx);
  addUpdate(schedule, ctx);
  addPauseUnpause(schedule, ctx);
  addTrigger(schedule, ctx);
  addBackfill(schedule, ctx);
  addDelete(schedule, ctx);
}
