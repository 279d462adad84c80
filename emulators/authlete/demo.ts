import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartDemo } from '../demo';
import {
  authleteTokenHash,
  DEFAULT_CLIENTS,
  DEFAULT_SERVICE_ACCESS_TOKEN,
  DEFAULT_SERVICE_ID,
  startAuthleteEmulator,
  type AuthleteTokenSeed,
} from './index';

const [app, cli] = DEFAULT_CLIENTS.map((c) => c.clientId) as [number, number];

/** Demo tokens; each CLI example below touches its own ones, so all of them work once per start. */
export const demoTokens: AuthleteTokenSeed[] = [
  {
    serviceId: DEFAULT_SERVICE_ID,
    clientId: app,
    subject: 'alice',
    accessToken: 'demo-at-1',
    refreshToken: 'demo-rt-1',
    scopes: ['openid'],
  },
  {
    serviceId: DEFAULT_SERVICE_ID,
    clientId: app,
    subject: 'alice',
    accessToken: 'demo-at-2',
    refreshToken: 'demo-rt-2',
    scopes: ['openid'],
  },
  {
    serviceId: DEFAULT_SERVICE_ID,
    clientId: cli,
    subject: 'alice',
    accessToken: 'demo-at-3',
    refreshToken: 'demo-rt-3',
  },
  {
    serviceId: DEFAULT_SERVICE_ID,
    clientId: app,
    subject: 'bob',
    accessToken: 'demo-at-4',
    refreshToken: 'demo-rt-4',
  },
  {
    serviceId: DEFAULT_SERVICE_ID,
    clientId: app,
    subject: 'bob',
    accessToken: 'demo-at-5',
    refreshToken: 'demo-rt-5',
  },
  {
    serviceId: DEFAULT_SERVICE_ID,
    clientId: cli,
    subject: 'carol',
    accessToken: 'demo-at-6',
    refreshToken: 'demo-rt-6',
  },
];

/**
 * The Authlete emulator for `npm start`: service 715948317 with clients `demo-app` and `demo-cli`,
 * six token pairs (values `demo-at-N` / `demo-rt-N`), and the connection's bearer token in a file
 * under `dataDir` (so the connections file holds no credential).
 */
export const startDemo: StartDemo = async (dataDir) => {
  const emulator = await startAuthleteEmulator({ tokens: demoTokens });
  const tokenFile = join(dataDir, 'authlete-emulator-service-access-token');
  writeFileSync(tokenFile, `${DEFAULT_SERVICE_ACCESS_TOKEN}\n`, { mode: 0o600 });
  const service = `--service-id ${DEFAULT_SERVICE_ID}`;
  return {
    provider: 'authlete',
    connections: { default: { baseUrl: emulator.baseUrl, serviceAccessTokenFile: tokenFile } },
    examples: [
      `authlete ${service} --access-token-hash ${authleteTokenHash('demo-at-1')} --wait`,
      `authlete ${service} --refresh-token-hash ${authleteTokenHash('demo-rt-2')} --wait`,
      `authlete ${service} --action delete --access-token-hash ${authleteTokenHash('demo-at-6')} --wait`,
      `authlete ${service} --client-identifier demo-app --subject bob --wait`,
      `authlete ${service} --subject alice --wait`,
    ],
    close: () => emulator.close(),
  };
};
