import { Option, type Command } from 'commander';
import { authleteActions, type RevocationRequestInput } from '../api';
import { AuthleteTokens } from '../client/authlete-tokens';
import { formatRevokePreview } from './authlete-tokens-format';
import type { CliContext } from './context';
import type { CliIo } from './io';
import { addStartOptions, badInput, jsonOption } from './flags';
import { json } from './format';
import { checkRevokeInput, secretFrom, startFlagOfField, type StartFlags } from './requests';
import {
  checkTimeoutNeedsWait,
  DEFAULT_WAIT,
  revokeOptions,
  startOperation,
  type WaitFlags,
} from './start-commands';

export interface AuthleteFlags extends StartFlags {
  connection?: string;
  serviceId?: string;
  action?: string;
  accessTokenHash?: string;
  accessTokenIdentifierStdin?: boolean;
  accessTokenIdentifierEnv?: string;
  refreshTokenHash?: string;
  refreshTokenIdentifierStdin?: boolean;
  refreshTokenIdentifierEnv?: string;
  clientIdentifier?: string;
  subject?: string;
  /** Refused: a token on the command line lands in shell history and `ps`. */
  accessTokenIdentifier?: string | boolean;
  refreshTokenIdentifier?: string | boolean;
  /** List what a by-client and/or by-subject revoke would hit, and revoke nothing. */
  preview?: boolean;
}

/** What the token list shows: base64url SHA-256, 43 characters. A hash is not a secret; a value is. */
const hashPattern = /^[A-Za-z0-9_-]{43}$/;

type Kind = 'access' | 'refresh';

const flagNames = (kind: Kind) => ({
  hash: `--${kind}-token-hash`,
  stdin: `--${kind}-token-identifier-stdin`,
  env: `--${kind}-token-identifier-env`,
  value: `--${kind}-token-identifier`,
});

/** The identifier of one token kind from at most one of its three sources, and the flag it came from. */
async function identifierFrom(
  kind: Kind,
  source: { hash?: string; stdin?: boolean; env?: string; value?: string | boolean },
  io: CliIo,
): Promise<{ value: string; flag: string } | undefined> {
  const f = flagNames(kind);
  if (source.value !== undefined) {
    throw badInput(
      f.value,
      `a token is never accepted on the command line (shell history, ps); use ${f.stdin}, ${f.env} VAR, or ${f.hash} with the hash from the token list`,
    );
  }
  const used = [
    source.hash !== undefined && f.hash,
    source.stdin && f.stdin,
    source.env !== undefined && f.env,
  ].filter((x): x is string => typeof x === 'string');
  if (used.length > 1)
    throw badInput(used[1] ?? f.hash, `give the ${kind} token once (got ${used.join(' and ')})`);
  if (source.hash !== undefined) {
    if (!hashPattern.test(source.hash)) {
      throw badInput(
        f.hash,
        `must be a token hash as the token list shows it (43 base64url characters); pass a token value with ${f.stdin} or ${f.env}`,
      );
    }
    return { value: source.hash, flag: f.hash };
  }
  const value = await secretFrom({ stdin: source.stdin, envVar: source.env }, io, {
    stdin: f.stdin,
    env: f.env,
    what: `${kind} token`,
  });
  return value === undefined ? undefined : { value, flag: source.stdin ? f.stdin : f.env };
}

/** The `authlete` request from flags. Thrown on conflicting, missing or invalid flags: InvalidArgumentError. */
export async function authleteRequestFromFlags(
  flags: AuthleteFlags,
  io: CliIo,
): Promise<{ request: RevocationRequestInput; flagOfField: Record<string, string> }> {
  if (flags.serviceId === undefined) {
    throw badInput('--service-id', 'is required: the numeric Authlete service ID, such as 715948317');
  }
  if (flags.accessTokenIdentifierStdin && flags.refreshTokenIdentifierStdin) {
    throw badInput(
      '--refresh-token-identifier-stdin',
      'stdin holds one token; pass the other with its -env flag',
    );
  }
  const access = await identifierFrom(
    'access',
    {
      hash: flags.accessTokenHash,
      stdin: flags.accessTokenIdentifierStdin,
      env: flags.accessTokenIdentifierEnv,
      value: flags.accessTokenIdentifier,
    },
    io,
  );
  const refresh = await identifierFrom(
    'refresh',
    {
      hash: flags.refreshTokenHash,
      stdin: flags.refreshTokenIdentifierStdin,
      env: flags.refreshTokenIdentifierEnv,
      value: flags.refreshTokenIdentifier,
    },
    io,
  );
  if (!access && !refresh && flags.clientIdentifier === undefined && flags.subject === undefined) {
    throw badInput(
      '--access-token-hash',
      'nothing selected: pass an access token (--access-token-hash, --access-token-identifier-stdin, --access-token-identifier-env), ' +
        'a refresh token (--refresh-token-hash, --refresh-token-identifier-stdin, --refresh-token-identifier-env), ' +
        'or --client-identifier and/or --subject',
    );
  }
  const accessFlags = '--access-token-hash/--access-token-identifier-stdin/--access-token-identifier-env';
  return {
    request: {
      provider: 'authlete',
      ...(flags.connection !== undefined ? { connection: flags.connection } : {}),
      serviceId: flags.serviceId,
      ...(flags.action !== undefined ? { action: flags.action as (typeof authleteActions)[number] } : {}),
      ...(access ? { accessTokenIdentifier: access.value } : {}),
      ...(refresh ? { refreshTokenIdentifier: refresh.value } : {}),
      ...(flags.clientIdentifier !== undefined ? { clientIdentifier: flags.clientIdentifier } : {}),
      ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
    },
    flagOfField: {
      ...startFlagOfField,
      'request.connection': '--connection',
      'request.serviceId': '--service-id',
      'request.action': '--action',
      'request.accessTokenIdentifier': access?.flag ?? accessFlags,
      'request.refreshTokenIdentifier': refresh?.flag ?? '--refresh-token-hash',
      'request.clientIdentifier': '--client-identifier',
      'request.subject': '--subject',
    },
  };
}

const PREVIEW_PAGE = 50;

/** `--preview`: Authlete's list with the revoke's filters; by token there is nothing to list. */
async function preview(
  ctx: CliContext,
  request: RevocationRequestInput,
  flags: AuthleteFlags,
): Promise<void> {
  const r = request as RevocationRequestInput & {
    connection?: string;
    serviceId: string;
    accessTokenIdentifier?: string;
    refreshTokenIdentifier?: string;
    clientIdentifier?: string;
    subject?: string;
  };
  if (
    flags.action === 'delete' ||
    r.accessTokenIdentifier !== undefined ||
    r.refreshTokenIdentifier !== undefined
  ) {
    throw badInput(
      '--preview',
      'previews a revoke by --client-identifier and/or --subject; a revoke by token hits that token and its pair',
    );
  }
  const tokens = new AuthleteTokens(await ctx.client());
  const found = await tokens.previewRevoke(
    {
      ...(r.connection !== undefined ? { connection: r.connection } : {}),
      serviceId: r.serviceId,
      ...(r.clientIdentifier !== undefined ? { clientIdentifier: r.clientIdentifier } : {}),
      ...(r.subject !== undefined ? { subject: r.subject } : {}),
    },
    { pageSize: PREVIEW_PAGE, ...(flags.createdBy !== undefined ? { createdBy: flags.createdBy } : {}) },
  );
  const list = { start: 0, end: PREVIEW_PAGE, totalCount: found.totalCount, accessTokens: found.tokens };
  const asJson = (flags as { json?: unknown }).json;
  ctx.io.stdout.write(asJson ? json({ preview: true, ...found }) : formatRevokePreview(list, ctx.style));
}

export function addAuthleteCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('authlete')
    .summary('revoke or delete Authlete tokens (by token, by client and/or subject)')
    .description(
      'Revoke Authlete access/refresh tokens through the token management API: one token pair by access or refresh ' +
        'token (value from stdin or an environment variable, or its hash from the token list), or every token of a ' +
        'client and/or subject; or --action delete one access token',
    )
    .option('--connection <name>', 'the worker connection to use (default: "default")')
    .option('--service-id <id>', 'the numeric Authlete service ID (required)')
    .addOption(
      new Option(
        '--action <action>',
        'revoke (default; POST /auth/token/revoke) or delete (DELETE /auth/token/delete/{id})',
      ).choices([...authleteActions]),
    )
    .option('--access-token-hash <hash>', 'the access token by its hash, as the token list shows it')
    .option('--access-token-identifier-stdin', 'the access token value (or hash), read from stdin')
    .option(
      '--access-token-identifier-env <var>',
      'the access token value (or hash), from environment variable VAR',
    )
    .option('--refresh-token-hash <hash>', 'the refresh token by its hash, as the token list shows it')
    .option('--refresh-token-identifier-stdin', 'the refresh token value (or hash), read from stdin')
    .option(
      '--refresh-token-identifier-env <var>',
      'the refresh token value (or hash), from environment variable VAR',
    )
    .option('--client-identifier <id>', 'every token of this client (numeric client ID or alias)')
    .option('--subject <subject>', 'every token of this subject (user); with --client-identifier, of both')
    .option('--preview', 'list the tokens a --client-identifier/--subject revoke would hit; revoke nothing')
    .addOption(new Option('--access-token-identifier [value]').hideHelp())
    .addOption(new Option('--refresh-token-identifier [value]').hideHelp());
  addStartOptions(cmd, DEFAULT_WAIT)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Revoke takes one selector, in Authlete's order: an access token (revokes it and its refresh token),
a refresh token (it and its access token), or --client-identifier and/or --subject (every matching
token; Authlete revokes up to 20 per call, so the operation repeats the call until none is left).
--action delete takes an access token only. Token values never go on the command line.
--preview lists what a revoke by client and/or subject would hit (Authlete's token list), and
revokes nothing. List, create, update and ID-token reissue: "revoke authlete-tokens".

Examples:
  $ revoke authlete --service-id 715948317 --access-token-hash tC5hpjGylLiiw-vsd5_tqVHtYSUHblAGimEJ-5xqAco --wait
  $ printf %s "$ACCESS_TOKEN" | revoke authlete --service-id 715948317 --access-token-identifier-stdin --wait --json
  $ revoke authlete --service-id 715948317 --client-identifier demo-app --subject alice --preview
  $ revoke authlete --service-id 715948317 --client-identifier demo-app --subject alice --wait
  $ revoke authlete --connection prod --service-id 715948317 --action delete --access-token-identifier-env AT --wait`,
    )
    .action(async (flags: AuthleteFlags & WaitFlags) => {
      checkTimeoutNeedsWait(flags);
      const { request, flagOfField } = await authleteRequestFromFlags(flags, ctx.io);
      if (flags.preview) {
        await preview(ctx, request, flags);
        return;
      }
      const options = revokeOptions(flags, ctx);
      checkRevokeInput(request, options, flagOfField);
      ctx.exitCode = await startOperation(ctx, request, options, flags);
    });
}
