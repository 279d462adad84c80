import type { Command } from 'commander';
import { getBulkJob } from '../../client/bulk-jobs';
import type { CliContext } from '../context';
import { badInput, jsonOption } from '../flags';
import { printBulkJob } from './format';
import { addWatchOptions, DEFAULT_BULK_WAIT, waitForBulkJob, waitOptionsOf, type WatchFlags } from './wait';

/** `revoke bulk status`. */
export function addStatus(bulk: Command, ctx: CliContext): void {
  const cmd = bulk
    .command('status')
    .summary('show a job: counts, rate, phase; the report once done')
    .description(
      'Show a bulk job as it is now; with --watch, follow it until done and print the report (exit 1 if it ' +
        'ended cancelled, invalid or with failed targets)',
    )
    .argument('<id>', 'job id, as printed when it started')
    .option('--watch', 'follow the job with live progress until it is done');
  addWatchOptions(cmd, DEFAULT_BULK_WAIT, '--watch')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke bulk status bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41\n  $ revoke bulk status bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --watch --timeout 2h',
    )
    .action(async (id: string, flags: WatchFlags & { watch?: boolean }) => {
      if (!flags.watch && (flags.timeout !== undefined || flags.progressInterval !== undefined)) {
        throw badInput(
          flags.timeout !== undefined ? '--timeout' : '--progress-interval',
          'only applies with --watch',
        );
      }
      const asJson = flags.json === true;
      if (!flags.watch) {
        const client = await ctx.client();
        ctx.exitCode = printBulkJob(ctx.io, await getBulkJob(client, id), asJson);
        return;
      }
      ctx.exitCode = await waitForBulkJob(ctx, id, waitOptionsOf(flags, DEFAULT_BULK_WAIT, asJson));
    });
}
