import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoEmulator, StartDemo } from '../demo';
import { DEFAULT_IAM_TOKENS, startYandexEmulator, type YandexTokenSeed } from './index';

/** The subject of the README's offboarding example, whose tokens only the `admin` connection may revoke. */
export const demoOffboardedSubject = 'aje123';
/** The subject behind the `admin` connection: it holds `admin` on `aje123`. */
export const demoAdminSubject = 'emulator-admin';
const adminIamToken = 'emulator-admin-iam-token';

/** The refresh tokens the emulator holds at every start, so the printed commands always work. */
export const demoTokens: YandexTokenSeed[] = [
  { id: 'demo-rt-1', subjectId: 'emulator-subject', clientId: 'demo-client-a', clientInstanceInfo: 'laptop' },
  { id: 'demo-rt-2', subjectId: 'emulator-subject', clientId: 'demo-client-a', clientInstanceInfo: 'phone' },
  { id: 'demo-rt-3', subjectId: 'emulator-subject', clientId: 'demo-client-b', clientInstanceInfo: 'laptop' },
  // The README's example revokes the two of yc.oauth.public-sdk; the banner's, the third.
  { id: 'demo-rt-4', subjectId: 'aje123', clientId: 'yc.oauth.public-sdk', clientInstanceInfo: 'laptop' },
  { id: 'demo-rt-5', subjectId: 'aje123', clientId: 'yc.oauth.public-sdk', clientInstanceInfo: 'phone' },
  { id: 'demo-rt-6', subjectId: 'aje123', clientId: 'demo-client-a', clientInstanceInfo: 'laptop' },
];

/**
 * The Yandex Cloud IAM emulator for `npm start`, with two connections: `default`, subject
 * `emulator-subject` with three demo refresh tokens, and `admin`, subject `emulator-admin` with an
 * `admin` binding on `aje123` (three more tokens), which the README's offboarding example uses.
 * Revoke operations are done on the second poll; the emulator's TLS root certificate is written
 * under `dataDir` for the connections' `rootCertFile`. `port` is the emulator's port
 * (YANDEX_EMULATOR_PORT for `npm start`). @default 0, any free port
 */
export const startDemo = (async (dataDir: string, opts: { port?: number } = {}): Promise<DemoEmulator> => {
  const emulator = await startYandexEmulator({
    port: opts.port ?? 0,
    tokens: demoTokens,
    pollsUntilDone: 2,
    iamTokens: { ...DEFAULT_IAM_TOKENS, [adminIamToken]: demoAdminSubject },
    accessBindings: [{ subjectId: demoAdminSubject, roleId: 'admin', resourceId: demoOffboardedSubject }],
  });
  const rootCertFile = join(dataDir, 'yandex-emulator-ca.pem');
  writeFileSync(rootCertFile, emulator.rootCert);
  const connection = (iamToken: string) => ({ endpoint: emulator.endpoint, iamToken, rootCertFile });
  return {
    provider: 'yandex-cloud',
    connections: { default: connection(emulator.iamToken), admin: connection(adminIamToken) },
    examples: [
      'yandex-cloud --refresh-token-id demo-rt-1 --wait',
      'yandex-cloud --connection admin --subject-id aje123 --client-id demo-client-a --wait',
    ],
    close: () => emulator.close(),
  };
}) satisfies StartDemo;
