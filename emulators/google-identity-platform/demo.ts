import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartDemo } from '../demo';
import { startGoogleIdentityPlatformEmulator } from './index';

export const DEMO_UID = 'demo-apple-user';
export const DEMO_REDIRECT_URI = 'https://demo.example.com/apple/callback';
/** Files the demo writes under dataDir. */
export const demoFiles = {
  apiKey: 'google-identity-platform-api-key',
  /** A RevocationRequest JSON (holds the demo tokens; for `revoke start --file`). */
  request: 'google-identity-platform-request.json',
  /** Shell variables with the demo tokens, for the `google-identity-platform` subcommand's -env flags. */
  env: 'google-identity-platform-demo.env',
  /** A service account key file (its token_uri is the emulator's token endpoint). */
  serviceAccountKey: 'google-identity-platform-service-account.json',
  /** The same user's access token, revoked through the `service-account` connection. */
  serviceAccountRequest: 'google-identity-platform-service-account-request.json',
};

/**
 * The Identity Platform emulator with one Apple user: an ID token, an Apple refresh token, access token
 * and authorization code; and a service account, the `service-account` connection (OAuth 2.0 bearer
 * tokens from the emulator's token endpoint instead of the API key). Its tokens are secrets to the CLI, so the printed example takes the request
 * from a file; the env file feeds the subcommand (docs/providers/google-identity-platform.md). Repeating
 * an example succeeds: a repeated revocation is ignored and answered 200, as Google does.
 */
export const startDemo: StartDemo = async (dataDir) => {
  const emulator = await startGoogleIdentityPlatformEmulator({ accounts: [{ uid: DEMO_UID }] });
  const [idToken] = emulator.account(DEMO_UID)?.idTokens ?? [];
  if (idToken === undefined) throw new Error('demo account has no ID token');
  const refresh = emulator.issueAppleToken(DEMO_UID, undefined, { type: 'REFRESH_TOKEN' });
  const access = emulator.issueAppleToken(DEMO_UID, undefined, { type: 'ACCESS_TOKEN' });
  const code = emulator.issueAppleToken(DEMO_UID, undefined, {
    type: 'CODE',
    redirectUri: DEMO_REDIRECT_URI,
  });

  const secret = { mode: 0o600 } as const;
  const apiKeyFile = join(dataDir, demoFiles.apiKey);
  writeFileSync(apiKeyFile, `${emulator.apiKey}\n`, secret);
  const requestFile = join(dataDir, demoFiles.request);
  writeFileSync(
    requestFile,
    `${JSON.stringify(
      {
        provider: 'google-identity-platform',
        providerId: 'apple.com',
        tokenType: 'REFRESH_TOKEN',
        token: refresh.value,
        idToken,
      },
      null,
      2,
    )}\n`,
    secret,
  );
  const serviceAccountKeyFile = join(dataDir, demoFiles.serviceAccountKey);
  const key = emulator.createServiceAccount({ clientEmail: 'revoker@demo-project.iam.gserviceaccount.com' });
  writeFileSync(serviceAccountKeyFile, `${JSON.stringify(key, null, 2)}\n`, secret);
  const serviceAccountRequestFile = join(dataDir, demoFiles.serviceAccountRequest);
  writeFileSync(
    serviceAccountRequestFile,
    `${JSON.stringify(
      {
        provider: 'google-identity-platform',
        connection: 'service-account',
        providerId: 'apple.com',
        tokenType: 'ACCESS_TOKEN',
        token: access.value,
        idToken,
      },
      null,
      2,
    )}\n`,
    secret,
  );
  writeFileSync(
    join(dataDir, demoFiles.env),
    [
      `GIP_DEMO_ID_TOKEN=${idToken}`,
      `GIP_DEMO_APPLE_REFRESH_TOKEN=${refresh.value}`,
      `GIP_DEMO_APPLE_ACCESS_TOKEN=${access.value}`,
      `GIP_DEMO_APPLE_CODE=${code.value}`,
      `GIP_DEMO_REDIRECT_URI=${DEMO_REDIRECT_URI}`,
      '',
    ].join('\n'),
    secret,
  );

  return {
    provider: 'google-identity-platform',
    connections: {
      default: { baseUrl: emulator.baseUrl, apiKeyFile },
      'service-account': { baseUrl: emulator.baseUrl, serviceAccountKeyFile },
    },
    examples: [`start --file ${requestFile} --wait`, `start --file ${serviceAccountRequestFile} --wait`],
    close: () => emulator.close(),
  };
};
