import { Option, type Command } from 'commander';
import { isBulkJobOperation } from '../client/bulk-jobs';
import { waitForBulkJob } from './bulk/wait';
import { Code, durationMs } from '../api';
import { OperationNotFoundError, OperationWaitTimeoutError } from '../client/errors';
import type { CliContext } from './context';
import { ExitCode, errorLine } from './exit-codes';
import { formatList, formatOperation, json } from './format';
import { badInput, jsonOption, parseDuration, parsePageSize } from './flags';
import { watchOperation } from './watch';

const DEFAULT_WAIT = '30s';
const DEFAULT_WATCH_INTERVAL = '1s';

export function addGetCommand(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .summary('show an operation (--watch: until it is done)')
    .description(
      'Show an operation as it is now (exit 1 if it ended in error). With --watch, show it each time it ' +
        'changes until it is done, and exit as "wait" does',
    )
    .argument('<id>', 'operation id, as printed when it started')
    .option(
      '--watch',
      'follow the operation until it is done: redrawn at a terminal, a line per change otherwise',
    )
    .addOption(
      new Option(
        '--interval <duration>',
        `with --watch: how often to read it (default ${DEFAULT_WATCH_INTERVAL})`,
      ).argParser(parseDuration),
    )
    .addOption(
      new Option(
        '--timeout <duration>',
        'with --watch: exit 4 if still running after this long (default: no limit)',
      ).argParser(parseDuration),
    )
    .addOption(
      new Option('--json', 'print the Operation as JSON; with --watch, one Operation per line (NDJSON)'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ revoke get revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --json
  $ revoke get revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --watch
  $ revoke get revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --watch --interval 5s --timeout 10m --json | jq -c .metadata`,
    )
    .action(
      async (id: string, flags: { json?: boolean; watch?: boolean; interval?: number; timeout?: number }) => {
        if (!flags.watch) {
          const needsWatch =
            flags.interval !== undefined
              ? '--interval'
              : flags.timeout !== undefined
                ? '--timeout'
                : undefined;
          if (needsWatch) throw badInput(needsWatch, 'only applies with --watch');
          const client = await ctx.client();
          ctx.exitCode = ctx.printOperation(await client.get(id), flags.json === true);
          return;
        }
        ctx.exitCode = await watchOperation(ctx, id, {
          intervalMs: flags.interval ?? durationMs(DEFAULT_WATCH_INTERVAL),
          ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
          asJson: flags.json === true,
        });
      },
    );
}

export function addWaitCommand(program: Command, ctx: CliContext): void {
  program
    .command('wait')
    .summary('wait until an operation is done')
    .description('Wait until an operation is done and show it (exit 4 if still running at the timeout)')
    .argument('<id>', 'operation id')
    .addOption(
      new Option('--timeout <duration>', `how long to wait (default ${DEFAULT_WAIT})`).argParser(
        parseDuration,
      ),
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke wait revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --timeout 2m',
    )
    .action(async (id: string, flags: { json?: boolean; timeout?: number }) => {
      const client = await ctx.client();
      const timeout = flags.timeout ?? durationMs(DEFAULT_WAIT);
      const now = await client.get(id);
      if (isBulkJobOperation(now) && !now.done) {
        ctx.exitCode = await waitForBulkJob(ctx, id, { timeout, asJson: flags.json === true });
        return;
      }
      ctx.progress(`waiting up to ${timeout / 1000}s for ${id}`);
      try {
        ctx.exitCode = ctx.printOperation(await client.wait(id, { timeout }), flags.json === true);
      } catch (err) {
        if (!(err instanceof OperationWaitTimeoutError)) throw err;
        const now = await client.get(id);
        ctx.exitCode = ctx.printOperation(now, flags.json === true);
        if (now.done) return;
        ctx.io.stderr.write(`${errorLine(err)}\n`);
        ctx.exitCode = ExitCode.waitTimeout;
      }
    });
}

export function addCancelCommand(program: Command, ctx: CliContext): void {
  program
    .command('cancel')
    .summary('cancel a running operation')
    .description(
      'Request cancellation of a running operation; it ends CANCELLED once the provider was asked to stop, or SUCCEEDED marked "cancel too late" when the provider had already finished',
    )
    .argument('<id>', 'operation id')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke cancel revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 && revoke wait revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41',
    )
    .action(async (id: string, flags: { json?: boolean }) => {
      const client = await ctx.client();
      let op;
      try {
        op = await client.cancel(id);
      } catch (err) {
        // Temporal may answer "not found" for a closed workflow; `get` tells the two apart.
        if (!(err instanceof OperationNotFoundError)) throw err;
        op = await client.get(id);
      }
      ctx.io.stdout.write(flags.json ? json(op) : formatOperation(op, ctx.style));
      if (op.done && op.error?.code !== Code.CANCELLED) {
        ctx.io.stderr.write(`operation ${id} was already done; nothing to cancel\n`);
      }
      ctx.exitCode = ExitCode.ok;
    });
}

export function addListCommand(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .summary('list operations by provider, subject and state')
    .description('List operations, newest first, from the Temporal visibility store (eventually consistent)')
    .option('--provider <key>', 'only this provider, e.g. yandex-cloud')
    .option('--subject <id>', 'only operations naming this subject')
    .addOption(new Option('--done', 'only operations that are done').conflicts('running'))
    .addOption(new Option('--running', 'only operations still running').conflicts('done'))
    .addOption(
      new Option('--page-size <n>', 'operations per page, 1-1000 (default 50)').argParser(parsePageSize),
    )
    .option('--page-token <token>', 'the next page, as printed by the previous page')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke list --provider yandex-cloud --running\n  $ revoke list --subject ajeabc --json',
    )
    .action(
      async (flags: {
        provider?: string;
        subject?: string;
        done?: boolean;
        running?: boolean;
        pageSize?: number;
        pageToken?: string;
        json?: boolean;
      }) => {
        const client = await ctx.client();
        const result = await client.list({
          ...(flags.provider !== undefined ? { provider: flags.provider } : {}),
          ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
          ...(flags.done ? { done: true } : flags.running ? { done: false } : {}),
          ...(flags.pageSize !== undefined ? { pageSize: flags.pageSize } : {}),
          ...(flags.pageToken !== undefined ? { pageToken: flags.pageToken } : {}),
        });
        ctx.io.stdout.write(flags.json ? json(result) : formatList(result, ctx.style));
        ctx.exitCode = ExitCode.ok;
      },
    );
}
