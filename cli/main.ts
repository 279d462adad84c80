import { CommanderError } from 'commander';
import { CliContext } from './context';
import { ExitCode, errorLine, exitCodeOf } from './exit-codes';
import { processIo, type CliIo } from './io';
import { buildProgram } from './program';

export type { CliIo } from './io';
export { ExitCode } from './exit-codes';

/**
 * Runs the `revoke` CLI on `argv` shaped like `process.argv` (node, script, ...args) and returns the
 * exit code (see `revoke --help`). Never throws and never exits the process.
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const ctx = new CliContext(io);
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'node' });
    return ctx.exitCode;
  } catch (err) {
    // commander has already printed its own message (usage errors, help).
    if (!(err instanceof CommanderError)) io.stderr.write(`${errorLine(err)}\n`);
    return exitCodeOf(err);
  } finally {
    await ctx.close();
  }
}

/** Runs the CLI as this process: `process.argv`, stdio, and the exit code as the process's. */
export function main(): void {
  // `revoke list | head` closes stdout early; that is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
    throw err;
  });
  runCli(process.argv).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${errorLine(err)}\n`);
      process.exit(ExitCode.operationFailed);
    },
  );
}

if (require.main === module) main();
