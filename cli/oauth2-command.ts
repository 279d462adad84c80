import { Option, type Command } from 'commander';
import type { RevocationRequestInput } from '../api';
import type { CliContext } from './context';
import { addStartOptions, badInput, jsonOption } from './flags';
import { checkRevokeInput, secretFrom, startFlagOfField, type StartFlags } from './requests';
import {
  checkTimeoutNeedsWait,
  DEFAULT_WAIT,
  revokeOptions,
  startOperation,
  type WaitFlags,
} from './start-commands';

export interface OAuth2Flags extends StartFlags, WaitFlags {
  connection?: string;
  tokenStdin?: boolean;
  tokenEnv?: string;
  /** Refused: a token on the command line lands in shell history and `ps`. */
  token?: string | boolean;
  tokenTypeHint?: string;
}

/** The `oauth2` request from flags. Thrown on a missing, doubled or inline token: InvalidArgumentError naming the flag. */
export async function oauth2RequestFromFlags(
  flags: OAuth2Flags,
  io: CliContext['io'],
): Promise<RevocationRequestInput> {
  if (flags.token !== undefined) {
    throw badInput(
      '--token',
      'a token is never accepted on the command line (shell history, ps); use --token-stdin or --token-env VAR',
    );
  }
  if (flags.tokenStdin && flags.tokenEnv !== undefined) {
    throw badInput('--token-env', 'give the token once: --token-stdin or --token-env VAR');
  }
  if (!flags.tokenStdin && flags.tokenEnv === undefined) {
    throw badInput(
      '--token-stdin',
      'no token: pipe it into --token-stdin, or name a variable with --token-env VAR',
    );
  }
  const token = await secretFrom({ stdin: flags.tokenStdin, envVar: flags.tokenEnv }, io, {
    stdin: '--token-stdin',
    env: '--token-env',
    what: 'token',
  });
  return {
    provider: 'oauth2',
    ...(flags.connection !== undefined ? { connection: flags.connection } : {}),
    token: token as string,
    ...(flags.tokenTypeHint !== undefined
      ? { tokenTypeHint: flags.tokenTypeHint as 'access_token' | 'refresh_token' }
      : {}),
  };
}

export function addOAuth2Command(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('oauth2')
    .summary('revoke an access or refresh token at an OAuth 2.0 server (RFC 7009)')
    .description(
      "Revoke one access or refresh token at an OAuth 2.0 authorization server's RFC 7009 revocation endpoint. " +
        'The token comes from stdin or an environment variable; the server, client id and client credentials ' +
        "come from the worker's connection. RFC 7009 answers 200 for tokens it does not know, so success means " +
        '"the server no longer accepts this token", not "it existed".',
    )
    .option('--connection <name>', 'the worker connection to use (default: "default")')
    .option('--token-stdin', 'read the token from stdin (never pass a token as an argument)')
    .option('--token-env <var>', 'read the token from environment variable VAR')
    .addOption(new Option('--token [value]').hideHelp())
    .option(
      '--token-type-hint <hint>',
      'access_token or refresh_token; only a hint, the server searches the other type too',
    );
  addStartOptions(cmd, DEFAULT_WAIT)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Revoking a refresh token usually revokes the access tokens of its grant too (RFC 7009 §2.1).

Examples:
  $ printf %s "$REFRESH_TOKEN" | revoke oauth2 --token-stdin --token-type-hint refresh_token --wait
  $ revoke oauth2 --connection keycloak --token-env ACCESS_TOKEN --token-type-hint access_token --json
  $ revoke oauth2 --token-stdin --wait --timeout 2m < token.txt`,
    )
    .action(async (flags: OAuth2Flags) => {
      checkTimeoutNeedsWait(flags);
      const request = await oauth2RequestFromFlags(flags, ctx.io);
      const options = revokeOptions(flags, ctx);
      checkRevokeInput(request, options, {
        ...startFlagOfField,
        'request.connection': '--connection',
        'request.token': flags.tokenStdin ? '--token-stdin' : '--token-env',
        'request.tokenTypeHint': '--token-type-hint',
      });
      ctx.exitCode = await startOperation(ctx, request, options, flags);
    });
}
