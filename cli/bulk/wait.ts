import { Option, type Command } from 'commander';
import { durationMs } from '../../api';
import { getBulkJob, watchBulkJob, type BulkJobOperation } from '../../client/bulk-jobs';
import { OperationWaitTimeoutError } from '../../client/errors';
import type { CliContext } from '../context';
import { ExitCode, errorLine, type ExitCodeNumber } from '../exit-codes';
import { parseDuration } from '../flags';
import { createBulkProgress } from '../progress';
import { printBulkJob } from './format';

/** Bulk jobs run for minutes to hours; `--wait` and `--watch` wait this long unless told. */
export const DEFAULT_BULK_WAIT = '1h';
/** `bulk cancel` waits this long for the page in flight to finish. */
export const DEFAULT_CANCEL_WAIT = '5m';

export interface WatchFlags {
  json?: boolean | string;
  timeout?: number;
  progress?: boolean;
  progressInterval?: number;
}

export interface BulkWaitOptions {
  timeout: number;
  asJson: boolean;
  progress?: boolean;
  intervalMs?: number;
}

/** How `--wait`/`--watch` waits, from its flags; `defaultTimeout` unless `--timeout`. */
export function waitOptionsOf(flags: WatchFlags, defaultTimeout: string, asJson: boolean): BulkWaitOptions {
  return {
    timeout: flags.timeout ?? durationMs(defaultTimeout),
    asJson,
    ...(flags.progress === false ? { progress: false } : {}),
    ...(flags.progressInterval !== undefined ? { intervalMs: flags.progressInterval } : {}),
  };
}

/**
 * Watches the job until it is done, with a live bar on a TTY stderr and plain lines otherwise, then
 * prints the report; exit 4 when still running at the timeout (the job keeps running). `revoke wait`
 * on a job can call this too.
 */
export async function waitForBulkJob(
  ctx: CliContext,
  id: string,
  options: BulkWaitOptions,
): Promise<ExitCodeNumber> {
  const client = await ctx.client();
  const tty = ctx.io.stderr.isTTY === true;
  const intervalMs = options.intervalMs ?? (tty ? 1_000 : 2_000);
  const progress =
    options.progress === false
      ? undefined
      : createBulkProgress(ctx.io.stderr, id, { lineIntervalMs: intervalMs });
  let final: BulkJobOperation;
  try {
    final = await watchBulkJob(client, id, (op) => progress?.update(op), {
      intervalMs: Math.min(intervalMs, 1_000),
      timeout: options.timeout,
    });
  } catch (err) {
    progress?.stop();
    if (!(err instanceof OperationWaitTimeoutError)) throw err;
    // It may have finished since the timeout fired; then its own outcome counts.
    const now = await getBulkJob(client, id);
    const code = printBulkJob(ctx.io, now, options.asJson);
    if (now.done) return code;
    ctx.io.stderr.write(`${errorLine(err)}\n`);
    return ExitCode.waitTimeout;
  }
  progress?.stop();
  return printBulkJob(ctx.io, final, options.asJson);
}

export function addWatchOptions(cmd: Command, defaultTimeout: string, waitFlag: string): Command {
  return cmd
    .addOption(
      new Option(
        '--timeout <duration>',
        `with ${waitFlag}: how long to wait (default ${defaultTimeout})`,
      ).argParser(parseDuration),
    )
    .addOption(
      new Option(
        '--progress-interval <duration>',
        `with ${waitFlag}: how often progress is shown (default 1s at a terminal, 2s otherwise)`,
      ).argParser(parseDuration),
    )
    .option('--no-progress', `with ${waitFlag}: no progress on stderr, only the report`);
}
