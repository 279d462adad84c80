import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartDemo } from '../demo';
import { generateClientKey } from './client-keys';
import { startOpenPaymentsEmulator } from './index';
import type { OpenPaymentsEmulatorMode } from './public-types';

const secretFile = { mode: 0o600 } as const;

/**
 * The Open Payments emulator for `npm start`: one client (wallet address `demo-client`, key id
 * `demo-key-1`) whose private key and JWKS are written under `{dataDir}/open-payments/`, and grants
 * whose tokens the examples revoke. Token values are secrets even in a demo, so they are handed over
 * in files (`revoke start --file`, and `demo.env` for the `revoke open-payments` subcommand), never
 * on a command line.
 *
 * GNAP mode by default, so running an example twice still succeeds (204 for an already revoked
 * token); OPEN_PAYMENTS_EMULATOR_MODE=rafiki switches to Rafiki's 401 for those.
 */
export const startDemo: StartDemo = async (dataDir) => {
  const dir = join(dataDir, 'open-payments');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode: OpenPaymentsEmulatorMode =
    process.env.OPEN_PAYMENTS_EMULATOR_MODE === 'rafiki' ? 'rafiki' : 'gnap';
  const emulator = await startOpenPaymentsEmulator({ mode });

  const key = generateClientKey('demo-key-1');
  const privateKeyFile = join(dir, 'client-private-key.pem');
  writeFileSync(privateKeyFile, key.privateKeyPem, secretFile);
  writeFileSync(join(dir, 'jwks.json'), `${JSON.stringify({ keys: [key.jwk] }, null, 2)}\n`);
  const { walletAddressUrl } = emulator.addClient({ name: 'demo-client', keys: [key.jwk] });

  // One grant per example, so each works on its own and in any order.
  const forFile = emulator.issueGrant({ client: walletAddressUrl, accessTokens: 1 });
  const toCancel = emulator.issueGrant({ client: walletAddressUrl, accessTokens: 2 });
  const forEnv = emulator.issueGrant({ client: walletAddressUrl, accessTokens: 1 });
  const forEnvCancel = emulator.issueGrant({ client: walletAddressUrl, accessTokens: 1 });
  const [fileToken] = forFile.accessTokens;
  const [envToken] = forEnv.accessTokens;
  if (!fileToken || !envToken) throw new Error('the emulator issued no token');

  const revokeFile = join(dir, 'revoke-token-request.json');
  writeFileSync(
    revokeFile,
    `${JSON.stringify({ provider: 'open-payments', action: 'revokeToken', manageUrl: fileToken.manageUrl, accessToken: fileToken.value }, null, 2)}\n`,
    secretFile,
  );
  const cancelFile = join(dir, 'cancel-grant-request.json');
  writeFileSync(
    cancelFile,
    `${JSON.stringify({ provider: 'open-payments', action: 'cancelGrant', continueUri: toCancel.continueUri, continueToken: toCancel.continueToken }, null, 2)}\n`,
    secretFile,
  );
  writeFileSync(
    join(dir, 'demo.env'),
    [
      '# Source this file (". .data/open-payments/demo.env"); values are valid until npm start stops.',
      `export OP_MANAGE_URL='${envToken.manageUrl}'`,
      `export OP_ACCESS_TOKEN='${envToken.value}'`,
      `export OP_CONTINUE_URI='${forEnvCancel.continueUri}'`,
      `export OP_CONTINUE_TOKEN='${forEnvCancel.continueToken}'`,
      '',
    ].join('\n'),
    secretFile,
  );

  return {
    provider: 'open-payments',
    connections: {
      default: {
        privateKeyFile,
        keyId: key.keyId,
        walletAddressUrl,
        allowInsecureHttp: true,
        // Revoked tokens are verified by GNAP introspection (RFC 9767).
        introspectionEndpoint: emulator.introspectionEndpoint,
      },
    },
    examples: [`start --file ${revokeFile} --wait`, `start --file ${cancelFile} --wait`],
    close: () => emulator.close(),
  };
};
