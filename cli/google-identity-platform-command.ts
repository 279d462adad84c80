import { Option, type Command } from 'commander';
import { GOOGLE_REVOKE_PROVIDER_ID, googleTokenTypes, type RevocationRequestInput } from '../api';
import type { CliContext } from './context';
import type { CliIo } from './io';
import { addStartOptions, badInput, jsonOption } from './flags';
import { checkRevokeInput, secretFrom, startFlagOfField, type StartFlags } from './requests';
import {
  checkTimeoutNeedsWait,
  DEFAULT_WAIT,
  revokeOptions,
  startOperation,
  type WaitFlags,
} from './start-commands';

export interface GoogleIdentityPlatformFlags extends StartFlags {
  connection?: string;
  providerId: string;
  tokenType?: string;
  tokenStdin?: boolean;
  tokenEnv?: string;
  idTokenStdin?: boolean;
  idTokenEnv?: string;
  tenantId?: string;
  redirectUri?: string;
  /** Refused: a secret on the command line lands in shell history and `ps`. */
  token?: string | boolean;
  idToken?: string | boolean;
}

interface SecretFlags {
  name: string;
  what: string;
  stdin: boolean | undefined;
  env: string | undefined;
}

function checkSources(flags: GoogleIdentityPlatformFlags): void {
  const secrets: SecretFlags[] = [
    { name: 'token', what: 'Apple token', stdin: flags.tokenStdin, env: flags.tokenEnv },
    {
      name: 'id-token',
      what: 'Identity Platform ID token',
      stdin: flags.idTokenStdin,
      env: flags.idTokenEnv,
    },
  ];
  for (const s of secrets) {
    const given = flags[s.name === 'token' ? 'token' : 'idToken'];
    if (given !== undefined) {
      throw badInput(
        `--${s.name}`,
        `a secret is never accepted on the command line (shell history, ps); use --${s.name}-stdin or --${s.name}-env VAR`,
      );
    }
    if (s.stdin && s.env !== undefined) {
      throw badInput(`--${s.name}-env`, `give the ${s.what} once: --${s.name}-stdin or --${s.name}-env VAR`);
    }
    if (!s.stdin && s.env === undefined) {
      throw badInput(
        `--${s.name}-env`,
        `the ${s.what} is required: pipe it into --${s.name}-stdin or name a variable with --${s.name}-env VAR`,
      );
    }
  }
  if (flags.tokenStdin && flags.idTokenStdin) {
    throw badInput(
      '--id-token-stdin',
      'stdin can carry one secret only; pass the other with its -env VAR flag',
    );
  }
}

/** The `google-identity-platform` request from flags; secrets come from stdin or named variables only. */
export async function googleIdentityPlatformRequestFromFlags(
  flags: GoogleIdentityPlatformFlags,
  io: CliIo,
): Promise<RevocationRequestInput> {
  checkSources(flags);
  const token = await secretFrom({ stdin: flags.tokenStdin, envVar: flags.tokenEnv }, io, {
    stdin: '--token-stdin',
    env: '--token-env',
    what: 'Apple token',
  });
  const idToken = await secretFrom({ stdin: flags.idTokenStdin, envVar: flags.idTokenEnv }, io, {
    stdin: '--id-token-stdin',
    env: '--id-token-env',
    what: 'Identity Platform ID token',
  });
  return {
    provider: 'google-identity-platform',
    ...(flags.connection !== undefined ? { connection: flags.connection } : {}),
    providerId: flags.providerId as typeof GOOGLE_REVOKE_PROVIDER_ID,
    // Case is forgiven on the command line only; the request itself takes the API's names.
    tokenType: (flags.tokenType?.toUpperCase() ?? '') as (typeof googleTokenTypes)[number],
    token: token ?? '',
    idToken: idToken ?? '',
    ...(flags.tenantId !== undefined ? { tenantId: flags.tenantId } : {}),
    ...(flags.redirectUri !== undefined ? { redirectUri: flags.redirectUri } : {}),
  };
}

export function addGoogleIdentityPlatformCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('google-identity-platform')
    .summary('revoke a Sign in with Apple token through Google Identity Platform (accounts:revokeToken)')
    .description(
      'Revoke a Sign in with Apple refresh token, access token or authorization code of an Identity Platform ' +
        "user through Identity Toolkit v2 accounts:revokeToken. Both the Apple token and the user's ID token " +
        'are secrets: they are read from stdin or an environment variable, never from the command line.',
    )
    .option('--connection <name>', 'the worker connection to use (default: "default")')
    .option(
      '--provider-id <id>',
      'the identity provider; Identity Platform supports only apple.com',
      GOOGLE_REVOKE_PROVIDER_ID,
    )
    .option('--token-type <type>', `what --token-* holds: ${googleTokenTypes.join(', ')}`)
    .option('--token-stdin', 'read the Apple token (or code) from stdin')
    .option('--token-env <var>', 'read the Apple token (or code) from environment variable VAR')
    .option('--id-token-stdin', "read the user's Identity Platform ID token from stdin")
    .option(
      '--id-token-env <var>',
      "read the user's Identity Platform ID token from environment variable VAR",
    )
    .option('--tenant-id <id>', 'the Identity Platform tenant of the user, if any')
    .option(
      '--redirect-uri <uri>',
      'required with --token-type CODE: https, a domain name, no IP address or localhost',
    )
    .addOption(new Option('--token [value]').hideHelp())
    .addOption(new Option('--id-token [value]').hideHelp());
  addStartOptions(cmd, DEFAULT_WAIT)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
The ID token must be fresh: Identity Platform ID tokens expire an hour after they are minted.
Google ignores a repeated revocation of an account with no new tokens and answers at once, so
running the same command twice is safe.

Examples:
  $ revoke google-identity-platform --token-type REFRESH_TOKEN --token-env APPLE_RT --id-token-env ID_TOKEN --wait
  $ printf %s "$APPLE_CODE" | revoke google-identity-platform --token-type CODE --token-stdin \\
      --id-token-env ID_TOKEN --redirect-uri https://app.example.com/apple/callback --wait --json
  $ revoke google-identity-platform --connection prod --tenant-id shop-eu-k3j2 --token-type ACCESS_TOKEN \\
      --token-env APPLE_AT --id-token-env ID_TOKEN`,
    )
    .action(async (flags: GoogleIdentityPlatformFlags & WaitFlags) => {
      checkTimeoutNeedsWait(flags);
      const request = await googleIdentityPlatformRequestFromFlags(flags, ctx.io);
      const options = revokeOptions(flags, ctx);
      checkRevokeInput(request, options, {
        ...startFlagOfField,
        'request.connection': '--connection',
        'request.providerId': '--provider-id',
        'request.tokenType': '--token-type',
        'request.token': flags.tokenStdin ? '--token-stdin' : '--token-env',
        'request.idToken': flags.idTokenStdin ? '--id-token-stdin' : '--id-token-env',
        'request.tenantId': '--tenant-id',
        'request.redirectUri': '--redirect-uri',
      });
      ctx.exitCode = await startOperation(ctx, request, options, flags);
    });
}
