import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo } from './demo';

// Manual use: `tsx emulators/oauth2/main.ts` prints the demo connections (REVOCATION_CONNECTIONS's
// `oauth2` section) and the token files; Ctrl-C stops it.
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oauth2-emulator-'));
  const demo = await startDemo(dataDir);
  process.stdout.write(`${JSON.stringify({ oauth2: demo.connections, examples: demo.examples }, null, 2)}\n`);
  const stop = (): void => {
    void demo.close().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
