import type { Command } from 'commander';
import type { BulkRevocationJobInput } from '../../api';
import {
  checkBulkScheduleChanges,
  checkBulkScheduleOptions,
  createBulkSchedule,
  updateBulkSchedule,
  type CreateBulkScheduleOptions,
  type UpdateBulkScheduleOptions,
} from '../../client/schedules';
import type { CliContext } from '../context';
import { jsonOption } from '../flags';
import {
  action,
  addJobOptions,
  addTimingOptions,
  jobFromFlags,
  overlapHelp,
  overlapOption,
  specFromFlags,
  toOverlap,
  type JobFlags,
  type TimingFlags,
} from './flags';
import { printSchedule } from './format';

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

/** `revoke schedule create`. */
export function addCreate(schedule: Command, ctx: CliContext): void {
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

/** `revoke schedule update`. */
export function addUpdate(schedule: Command, ctx: CliContext): void {
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
