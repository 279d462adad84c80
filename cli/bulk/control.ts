import { Option, type Command } from 'commander';
import { Code, InvalidArgumentError } from '../../api';
import {
  BulkJobDoneError,
  cancelBulkJob,
  pauseBulkJob,
  resumeBulkJob,
  setBulkThrottle,
  type BulkThrottle,
} from '../../client/bulk-jobs';
import type { CliContext } from '../context';
import type { ExitCodeNumber } from '../exit-codes';
import { badInput, jsonOption, parseNumber } from '../flags';
import { printBulkJob } from './format';
import { addWatchOptions, DEFAULT_CANCEL_WAIT, waitForBulkJob, waitOptionsOf, type WatchFlags } from './wait';

/** A done job cannot be paused, resumed or throttled: show it, say so, exit as its outcome says. */
function printDone(ctx: CliContext, err: BulkJobDoneError, what: string, asJson: boolean): ExitCodeNumber {
  const code = printBulkJob(ctx.io, err.operation, asJson);
  ctx.io.stderr.write(`job ${err.operation.id} is already done; nothing to ${what}\n`);
  return code;
}

const throttleFlagOf: Record<string, string> = {
  ratePerSecond: '--rate/--no-rate (ratePerSecond)',
  concurrency: '--concurrency (concurrency)',
  throttle: '--rate/--no-rate/--concurrency',
};

function addSignalCommand(
  bulk: Command,
  ctx: CliContext,
  name: 'pause' | 'resume',
  describe: { summary: string; description: string },
  run: typeof pauseBulkJob,
): void {
  bulk
    .command(name)
    .summary(describe.summary)
    .description(describe.description)
    .argument('<id>', 'job id')
    .addOption(jsonOption())
    .addHelpText('after', `\nExamples:\n  $ revoke bulk ${name} bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41`)
    .action(async (id: string, flags: { json?: boolean }) => {
      const client = await ctx.client();
      try {
        ctx.exitCode = printBulkJob(ctx.io, await run(client, id), flags.json === true);
      } catch (err) {
        if (!(err instanceof BulkJobDoneError)) throw err;
        ctx.exitCode = printDone(ctx, err, name, flags.json === true);
      }
    });
}

/** `revoke bulk pause` and `revoke bulk resume`. */
export function addPauseResume(bulk: Command, ctx: CliContext): void {
  addSignalCommand(
    bulk,
    ctx,
    'pause',
    {
      summary: 'pause a job after the page in flight',
      description: 'Pause a bulk job: the page in flight finishes, no new page starts until resume',
    },
    pauseBulkJob,
  );
  addSignalCommand(
    bulk,
    ctx,
    'resume',
    {
      summary: 'resume a paused job from its cursor',
      description: 'Resume a paused bulk job from where it stopped (its cursor)',
    },
    resumeBulkJob,
  );
}

/** `revoke bulk throttle`. */
export function addThrottle(bulk: Command, ctx: CliContext): void {
  bulk
    .command('throttle')
    .summary("change a running job's rate or concurrency")
    .description("Change a running job's rate limit and/or concurrency; applies from the next page")
    .argument('<id>', 'job id')
    .addOption(
      new Option('--rate <per-second>', 'provider calls per second for the whole job').argParser(parseNumber),
    )
    .option('--no-rate', 'remove the rate limit')
    .addOption(
      new Option('--concurrency <n>', 'provider calls in flight within a page, 1-100').argParser(parseNumber),
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke bulk throttle bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --rate 5\n  $ revoke bulk throttle bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --no-rate --concurrency 20',
    )
    .action(async (id: string, flags: { rate?: number | false; concurrency?: number; json?: boolean }) => {
      const change: BulkThrottle = {
        ...(flags.rate === false
          ? { ratePerSecond: null }
          : flags.rate !== undefined
            ? { ratePerSecond: flags.rate }
            : {}),
        ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      };
      if (change.ratePerSecond === undefined && change.concurrency === undefined) {
        throw badInput(
          '--rate/--no-rate/--concurrency',
          'nothing to change: give --rate, --no-rate or --concurrency',
        );
      }
      const client = await ctx.client();
      try {
        ctx.exitCode = printBulkJob(ctx.io, await setBulkThrottle(client, id, change), flags.json === true);
      } catch (err) {
        if (err instanceof BulkJobDoneError) {
          ctx.exitCode = printDone(ctx, err, 'throttle', flags.json === true);
          return;
        }
        if (!(err instanceof InvalidArgumentError)) throw err;
        throw new InvalidArgumentError(
          err.violations.map((v) => ({
            field: throttleFlagOf[v.field] ?? v.field,
            description: v.description,
          })),
        );
      }
    });
}

/** `revoke bulk cancel`. */
export function addCancel(bulk: Command, ctx: CliContext): void {
  const cmd = bulk
    .command('cancel')
    .summary('cancel a job; it stops after the page in flight and reports what was done')
    .description(
      'Cancel a bulk job: the page in flight finishes, no new page starts, and the job ends CANCELLED with ' +
        'the report of what was done. Waits for that and prints the report (exit 1: the job ended cancelled)',
    )
    .argument('<id>', 'job id')
    .option('--no-wait', 'return once cancellation is requested, without waiting for the report');
  addWatchOptions(cmd, DEFAULT_CANCEL_WAIT, 'waiting')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke bulk cancel bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41\n  $ revoke bulk cancel bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --no-wait --json',
    )
    .action(async (id: string, flags: WatchFlags & { wait: boolean }) => {
      const asJson = flags.json === true;
      const client = await ctx.client();
      const op = await cancelBulkJob(client, id);
      if (op.done) {
        ctx.exitCode = printBulkJob(ctx.io, op, asJson);
        if (op.error?.code !== Code.CANCELLED) {
          ctx.io.stderr.write(`job ${id} was already done; nothing to cancel\n`);
        }
        return;
      }
      if (!flags.wait) {
        ctx.exitCode = printBulkJob(ctx.io, op, asJson);
        ctx.io.stderr.write(`cancellation of ${id} requested; it stops after the page in flight\n`);
        return;
      }
      ctx.exitCode = await waitForBulkJob(ctx, id, waitOptionsOf(flags, DEFAULT_CANCEL_WAIT, asJson));
    });
}
