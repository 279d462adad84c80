import { Option, type Command } from 'commander';
import { durationMs, type RevocationRequestInput } from '../api';
import { OperationWaitTimeoutError } from '../client/errors';
import type { RevokeOptions } from '../client/revocation-client';
import { cliIdentity } from './connect';
import type { CliContext } from './context';
import { ExitCode, errorLine, type ExitCodeNumber } from './exit-codes';
import { addStartOptions, badInput, jsonOption } from './flags';
import {
  checkRevokeInput,
  requestFromSource,
  startFlagOfField,
  yandexFlagOfField,
  yandexRequestFromFlags,
  type StartFlags,
  type StartSourceFlags,
  type YandexFlags,
} from './requests';

export interface WaitFlags {
  wait?: boolean;
  timeout?: number;
  json?: string | boolean;
}

export const DEFAULT_WAIT = '60s';

export function revokeOptions(flags: StartFlags, ctx: CliContext): RevokeOptions {
  const createdBy = flags.createdBy ?? cliIdentity(ctx.io.env);
  return {
    ...(flags.requestId !== undefined ? { requestId: flags.requestId } : {}),
    ...(flags.description !== undefined ? { description: flags.description } : {}),
    createdBy,
  };
}

/** Starts the operation; with --wait, waits for it. The exit code follows the operation. */
export async function startOperation(
  ctx: CliContext,
  request: RevocationRequestInput,
  options: RevokeOptions,
  flags: WaitFlags,
): Promise<ExitCodeNumber> {
  const asJson = flags.json !== undefined && flags.json !== false;
  const client = await ctx.client();
  const started = await client.revoke(request, options);
  if (!flags.wait || started.done) return ctx.printOperation(started, asJson);
  const timeout = flags.timeout ?? durationMs(DEFAULT_WAIT);
  ctx.progress(`started ${started.id}; waiting up to ${timeout / 1000}s`);
  try {
    return ctx.printOperation(await client.wait(started.id, { timeout }), asJson);
  } catch (err) {
    if (!(err instanceof OperationWaitTimeoutError)) throw err;
    // It may have finished since the timeout fired; then its own outcome counts.
    const now = await client.get(started.id);
    const code = ctx.printOperation(now, asJson);
    if (now.done) return code;
    ctx.io.stderr.write(`${errorLine(err)}\n`);
    return ExitCode.waitTimeout;
  }
}

export function checkTimeoutNeedsWait(flags: WaitFlags): void {
  if (flags.timeout !== undefined && !flags.wait) {
    throw badInput('--timeout', 'only applies with --wait');
  }
}

export function addYandexCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('yandex-cloud')
    .summary('revoke Yandex Cloud IAM refresh tokens (by id, by value, by filter, or --all)')
    .description(
      'Revoke Yandex Cloud IAM refresh tokens: one by id, one by value (from stdin or an environment variable), ' +
        'those matching a filter, or --all of the calling subject',
    )
    .option('--connection <name>', 'the worker connection to use (default: "default")')
    .option('--refresh-token-id <id>', 'revoke the refresh token with this id')
    .option(
      '--refresh-token-stdin',
      'revoke the refresh token read from stdin (never pass a token as an argument)',
    )
    .option('--refresh-token-env <var>', 'revoke the refresh token held in environment variable VAR')
    .addOption(new Option('--refresh-token [value]').hideHelp())
    .option('--client-id <id>', 'filter: tokens issued to this OAuth client')
    .option('--subject-id <id>', 'filter: tokens of this subject')
    .option('--client-instance-info <info>', 'filter: tokens of this client instance (device)')
    .option(
      '--all',
      'revoke every refresh token of the calling subject (required when no other selector is given)',
    );
  addStartOptions(cmd, DEFAULT_WAIT)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Give exactly one selector: --refresh-token-id, --refresh-token-stdin, --refresh-token-env,
a filter (any of --client-id, --subject-id, --client-instance-info; fields are ANDed), or --all.

Examples:
  $ revoke yandex-cloud --refresh-token-id rt-123 --wait --json
  $ printf %s "$TOKEN" | revoke yandex-cloud --refresh-token-stdin --description "laptop lost"
  $ revoke yandex-cloud --connection prod --subject-id ajeabc --client-id yc.oauth.app --wait --timeout 2m`,
    )
    .action(async (flags: YandexFlags & WaitFlags) => {
      checkTimeoutNeedsWait(flags);
      const request = await yandexRequestFromFlags(flags, ctx.io);
      const options = revokeOptions(flags, ctx);
      const tokenFlag = flags.refreshTokenStdin ? '--refresh-token-stdin' : '--refresh-token-env';
      checkRevokeInput(request, options, { ...yandexFlagOfField, 'request.refreshToken': tokenFlag });
      ctx.exitCode = await startOperation(ctx, request, options, flags);
    });
}

export function addStartCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('start')
    .summary('start a revocation from RevocationRequest JSON (any provider)')
    .description('Start a revocation from a RevocationRequest JSON document, for any provider')
    .addOption(
      new Option(
        '--json [request]',
        'print the result as JSON; with a value, that value is the request JSON (no secrets)',
      ),
    )
    .option(
      '--request <json>',
      'the RevocationRequest JSON, inline (no secrets: the command line is visible in ps)',
    )
    .option('--file <path>', 'read the RevocationRequest JSON from PATH, or from stdin with "-"');
  addStartOptions(cmd, DEFAULT_WAIT)
    .addHelpText(
      'after',
      `
The request is {"provider": "...", "connection": "default", ...provider fields}, as in the public
contract. A request carrying a secret (a token value) is refused inline; use --file.

Examples:
  $ revoke start --json '{"provider":"yandex-cloud","refreshTokenId":"rt-123"}'
  $ revoke start --file request.json --wait --json
  $ jq -n --arg t "$TOKEN" '{provider:"yandex-cloud",refreshToken:$t}' | revoke start --file - --wait`,
    )
    .action(async (flags: StartSourceFlags & StartFlags & WaitFlags) => {
      checkTimeoutNeedsWait(flags);
      const request = await requestFromSource(flags, ctx.io);
      const options = revokeOptions(flags, ctx);
      checkRevokeInput(request, options, startFlagOfField);
      ctx.exitCode = await startOperation(ctx, request, options, flags);
    });
}
