import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refreshToken } from '@yandex-cloud/nodejs-sdk/iam-v1';
import { startYandexEmulator } from './index';

// Manual use: `tsx emulators/yandex-cloud/main.ts`, then point a Session at the printed endpoint.
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0) throw new Error(`invalid PORT: ${process.env.PORT}`);
  const subjectId = 'emulator-subject';
  const { NO_PROTECTION, SECURE_KEY_DPOP } = refreshToken.RefreshToken_ProtectionLevel;
  const emulator = await startYandexEmulator({
    port,
    tokens: [
      {
        subjectId,
        clientId: 'demo-client-a',
        clientInstanceInfo: 'demo-laptop',
        protectionLevel: NO_PROTECTION,
      },
      {
        subjectId,
        clientId: 'demo-client-a',
        clientInstanceInfo: 'demo-phone',
        protectionLevel: SECURE_KEY_DPOP,
      },
      {
        subjectId,
        clientId: 'demo-client-b',
        clientInstanceInfo: 'demo-laptop',
        protectionLevel: NO_PROTECTION,
      },
    ],
  });

  const rootCertPath = join(tmpdir(), `yandex-emulator-${emulator.port}.pem`);
  writeFileSync(rootCertPath, emulator.rootCert);
  process.stdout.write(
    `${JSON.stringify({ endpoint: emulator.endpoint, rootCertPath, iamToken: emulator.iamToken })}\n`,
  );

  const stop = (): void => {
    rmSync(rootCertPath, { force: true });
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
