import { InvalidArgumentError as UsageError, Option, type Command } from 'commander';
import { durationMs } from '../api';

/** commander parser: `30s`, `500ms`, `2m` → milliseconds. */
export function parseDuration(value: string): number {
  let ms: number;
  try {
    ms = durationMs(value);
  } catch {
    throw new UsageError('must be a duration such as 30s, 500ms or 2m');
  }
  if (ms <= 0) throw new UsageError('must be longer than 0');
  return ms;
}

export function parsePageSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 1000) {
    throw new UsageError('must be an integer from 1 to 1000');
  }
  return n;
}

export const jsonOption = () => new Option('--json', 'print the result as one JSON document on stdout');

/** Options of every command that starts an operation. */
export function addStartOptions(cmd: Command, defaultTimeout: string): Command {
  return cmd
    .option('--request-id <key>', 'idempotency key: repeating the command with it returns the same operation')
    .option('--description <text>', 'shown in the Temporal Web UI; 0-256 characters, no secret')
    .option('--created-by <who>', 'who asked, recorded and searchable (default: $USER)')
    .option('--wait', 'wait until the operation is done')
    .addOption(
      new Option(
        '--timeout <duration>',
        `with --wait: how long to wait (default ${defaultTimeout})`,
      ).argParser(parseDuration),
    );
}
