import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoEmulator, StartDemo } from '../demo';
import { startYandexEmulator, type YandexTokenSeed } from './index';

/** The refresh tokens the emulator holds at every start, so the printed command always works. */
export const demoTokens: YandexTokenSeed[] = [
  { id: 'demo-rt-1', subjectId: 'emulator-subject', clientId: 'demo-client-a', clientInstanceInfo: 'laptop' },
  { id: 'demo-rt-2', subjectId: 'emulator-subject', clientId: 'demo-client-a', clientInstanceInfo: 'phone' },
  { id: 'demo-rt-3', subjectId: 'emulator-subject', clientId: 'demo-client-b', clientInstanceInfo: 'laptop' },
];

/**
 * The Yandex Cloud IAM emulator for `npm start`: subject `emulator-subject` with the three demo
 * refresh tokens, Revoke operations done on the second poll, and the emulator's TLS root
 * certificate written under `dataDir` for the connection's `rootCertFile`. `port` is the
 * emulator's port (YANDEX_EMULATOR_PORT for `npm start`). @default 0, any free port
 */
export const startDemo = (async (dataDir: string, opts: { port?: number } = {}): Promise<DemoEmulator> => {
  const emulator = await startYandexEmulator({ port: opts.port ?? 0, tokens: demoTokens, pollsUntilDone: 2 });
  const rootCertFile = join(dataDir, 'yandex-emulator-ca.pem');
  writeFileSync(rootCertFile, emulator.rootCert);
  return {
    provider: 'yandex-cloud',
    connections: { default: { endpoint: emulator.endpoint, iamToken: emulator.iamToken, rootCertFile } },
    examples: ['yandex-cloud --refresh-token-id demo-rt-1 --wait'],
    close: () => emulator.close(),
  };
}) satisfies StartDemo;
