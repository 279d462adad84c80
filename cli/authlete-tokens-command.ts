import { Option, type Command } from 'commander';
import type { AuthleteTokenCall, AuthleteTokenCallResults } from '../api';
import { AuthleteTokens, type AuthleteService } from '../client/authlete-tokens';
import { cliIdentity } from './connect';
import type { CliContext } from './context';
import { callResultJson, formatCallResult, formatTokenList } from './authlete-tokens-format';
import {
  badInput,
  collect,
  jsonOption,
  parseDuration,
  parseJsonInput,
  parseNumber,
  parsePageSize,
  readInputFile,
} from './flags';
import { secretFrom } from './requests';

interface CommonFlags {
  connection?: string;
  serviceId?: string;
  createdBy?: string;
  description?: string;
  requestId?: string;
  timeout?: number;
  json?: boolean;
  showToken?: boolean;
}

interface ListFlags extends CommonFlags {
  clientIdentifier?: string;
  subject?: string;
  start?: number;
  pageSize?: number;
  tokenStatus?: 'VALID' | 'INVALID' | 'ALL';
}

interface CreateFlags extends CommonFlags {
  grantType?: string;
  clientIdentifier?: string;
  subject?: string;
  scope?: string[];
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
}

interface UpdateFlags extends CommonFlags {
  accessTokenHash?: string;
  accessTokenStdin?: boolean;
  accessTokenEnv?: string;
  accessToken?: string | boolean;
  scope?: string[];
  accessTokenExpiresAt?: string;
  rotate?: boolean;
}

interface ReissueFlags extends CommonFlags {
  tokenResponseStdin?: boolean;
  tokenResponseEnv?: string;
  tokenResponseFile?: string;
  sub?: string;
  claims?: string;
  audType?: 'array' | 'string';
}

const DEFAULT_TIMEOUT_MS = 60_000;

function service(flags: CommonFlags): AuthleteService {
  if (flags.serviceId === undefined) {
    throw badInput('--service-id', 'is required: the numeric Authlete service ID, such as 715948317');
  }
  return {
    ...(flags.connection !== undefined ? { connection: flags.connection } : {}),
    serviceId: flags.serviceId,
  };
}

function callOptions(flags: CommonFlags, ctx: CliContext) {
  return {
    createdBy: flags.createdBy ?? cliIdentity(ctx.io.env),
    ...(flags.requestId !== undefined ? { requestId: flags.requestId } : {}),
    ...(flags.description !== undefined ? { description: flags.description } : {}),
    timeout: flags.timeout ?? DEFAULT_TIMEOUT_MS,
  };
}

/** Options every subcommand has; `secrets` adds --show-token for calls whose answer holds tokens. */
function withCommonOptions(cmd: Command, secrets: boolean): Command {
  cmd
    .option('--connection <name>', 'the worker connection to use (default: "default")')
    .option('--service-id <id>', 'the numeric Authlete service ID (required)')
    .option('--created-by <who>', 'who asked, recorded and searchable (default: user@host)')
    .option(
      '--request-id <key>',
      "idempotency key: repeating the command with it returns the first call's answer (a create: the same token)",
    )
    .option('--description <text>', 'shown in the Temporal Web UI; 0-256 characters, no secret')
    .addOption(
      new Option('--timeout <duration>', 'how long to wait for the answer (default 60s)').argParser(
        parseDuration,
      ),
    )
    .addOption(jsonOption());
  if (secrets) {
    cmd.option(
      '--show-token',
      'print token values (default: only their sha256 fingerprints; values land in terminals and logs)',
    );
  }
  return cmd;
}

/** Runs one call and prints its answer; token values only with --show-token. */
async function runCall<C extends AuthleteTokenCall>(
  ctx: CliContext,
  call: C,
  flags: CommonFlags,
  /** Validated by the client library, which names each bad field. */
  request: unknown,
  print: (result: AuthleteTokenCallResults[C], operationId: string) => string,
): Promise<void> {
  const svc = service(flags);
  const options = callOptions(flags, ctx);
  const tokens = new AuthleteTokens(await ctx.client());
  ctx.progress(`calling Authlete ${call} through the workers`);
  const op = await tokens.call(call, svc, request as never, options);
  const result = op.response.result as AuthleteTokenCallResults[C];
  ctx.io.stdout.write(flags.json ? callResultJson(result, flags.showToken === true) : print(result, op.id));
}

function addList(group: Command, ctx: CliContext): void {
  withCommonOptions(
    group
      .command('list')
      .addHelpText(
        'after',
        `\nHashes only: Authlete's list never holds token values. --page-size maps to Authlete's end = start + size.\n\nExamples:\n  $ revoke authlete-tokens list --service-id 715948317 --subject alice
  $ revoke authlete-tokens list --service-id 715948317 --client-identifier demo-app --start 20 --page-size 20 --json`,
      )
      .summary('list tokens (hashes only), also to preview a revoke by client and/or subject')
      .option('--client-identifier <id>', 'tokens of this client (numeric client ID or alias)')
      .option('--subject <subject>', 'tokens of this subject (user)')
      .option('--start <n>', 'first index (0-based; default 0)', parseNumber)
      .option('--page-size <n>', 'how many tokens (default 20, at most 1000)', parsePageSize)
      .addOption(
        new Option('--token-status <status>', 'VALID, INVALID (expired) or ALL').choices([
          'VALID',
          'INVALID',
          'ALL',
        ]),
      ),
    false,
  ).action(async (flags: ListFlags) => {
    const start = flags.start ?? 0;
    const request = {
      ...(flags.clientIdentifier !== undefined ? { clientIdentifier: flags.clientIdentifier } : {}),
      ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
      start,
      end: start + (flags.pageSize ?? 20),
      ...(flags.tokenStatus !== undefined ? { tokenStatus: flags.tokenStatus } : {}),
    };
    await runCall(ctx, 'list', flags, request, (list) => formatTokenList(list, ctx.style));
  });
}

function addCreate(group: Command, ctx: CliContext): void {
  withCommonOptions(
    group
      .command('create')
      .addHelpText(
        'after',
        `\nNot retried: a create repeated after a lost answer would issue a second token.\n\nExamples:\n  $ revoke authlete-tokens create --service-id 715948317 --grant-type AUTHORIZATION_CODE --client-identifier demo-app --subject alice --scope openid
  $ revoke authlete-tokens create --service-id 715948317 --grant-type CLIENT_CREDENTIALS --client-identifier demo-cli --json --show-token`,
      )
      .summary('create an access token (and refresh token) for a client and subject')
      .option('--grant-type <type>', 'AUTHORIZATION_CODE, CLIENT_CREDENTIALS, ... (required)')
      .option('--client-identifier <id>', 'the client (numeric client ID or alias; required)')
      .option('--subject <subject>', 'the user (required unless CLIENT_CREDENTIALS)')
      .option('--scope <scope>', 'a scope of the token (repeatable)', collect)
      .option('--access-token-duration <seconds>', 'access token lifetime in seconds', parseNumber)
      .option('--refresh-token-duration <seconds>', 'refresh token lifetime in seconds', parseNumber),
    true,
  ).action(async (flags: CreateFlags) => {
    if (flags.grantType === undefined)
      throw badInput('--grant-type', 'is required, such as AUTHORIZATION_CODE');
    const request = {
      grantType: flags.grantType as 'AUTHORIZATION_CODE',
      ...(flags.clientIdentifier !== undefined ? { clientIdentifier: flags.clientIdentifier } : {}),
      ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
      ...(flags.scope !== undefined ? { scopes: flags.scope } : {}),
      ...(flags.accessTokenDuration !== undefined ? { accessTokenDuration: flags.accessTokenDuration } : {}),
      ...(flags.refreshTokenDuration !== undefined
        ? { refreshTokenDuration: flags.refreshTokenDuration }
        : {}),
    };
    await runCall(ctx, 'create', flags, request, (r, id) =>
      formatCallResult('create', r, id, flags.showToken === true, ctx.style),
    );
  });
}

function expiresAt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw badInput('--access-token-expires-at', 'must be an RFC 3339 time or milliseconds since the epoch');
  }
  return ms;
}

function addUpdate(group: Command, ctx: CliContext): void {
  withCommonOptions(
    group
      .command('update')
      .addHelpText(
        'after',
        `\n--scope replaces the token's scopes: giving fewer is a partial revocation. --rotate is not retried.\n\nExamples:\n  $ revoke authlete-tokens update --service-id 715948317 --access-token-hash tC5hpjGylLiiw-vsd5_tqVHtYSUHblAGimEJ-5xqAco --scope openid
  $ printf %s "$AT" | revoke authlete-tokens update --service-id 715948317 --access-token-stdin --rotate --json --show-token`,
      )
      .summary('change a token: fewer scopes (a partial revocation), expiry, or a new value')
      .option('--access-token-hash <hash>', 'the access token by its hash, as the token list shows it')
      .option('--access-token-stdin', 'the access token value, read from stdin')
      .option('--access-token-env <var>', 'the access token value, from environment variable VAR')
      .option('--scope <scope>', 'the scopes the token keeps (repeatable; replaces the current set)', collect)
      .option('--access-token-expires-at <time>', 'new expiry: RFC 3339 or milliseconds since the epoch')
      .option('--rotate', 'give the token a new value (the old one stops working)')
      .addOption(new Option('--access-token [value]').hideHelp()),
    true,
  ).action(async (flags: UpdateFlags) => {
    if (flags.accessToken !== undefined) {
      throw badInput(
        '--access-token',
        'a token is never accepted on the command line (shell history, ps); use --access-token-stdin, --access-token-env VAR or --access-token-hash',
      );
    }
    const sources = [
      flags.accessTokenHash !== undefined && '--access-token-hash',
      flags.accessTokenStdin && '--access-token-stdin',
      flags.accessTokenEnv !== undefined && '--access-token-env',
    ].filter((x): x is string => typeof x === 'string');
    if (sources.length !== 1) {
      throw badInput(
        sources[1] ?? '--access-token-hash',
        sources.length === 0
          ? 'which token: give --access-token-hash, --access-token-stdin or --access-token-env VAR'
          : `give the access token once (got ${sources.join(' and ')})`,
      );
    }
    const value = await secretFrom({ stdin: flags.accessTokenStdin, envVar: flags.accessTokenEnv }, ctx.io, {
      stdin: '--access-token-stdin',
      env: '--access-token-env',
      what: 'access token',
    });
    const at = expiresAt(flags.accessTokenExpiresAt);
    const request = {
      ...(value !== undefined ? { accessToken: value } : { accessTokenHash: flags.accessTokenHash }),
      ...(flags.scope !== undefined ? { scopes: flags.scope } : {}),
      ...(at !== undefined ? { accessTokenExpiresAt: at } : {}),
      ...(flags.rotate ? { accessTokenValueUpdated: true } : {}),
    };
    await runCall(ctx, 'update', flags, request, (r, id) =>
      formatCallResult('update', r, id, flags.showToken === true, ctx.style),
    );
  });
}

async function tokenResponseFrom(flags: ReissueFlags, ctx: CliContext): Promise<unknown> {
  const given = [
    flags.tokenResponseStdin && '--token-response-stdin',
    flags.tokenResponseEnv !== undefined && '--token-response-env',
    flags.tokenResponseFile !== undefined && '--token-response-file',
  ].filter((x): x is string => typeof x === 'string');
  if (given.length !== 1) {
    throw badInput(
      given[1] ?? '--token-response-stdin',
      given.length === 0
        ? 'the /auth/token answer (JSON with action ID_TOKEN_REISSUABLE, accessToken, refreshToken): give --token-response-stdin, --token-response-env VAR or --token-response-file PATH'
        : `give the token response once (got ${given.join(' and ')})`,
    );
  }
  const [flag = '--token-response-stdin'] = given;
  const text =
    flags.tokenResponseFile !== undefined
      ? await readInputFile(flags.tokenResponseFile, ctx.io, flag)
      : await secretFrom({ stdin: flags.tokenResponseStdin, envVar: flags.tokenResponseEnv }, ctx.io, {
          stdin: '--token-response-stdin',
          env: '--token-response-env',
          what: 'token response',
        });
  return parseJsonInput(text ?? '', flag, 'is not the JSON of an /auth/token answer');
}

function addReissue(group: Command, ctx: CliContext): void {
  withCommonOptions(
    group
      .command('reissue')
      .addHelpText(
        'after',
        `\nThe token response is what /auth/token answered, with action ID_TOKEN_REISSUABLE (Authlete's
precondition for /idtoken/reissue); the JWT access token is used when it has one.\n\nExamples:\n  $ revoke authlete-tokens reissue --service-id 715948317 --token-response-file token-response.json
  $ printf %s "$TOKEN_RESPONSE" | revoke authlete-tokens reissue --service-id 715948317 --token-response-stdin --json --show-token`,
      )
      .summary('reissue an ID token for an /auth/token answer whose action was ID_TOKEN_REISSUABLE')
      .option('--token-response-stdin', 'the /auth/token answer (JSON), read from stdin')
      .option('--token-response-env <var>', 'the /auth/token answer (JSON), from environment variable VAR')
      .option('--token-response-file <path>', 'the /auth/token answer (JSON), from a file')
      .option('--sub <subject>', 'the "sub" claim (default: the token\'s subject)')
      .option('--claims <json>', 'additional claims, a JSON object')
      .addOption(
        new Option('--aud-type <type>', 'the "aud" claim as an array or a string').choices([
          'array',
          'string',
        ]),
      ),
    true,
  ).action(async (flags: ReissueFlags) => {
    const tokenResponse = await tokenResponseFrom(flags, ctx);
    const claims = flags.claims !== undefined ? parseJsonInput(flags.claims, '--claims') : undefined;
    const request = {
      tokenResponse,
      ...(flags.sub !== undefined ? { sub: flags.sub } : {}),
      ...(claims !== undefined ? { claims } : {}),
      ...(flags.audType !== undefined ? { idTokenAudType: flags.audType } : {}),
    };
    await runCall(ctx, 'reissue', flags, request, (r, id) =>
      formatCallResult('reissue', r, id, flags.showToken === true, ctx.style),
    );
  });
}

/** `revoke authlete-tokens list|create|update|reissue`: Authlete token management through the workers. */
export function addAuthleteTokensCommand(program: Command, ctx: CliContext): void {
  const group = program
    .command('authlete-tokens')
    .summary(
      'list, create, update Authlete tokens and reissue ID tokens (revoke and delete: "revoke authlete")',
    )
    .description(
      "Authlete's token management API through the revocation workers, which hold the service access token: " +
        'each call is one short workflow (an operation you can `get`). Token values in answers are shown as ' +
        'sha256 fingerprints unless --show-token is given; revoking and deleting are "revoke authlete" operations.',
    )
    .addHelpText(
      'after',
      `
Field errors name the request field (request.scopes, request.tokenResponse.action); a refused call
exits 1 with Authlete's code.

Examples:
  $ revoke authlete-tokens list --service-id 715948317 --subject alice --client-identifier demo-app
  $ revoke authlete-tokens create --service-id 715948317 --grant-type AUTHORIZATION_CODE --client-identifier demo-app --subject alice --scope openid --scope profile --json --show-token
  $ revoke authlete-tokens update --service-id 715948317 --access-token-hash tC5hpjGylLiiw-vsd5_tqVHtYSUHblAGimEJ-5xqAco --scope openid
  $ revoke authlete-tokens reissue --service-id 715948317 --token-response-file token-response.json --show-token
  $ revoke authlete --service-id 715948317 --subject alice --preview       # what a revoke would hit
  $ revoke authlete --service-id 715948317 --subject alice --wait          # revoke (an operation)
  $ revoke authlete --service-id 715948317 --action delete --access-token-identifier-env AT --wait`,
    );
  addList(group, ctx);
  addCreate(group, ctx);
  addUpdate(group, ctx);
  addReissue(group, ctx);
}
