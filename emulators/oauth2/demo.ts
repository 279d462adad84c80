import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartDemo } from '../demo';
import { startOAuth2Emulator } from './index';

/** Demo tokens (not secrets: they exist only in this emulator's memory). */
export const oauth2DemoTokens = {
  refreshToken: 'demo-oauth2-refresh-token-1',
  accessToken: 'demo-oauth2-access-token-1',
  jwtClientAccessToken: 'demo-oauth2-access-token-2',
} as const;

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The OAuth 2.0 emulator for `npm start`: issuer `/realms/demo`, two connections (`default`:
 * client_secret_basic with RFC 8414 discovery; `private-key-jwt`: an ES256 key with OpenID
 * discovery) and a grant per client. The examples read the demo tokens from files on stdin, as
 * real tokens should be passed.
 */
export const startDemo: StartDemo = async (dataDir) => {
  const dir = join(dataDir, 'oauth2-demo');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateKeyFile = join(dir, 'client-es256.pem');
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

  const emulator = await startOAuth2Emulator({
    issuerPath: '/realms/demo',
    clients: [
      { clientId: 'demo-revoker', authMethod: 'client_secret_basic', clientSecret: 'demo-client-secret' },
      {
        clientId: 'demo-jwt-client',
        authMethod: 'private_key_jwt',
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      },
    ],
    tokens: [
      {
        value: oauth2DemoTokens.refreshToken,
        type: 'refresh_token',
        clientId: 'demo-revoker',
        grantId: 'demo-grant-1',
      },
      {
        value: oauth2DemoTokens.accessToken,
        type: 'access_token',
        clientId: 'demo-revoker',
        grantId: 'demo-grant-1',
      },
      {
        value: oauth2DemoTokens.jwtClientAccessToken,
        type: 'access_token',
        clientId: 'demo-jwt-client',
        grantId: 'demo-grant-2',
      },
    ],
  });

  const tokenFile = (name: string, value: string): string => {
    const path = join(dir, `${name}.txt`);
    writeFileSync(path, value, { mode: 0o600 });
    return path;
  };
  const refreshFile = tokenFile('refresh-token-1', oauth2DemoTokens.refreshToken);
  const jwtAccessFile = tokenFile('access-token-2', oauth2DemoTokens.jwtClientAccessToken);

  return {
    provider: 'oauth2',
    connections: {
      default: {
        issuer: emulator.issuer,
        discovery: 'oauth2',
        clientId: 'demo-revoker',
        clientAuthMethod: 'client_secret_basic',
        clientSecret: 'demo-client-secret',
        allowInsecureRequests: true,
      },
      'private-key-jwt': {
        issuer: emulator.issuer,
        discovery: 'oidc',
        clientId: 'demo-jwt-client',
        clientAuthMethod: 'private_key_jwt',
        privateKeyFile,
        privateKeyAlg: 'ES256',
        allowInsecureRequests: true,
      },
    },
    examples: [
      `oauth2 --token-stdin --token-type-hint refresh_token --wait < ${shellQuote(refreshFile)}`,
      `oauth2 --connection private-key-jwt --token-stdin --token-type-hint access_token --wait < ${shellQuote(jwtAccessFile)}`,
    ],
    close: () => emulator.close(),
  };
};
