import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartDemo } from './demo';

/**
 * A provider's demo emulator as a process (`tsx emulators/<provider>/main.ts`): its files go to a
 * fresh temporary directory, removed again on SIGINT or SIGTERM. Prints the connections (the
 * provider's section of REVOCATION_CONNECTIONS) and the CLI examples that work against it.
 */
export function runDemo(provider: string, startDemo: StartDemo): void {
  const main = async (): Promise<void> => {
    const dataDir = mkdtempSync(join(tmpdir(), `${provider}-emulator-`));
    const demo = await startDemo(dataDir);
    process.stdout.write(
      `${JSON.stringify({ [demo.provider]: demo.connections, examples: demo.examples }, null, 2)}\n`,
    );
    const stop = (): void => {
      void demo.close().then(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  };
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
