import type { Command } from 'commander';
import { describeBulkSchedule, listBulkSchedules } from '../../client/schedules';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { jsonOption } from '../flags';
import { json } from '../format';
import { action } from './flags';
import { formatScheduleList, printSchedule } from './format';

/** `revoke schedule list`. */
export function addList(schedule: Command, ctx: CliContext): void {
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

/** `revoke schedule describe`. */
export function addDescribe(schedule: Command, ctx: CliContext): void {
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
