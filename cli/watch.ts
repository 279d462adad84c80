import { setTimeout as sleep } from 'node:timers/promises';
import { redactTokenCallOperation, type Operation } from '../api';
import { isBulkJobOperation } from '../client/bulk-jobs';
import { OperationWaitTimeoutError } from '../client/errors';
import { printBulkJob } from './bulk/format';
import { waitForBulkJob } from './bulk/wait';
import type { CliContext } from './context';
import { ExitCode, errorLine, type ExitCodeNumber } from './exit-codes';
import { formatOperation, formatOperationLine, statusText } from './format';

/** Longest a timer can wait (setTimeout fires at once past 2^31-1 ms); "no timeout" means this. */
const FOREVER_MS = 2 ** 31 - 1;

/** Erase the previous drawing: cursor up `n` lines, then clear to the end of the screen. */
const eraseLines = (n: number) => (n > 0 ? `\x1b[${n}A\x1b[0J` : '');

export interface WatchOptions {
  intervalMs: number;
  /** Exit 4 when the operation is still running after this long. @default no limit */
  timeoutMs?: number;
  asJson: boolean;
}

/**
 * Prints the operation each time it changes until it is done, then exits as `wait` does: 0 done,
 * 1 done with an error, 4 still running at the timeout. A terminal sees the operation redrawn in
 * place; a pipe gets one line per change; `--json` gets one Operation per line (NDJSON).
 */
export async function watchOperation(
  ctx: CliContext,
  id: string,
  opts: WatchOptions,
): Promise<ExitCodeNumber> {
  const client = await ctx.client();
  const first = await client.get(id);
  if (isBulkJobOperation(first) && !opts.asJson) {
    if (first.done) return ctx.printOperation(first, false);
    // A job has its own live view: a progress bar (or lines) on stderr, then the report.
    return waitForBulkJob(ctx, id, {
      timeout: opts.timeoutMs ?? FOREVER_MS,
      asJson: false,
      intervalMs: opts.intervalMs,
    });
  }
  const out = ctx.io.stdout;
  const redraw = !opts.asJson && out.isTTY === true;
  const deadline = Date.now() + Math.min(opts.timeoutMs ?? FOREVER_MS, FOREVER_MS);
  let shown: string | undefined;
  let drawnLines = 0;
  const show = (op: Operation) => {
    const seen = JSON.stringify(redactTokenCallOperation(op));
    if (seen === shown) return;
    shown = seen;
    if (opts.asJson) {
      out.write(`${seen}\n`);
    } else if (redraw) {
      const text = formatOperation(op, ctx.style);
      out.write(eraseLines(drawnLines) + text);
      drawnLines = text.split('\n').length - 1;
    } else {
      out.write(formatOperationLine(op, ctx.style));
    }
  };
  for (let op = first; ; op = await client.get(id)) {
    show(op);
    if (op.done) {
      // A job's exit code also counts its failed targets; its report was printed as JSON above.
      if (isBulkJobOperation(op)) return printBulkJob({ ...ctx.io, stdout: { write: () => true } }, op, true);
      if (!op.error) return ExitCode.ok;
      ctx.io.stderr.write(`error: operation ${op.id} ended with ${statusText(op.error)}\n`);
      return ExitCode.operationFailed;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      ctx.io.stderr.write(`${errorLine(new OperationWaitTimeoutError(id, opts.timeoutMs ?? FOREVER_MS))}\n`);
      return ExitCode.waitTimeout;
    }
    await sleep(Math.min(opts.intervalMs, left));
  }
}
