import {
  InvalidArgumentError,
  parseRevocationRequest,
  parseRevokeTokensInput,
  secretsOf,
  type FieldViolation,
  type RevocationRequestInput,
} from '../api';
import type { RevokeOptions } from '../client/revocation-client';
import { badInput, parseJsonInput, readInputFile } from './flags';
import { readStdin, type CliIo } from './io';
import { checkRequestId } from '../client/idempotent-start';

/** Options shared by every command that starts an operation. */
export interface StartFlags {
  requestId?: string;
  description?: string;
  createdBy?: string;
}

export interface YandexFlags extends StartFlags {
  connection?: string;
  refreshTokenId?: string;
  refreshTokenStdin?: boolean;
  refreshTokenEnv?: string;
  /** Refused: a token on the command line lands in shell history and `ps`. */
  refreshToken?: string | boolean;
  clientId?: string;
  subjectId?: string;
  clientInstanceInfo?: string;
  all?: boolean;
}

const selectorFlags =
  '--refresh-token-id, --refresh-token-stdin, --refresh-token-env, a filter (--client-id, --subject-id, --client-instance-info)';

/** Where a secret comes from on the command line: never argv, always stdin or a named variable. */
export interface SecretSource {
  stdin?: boolean;
  envVar?: string;
}

/**
 * Reads a secret (a token) from stdin or a named environment variable; the value never appears in
 * any message. Thrown on an empty source: InvalidArgumentError naming the flag.
 */
export async function secretFrom(
  source: SecretSource,
  io: CliIo,
  flags: { stdin: string; env: string; what: string },
): Promise<string | undefined> {
  if (source.stdin) {
    if (io.stderr.isTTY && (io.stdin === undefined || io.stdin === process.stdin) && process.stdin.isTTY) {
      io.stderr.write(`reading the ${flags.what} from stdin (end with Ctrl-D)\n`);
    }
    let text: string;
    try {
      text = await readStdin(io);
    } catch (err) {
      throw badInput(flags.stdin, `cannot read stdin (${err instanceof Error ? err.message : 'error'})`);
    }
    const secret = text.trim();
    if (!secret) throw badInput(flags.stdin, `stdin was empty; pipe the ${flags.what} into the command`);
    return secret;
  }
  if (source.envVar !== undefined) {
    const secret = io.env[source.envVar]?.trim();
    if (!secret) throw badInput(flags.env, `environment variable ${source.envVar} is not set or empty`);
    return secret;
  }
  return undefined;
}

function refreshTokenFrom(flags: YandexFlags, io: CliIo): Promise<string | undefined> {
  return secretFrom({ stdin: flags.refreshTokenStdin, envVar: flags.refreshTokenEnv }, io, {
    stdin: '--refresh-token-stdin',
    env: '--refresh-token-env',
    what: 'refresh token',
  });
}

/** The `yandex-cloud` request from flags. Thrown on conflicting, missing or invalid selectors: InvalidArgumentError. */
export async function yandexRequestFromFlags(flags: YandexFlags, io: CliIo): Promise<RevocationRequestInput> {
  if (flags.refreshToken !== undefined) {
    throw badInput(
      '--refresh-token',
      'a token is never accepted on the command line (shell history, ps); use --refresh-token-stdin or --refresh-token-env VAR',
    );
  }
  const filter = {
    ...(flags.clientId !== undefined ? { clientId: flags.clientId } : {}),
    ...(flags.subjectId !== undefined ? { subjectId: flags.subjectId } : {}),
    ...(flags.clientInstanceInfo !== undefined ? { clientInstanceInfo: flags.clientInstanceInfo } : {}),
  };
  const chosen = [
    flags.refreshTokenId !== undefined && '--refresh-token-id',
    flags.refreshTokenStdin && '--refresh-token-stdin',
    flags.refreshTokenEnv !== undefined && '--refresh-token-env',
    Object.keys(filter).length > 0 && '--client-id/--subject-id/--client-instance-info',
    flags.all && '--all',
  ].filter((c): c is string => typeof c === 'string');
  if (chosen.length > 1) {
    throw badInput(chosen[1] ?? '--all', `only one selector may be given (got ${chosen.join(' and ')})`);
  }
  if (chosen.length === 0) {
    throw badInput(
      '--all',
      `nothing selected: pass ${selectorFlags}, or --all to revoke every refresh token of the calling subject`,
    );
  }
  const refreshToken = await refreshTokenFrom(flags, io);
  return {
    provider: 'yandex-cloud',
    ...(flags.connection !== undefined ? { connection: flags.connection } : {}),
    ...(flags.refreshTokenId !== undefined ? { refreshTokenId: flags.refreshTokenId } : {}),
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(Object.keys(filter).length > 0 ? { revokeFilter: filter } : {}),
  };
}

export interface StartSourceFlags {
  request?: string;
  /** `--json` with a value is the request, inline; alone it only selects JSON output. */
  json?: string | boolean;
  file?: string;
}

/**
 * The request of `start`, from `--request`/`--json` (inline), `--file PATH` or `--file -` (stdin).
 * An inline request must not carry a secret: the command line is visible in `ps` and shell history.
 */
export async function requestFromSource(flags: StartSourceFlags, io: CliIo): Promise<RevocationRequestInput> {
  const inline = [
    flags.request !== undefined && { field: '--request', text: flags.request },
    typeof flags.json === 'string' && { field: '--json', text: flags.json },
  ].filter((s): s is { field: string; text: string } => s !== false);
  const count = inline.length + (flags.file !== undefined ? 1 : 0);
  if (count === 0)
    throw badInput(
      '--file',
      "give the request as --file PATH, --file - (stdin), or inline with --json '{...}'",
    );
  if (count > 1)
    throw badInput('--file', "give the request once: one of --json '{...}', --request '{...}', --file");
  let value: unknown;
  let field: string;
  const source = inline[0];
  if (source) {
    field = source.field;
    value = parseJsonInput(source.text, field);
  } else {
    field = '--file';
    value = parseJsonInput(await readInputFile(flags.file as string, io, '--file'), field);
  }
  const request = parseRevocationRequest(value);
  if (source) {
    const secrets = new Set(secretsOf(request));
    if (secrets.size > 0) {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((k) => typeof record[k] === 'string' && secrets.has(record[k]));
      throw new InvalidArgumentError(
        (keys.length > 0 ? keys : ['']).map((k) => ({
          field: k ? `request.${k}` : 'request',
          description: `a secret is never accepted on the command line (${field}); pass the request with --file PATH or --file - (stdin)`,
        })),
      );
    }
  }
  return value as RevocationRequestInput;
}

/** Input fields → the flags that set them, so errors name what the user typed. */
export const startFlagOfField: Record<string, string> = {
  requestId: '--request-id',
  description: '--description',
  createdBy: '--created-by',
};

export const yandexFlagOfField: Record<string, string> = {
  ...startFlagOfField,
  'request.connection': '--connection',
  'request.refreshTokenId': '--refresh-token-id',
  'request.revokeFilter': '--client-id/--subject-id/--client-instance-info',
  'request.revokeFilter.clientId': '--client-id',
  'request.revokeFilter.subjectId': '--subject-id',
  'request.revokeFilter.clientInstanceInfo': '--client-instance-info',
};

/**
 * Validates what will be sent before connecting, so bad input exits 2 even with Temporal down, and
 * names the flag next to the field.
 */
export function checkRevokeInput(
  request: RevocationRequestInput,
  options: RevokeOptions,
  flagOfField: Record<string, string>,
): void {
  try {
    parseRevokeTokensInput({
      request,
      ...(options.description !== undefined ? { description: options.description } : {}),
      ...(options.createdBy !== undefined ? { createdBy: options.createdBy } : {}),
    });
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    throw new InvalidArgumentError(
      err.violations.map((v): FieldViolation => {
        const flag = flagOfField[v.field];
        return flag ? { field: `${flag} (${v.field})`, description: v.description } : v;
      }),
    );
  }
  checkRequestId(options.requestId, `${flagOfField.requestId ?? '--request-id'} (requestId)`);
}
