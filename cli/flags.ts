import { readFile } from 'node:fs/promises';
import { InvalidArgumentError as UsageError, Option, type Command } from 'commander';
import { durationMs, InvalidArgumentError } from '../api';
import { readStdin, type CliIo } from './io';

/** One bad flag value: exit 2, naming the flag (or `--flag (field)`) the user typed. */
export function badInput(field: string, description: string): InvalidArgumentError {
  return new InvalidArgumentError([{ field, description }]);
}

/**
 * JSON given with `field`. Thrown on bad JSON: InvalidArgumentError naming `field`, saying
 * `description` (default "not valid JSON") and where it broke.
 */
export function parseJsonInput(text: string, field: string, description = 'not valid JSON'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // V8's message quotes the input around the error, which may hold a token: keep the position only.
    const at = err instanceof Error ? /position \d+/.exec(err.message)?.[0] : undefined;
    throw badInput(field, `${description}${at ? ` (at ${at})` : ''}`);
  }
}

/** The text of `path`, or of stdin when it is `-`. Thrown when unreadable: InvalidArgumentError naming `field`. */
export async function readInputFile(path: string, io: CliIo, field: string): Promise<string> {
  try {
    return path === '-' ? await readStdin(io) : await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : 'error');
    throw badInput(field, `cannot read ${path === '-' ? 'stdin' : path} (${reason})`);
  }
}

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

/** commander parser for numeric flags whose range a schema checks (so the error names the field). */
export function parseNumber(value: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value)) throw new UsageError('must be a number');
  return Number(value);
}

/** commander parser of a repeatable flag: every value, in order. */
export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

export const jsonOption = () => new Option('--json', 'print the result as one JSON document on stdout');

/** Options of every command that starts an operation. */
export function addStartOptions(cmd: Command, defaultTimeout: string): Command {
  return cmd
    .option('--request-id <key>', 'idempotency key: repeating the command with it returns the same operation')
    .option('--description <text>', 'shown in the Temporal Web UI; 0-256 characters, no secret')
    .option('--created-by <who>', 'who asked, recorded and searchable (default: user@host)')
    .option('--wait', 'wait until the operation is done')
    .addOption(
      new Option(
        '--timeout <duration>',
        `with --wait: how long to wait (default ${defaultTimeout})`,
      ).argParser(parseDuration),
    );
}
