import { startAuthleteEmulator } from './index';
import { demoTokens } from './demo';

// Manual use: `tsx emulators/authlete/main.ts` (PORT=8080 to pick the port), then point a
// connection's baseUrl at the printed URL with the printed serviceAccessToken.
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0) throw new Error(`invalid PORT: ${process.env.PORT}`);
  const emulator = await startAuthleteEmulator({ port, tokens: demoTokens });
  process.stdout.write(
    `${JSON.stringify({ baseUrl: emulator.baseUrl, serviceAccessToken: emulator.serviceAccessToken })}\n`,
  );
  const stop = (): void => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
