import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { codecRequestHandler, createCodecServer } from './server';
import { loadCodecServerConfig } from './config';

/** `npm run codec-server`: the remote codec endpoint for the Web UI and the CLI, configured by env. */
async function main(): Promise<void> {
  const config = loadCodecServerConfig(process.env);
  const server = config.tls
    ? createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, codecRequestHandler(config.options))
    : createCodecServer(config.options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const scheme = config.tls ? 'https' : 'http';
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const origins = config.options.allowedOrigins.join(', ') || 'none (CLI and server-to-server only)';
  process.stdout.write(
    `codec server ready: ${scheme}://${host}:${port} (keys: ${[...config.options.keyring.keys.keys()].join(', ')}; ` +
      `encrypts with ${config.options.keyring.currentKeyId}; CORS origins: ${origins})\n`,
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`codec server failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
