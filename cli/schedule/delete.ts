import type { Command } from 'commander';
import { deleteBulkSchedule } from '../../client/schedules';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { jsonOption } from '../flags';
import { json } from '../format';
import { action } from './flags';

/** `revoke schedule delete`. */
export function addDelete(schedule: Command, ctx: CliContext): void {
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
