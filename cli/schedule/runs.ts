import type { Command } from 'commander';
import {
  backfillBulkSchedule,
  checkBackfillOptions,
  describeBulkSchedule,
  pauseBulkSchedule,
  triggerBulkSchedule,
  unpauseBulkSchedule,
} from '../../client/schedules';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { jsonOption } from '../flags';
import { json } from '../format';
import { action, overlapOption, toOverlap } from './flags';
import { printSchedule } from './format';

/** `revoke schedule pause` and `revoke schedule unpause`. */
export function addPauseUnpause(schedule: Command, ctx: CliContext): void {
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

/** `revoke schedule trigger`. */
export function addTrigger(schedule: Command, ctx: CliContext): void {
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

/** `revoke schedule backfill`. */
export function addBackfill(schedule: Command, ctx: CliContext): void {
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
