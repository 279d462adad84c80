import { Option, type Command } from 'commander';
import type { RevocationRequestInput } from '../api';
import type { CliContext } from './context';
import { addStartOptions, badInput, jsonOption } from './flags';
import { checkRevokeInput, secretFrom, startFlagOfField, type StartFlags } from './requests';
import type { CliIo } from './io';
import {
  checkTimeoutNeedsWait,
  DEFAULT_WAIT,
  revokeOptions,
  startOperation,
  type WaitFlags,
} from './start-commands';

export interface OpenPaymentsFlags extends StartFlags, WaitFlags {
  connection?: string;
  manageUrl?: string;
  accessTokenStdin?: boolean;
  accessTokenEnv?: string;
  /** Refused: a token on the command line lands in shell history and `ps`. */
  accessToken?: string | boolean;
  continueUri?: string;
  continueTokenStdin?: boolean;
  continueTokenEnv?: string;
  /** Refused, as accessToken. */
  continueToken?: string | boolean;
}

interface TokenFlags {
  stdin: '--access-token-stdin' | '--continue-token-stdin';
  env: '--access-token-env' | '--continue-token-env';
  what: string;
}

const accessFlags: TokenFlags = {
  stdin: '--access-token-stdin',
  env: '--access-token-env',
  what: 'access token',
};
const continueFlags: TokenFlags = {
  stdin: '--continue-token-stdin',
  env: '--continue-token-env',
  what: 'continue token',
};

async function tokenFrom(
  source: { stdin?: boolean; env?: string },
  flags: TokenFlags,
  io: CliIo,
): Promise<{ token: string; flag: string }> {
  if (source.stdin && source.env !== undefined) {
    throw badInput(flags.env, `give the ${flags.what} once: ${flags.stdin} or ${flags.env}`);
  }
  if (!source.stdin && source.env === undefined) {
    throw badInput(
      flags.stdin,
      `the ${flags.what} is required: pipe it with ${flags.stdin} or name a variable with ${flags.env} VAR`,
    );
  }
  const token = await secretFrom({ stdin: source.stdin, envVar: source.env }, io, flags);
  return { token: token as string, flag: source.stdin ? flags.stdin : flags.env };
}

/**
 * The request from flags: `--manage-url` revokes one access token, `--continue-uri` cancels a grant.
 * Thrown on a missing, conflicting or argv-borne secret: InvalidArgumentError naming the flag.
 */
export async function openPaymentsRequestFromFlags(
  f: OpenPaymentsFlags,
  io: CliIo,
): Promise<{ request: RevocationRequestInput; tokenFlag: string }> {
  for (const [value, flag, instead] of [
    [f.accessToken, '--access-token', '--access-token-stdin or --access-token-env VAR'],
    [f.continueToken, '--continue-token', '--continue-token-stdin or --continue-token-env VAR'],
  ] as const) {
    if (value !== undefined) {
      throw badInput(
        flag,
        `a token is never accepted on the command line (shell history, ps); use ${instead}`,
      );
    }
  }
  if ((f.manageUrl === undefined) === (f.continueUri === undefined)) {
    throw badInput(
      '--manage-url',
      'give exactly one of --manage-url (revoke an access token) or --continue-uri (cancel a grant)',
    );
  }
  const connection = f.connection !== undefined ? { connection: f.connection } : {};
  if (f.manageUrl !== undefined) {
    if (f.continueTokenStdin || f.continueTokenEnv !== undefined) {
      throw badInput('--continue-token-stdin', 'a continue token goes with --continue-uri, not --manage-url');
    }
    const { token, flag } = await tokenFrom(
      { stdin: f.accessTokenStdin, env: f.accessTokenEnv },
      accessFlags,
      io,
    );
    return {
      request: {
        provider: 'open-payments',
        ...connection,
        action: 'revokeToken',
        manageUrl: f.manageUrl,
        accessToken: token,
      },
      tokenFlag: flag,
    };
  }
  if (f.accessTokenStdin || f.accessTokenEnv !== undefined) {
    throw badInput('--access-token-stdin', 'an access token goes with --manage-url, not --continue-uri');
  }
  const { token, flag } = await tokenFrom(
    { stdin: f.continueTokenStdin, env: f.continueTokenEnv },
    continueFlags,
    io,
  );
  return {
    request: {
      provider: 'open-payments',
      ...connection,
      action: 'cancelGrant',
      continueUri: f.continueUri as string,
      continueToken: token,
    },
    tokenFlag: flag,
  };
}

export function addOpenPaymentsCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('open-payments')
    .summary('revoke an Open Payments (GNAP) access token, or cancel a grant')
    .description(
      'Revoke an Open Payments access token (DELETE on its manage URL) or cancel a whole grant (DELETE on its ' +
        "continue URI), signed with the connection's Ed25519 key. Tokens come from stdin or an environment variable.",
    )
    .option('--connection <name>', 'the worker connection (client key) to use (default: "default")')
    .option('--manage-url <url>', "revoke the access token managed at this URL (the token's `manage`)")
    .option('--access-token-stdin', 'read the access token from stdin (never pass a token as an argument)')
    .option('--access-token-env <var>', 'read the access token from environment variable VAR')
    .addOption(new Option('--access-token [value]').hideHelp())
    .option('--continue-uri <uri>', "cancel the grant with this continue URI (the grant's `continue.uri`)")
    .option('--continue-token-stdin', 'read the continue token from stdin')
    .option('--continue-token-env <var>', 'read the continue token from environment variable VAR')
    .addOption(new Option('--continue-token [value]').hideHelp());
  addStartOptions(cmd, DEFAULT_WAIT)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Give --manage-url with an access token, or --continue-uri with a continue token. Cancelling a grant
also revokes its access tokens. URLs must be https unless the connection sets allowInsecureHttp.

Examples:
  $ printf %s "$ACCESS_TOKEN" | revoke open-payments --manage-url https://auth.wallet.example/token/8c3f... --access-token-stdin --wait
  $ revoke open-payments --manage-url "$MANAGE_URL" --access-token-env ACCESS_TOKEN --json
  $ revoke open-payments --connection prod --continue-uri https://auth.wallet.example/continue/4d1e... --continue-token-env CONTINUE_TOKEN --wait`,
    )
    .action(async (flags: OpenPaymentsFlags) => {
      checkTimeoutNeedsWait(flags);
      const { request, tokenFlag } = await openPaymentsRequestFromFlags(flags, ctx.io);
      const options = revokeOptions(flags, ctx);
      checkRevokeInput(request, options, {
        ...startFlagOfField,
        'request.connection': '--connection',
        'request.manageUrl': '--manage-url',
        'request.continueUri': '--continue-uri',
        'request.accessToken': tokenFlag,
        'request.continueToken': tokenFlag,
      });
      ctx.exitCode = await startOperation(ctx, request, options, flags);
    });
}
