import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { startDemo as startAuthleteDemo } from '../emulators/authlete/demo';
import type { DemoEmulator } from '../emulators/demo';
import { startDemo as startGoogleDemo } from '../emulators/google-identity-platform/demo';
import { startDemo as startOAuth2Demo } from '../emulators/oauth2/demo';
import { startDemo as startOpenPaymentsDemo } from '../emulators/open-payments/demo';
import { startDemo as startYandexDemo } from '../emulators/yandex-cloud/demo';
import { ensureLocalKeyFile, hasCodecKeySource } from '../common/codec-keys';
import { createCodecServer } from '../codec-server/server';
import { loadCodecServerConfig } from '../codec-server/config';
import { metricsUrl } from '../worker/metrics';
import { ensureSigningKey, publicKeyFileOf, redactLedgerUrl } from '../worker/ledger';
import { startDevServer, type DevServer } from './dev-server';
import { findTemporalCli } from './temporal-cli';

const root = resolve(__dirname, '..');

function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${name} must be a TCP port, got "${raw}"`);
  return port;
}

function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'worker', 'main.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      process.stdout.write(d);
      out += d.toString();
      if (out.includes('worker ready')) resolvePromise(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with code ${code} before it was ready`)));
  });
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

/** A random bearer token for the local codec server, kept owner-readable under the data directory. */
function ensureLocalToken(path: string): void {
  if (existsSync(path)) return;
  writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
}

/**
 * The codec server for the local Web UI and CLI. The dev server's UI has no login, so it has no
 * access token to send; it gets the token as a path segment of its codec endpoint instead
 * (`http://127.0.0.1:<port>/<token>`), and only the UI's own origins pass CORS.
 */
async function startLocalCodecServer(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  uiPort: number | undefined,
): Promise<{ server: Server; url: string; uiEndpoint: string; tokenSource: string }> {
  const local: NodeJS.ProcessEnv = { ...env };
  if (!local.REVOCATION_CODEC_SERVER_TOKEN && !local.REVOCATION_CODEC_SERVER_TOKEN_FILE) {
    local.REVOCATION_CODEC_SERVER_TOKEN_FILE = join(dataDir, 'codec-server-token');
    ensureLocalToken(local.REVOCATION_CODEC_SERVER_TOKEN_FILE);
  }
  if (!local.REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS && uiPort !== undefined)
    local.REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS = `http://127.0.0.1:${uiPort},http://localhost:${uiPort}`;
  local.REVOCATION_CODEC_SERVER_TOKEN_IN_PATH ||= 'true';
  local.REVOCATION_CODEC_SERVER_PORT ||= '0';
  const config = loadCodecServerConfig(local);
  const server = createCodecServer(config.options);
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolvePromise);
  });
  const url = `http://${config.host}:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    uiEndpoint: `${url}/${encodeURIComponent(config.options.token)}`,
    tokenSource: local.REVOCATION_CODEC_SERVER_TOKEN_FILE ?? 'REVOCATION_CODEC_SERVER_TOKEN',
  };
}

/**
 * `npm start`: the embedded default. A Temporal dev server (SQLite under .data/, Web UI, search
 * attributes), the provider emulators as connections unless real ones are configured, and a worker.
 * With TEMPORAL_ADDRESS set, that server is used and none is started.
 */
async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const dataDir = resolve(env.REVOCATION_DATA_DIR || join(root, '.data'));
  mkdirSync(dataDir, { recursive: true });
  // Filled in as each part starts, so a Ctrl-C during start-up stops what is already running.
  const running: {
    server?: DevServer;
    demos: DemoEmulator[];
    worker?: ChildProcess;
    codec?: Server;
  } = {
    demos: [],
  };
  let stopping = false;

  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${reason}: stopping worker, emulators and Temporal...\n`);
    await stopChild(running.worker);
    await Promise.all(running.demos.map((d) => d.close()));
    running.codec?.closeAllConnections();
    running.codec?.close();
    await running.server?.stop();
    process.stdout.write('stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (!hasCodecKeySource(env)) {
    env.REVOCATION_CODEC_KEY_FILE = join(dataDir, 'codec-keys.json');
    ensureLocalKeyFile(env.REVOCATION_CODEC_KEY_FILE);
  }

  // The evidence ledger and its signing key live under the data directory too (LEDGER=off: none).
  const ledgerOn = (env.LEDGER ?? '').trim().toLowerCase() !== 'off';
  if (ledgerOn) {
    env.LEDGER_URL ||= `sqlite:${join(dataDir, 'evidence.db')}`;
    env.LEDGER_SIGNING_KEY_FILE ||= join(dataDir, 'ledger-signing-key.pem');
    ensureSigningKey(env.LEDGER_SIGNING_KEY_FILE);
  }

  const devPort = portFrom(env, 'TEMPORAL_DEV_PORT', 7233);
  const uiPort = env.TEMPORAL_ADDRESS ? undefined : portFrom(env, 'TEMPORAL_UI_PORT', devPort + 1000);
  const codec = await startLocalCodecServer(env, dataDir, uiPort);
  running.codec = codec.server;

  if (env.TEMPORAL_ADDRESS) {
    process.stdout.write(
      `Using the Temporal server at ${env.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS); starting none.\n`,
    );
  } else {
    const server = await startDevServer({
      cli: findTemporalCli(),
      port: devPort,
      uiPort,
      dbFile: join(dataDir, 'temporal.db'),
      logLevel: 'error',
      codecEndpoint: codec.uiEndpoint,
    });
    running.server = server;
    env.TEMPORAL_ADDRESS = server.address;
  }

  if (!env.REVOCATION_CONNECTIONS_FILE && !env.REVOCATION_CONNECTIONS) {
    const connections: Record<string, unknown> = {};
    const yandexPort = portFrom(env, 'YANDEX_EMULATOR_PORT', 0);
    for (const start of [
      (dir: string) => startYandexDemo(dir, { port: yandexPort }),
      startAuthleteDemo,
      startGoogleDemo,
      startOpenPaymentsDemo,
      startOAuth2Demo,
    ]) {
      const demo = await start(dataDir);
      running.demos.push(demo);
      if (Object.keys(demo.connections).length > 0) connections[demo.provider] = demo.connections;
    }
    env.REVOCATION_CONNECTIONS_FILE = join(dataDir, 'emulator-connections.json');
    writeFileSync(env.REVOCATION_CONNECTIONS_FILE, JSON.stringify(connections, null, 2), { mode: 0o600 });
    process.stdout.write(
      `Provider emulators are the default connections: ${Object.keys(connections).join(', ')}.\n`,
    );
  }

  // Prometheus metrics of the worker (SDK and engine); set it empty to turn them off.
  env.REVOCATION_METRICS_ADDRESS ??= '127.0.0.1:9464';
  const worker = await startWorker(env);
  running.worker = worker;
  if (stopping) return;

  const envPrefix = [
    env.TEMPORAL_ADDRESS !== 'localhost:7233' && env.TEMPORAL_ADDRESS !== '127.0.0.1:7233'
      ? `TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS}`
      : '',
    hasCodecKeySource(process.env) ? '' : `REVOCATION_CODEC_KEY_FILE=${env.REVOCATION_CODEC_KEY_FILE}`,
  ].filter(Boolean);
  // The headline: the Yandex demo's first example (or that command against configured connections).
  const headline = running.demos[0]?.examples[0] ?? 'yandex-cloud --refresh-token-id demo-rt-1 --wait';
  const more = running.demos.flatMap((d) => d.examples).filter((e) => e !== headline);
  const command = [...envPrefix, `npm run -s revoke -- ${headline}`].join(' ');
  process.stdout.write(
    [
      '',
      'Token revocation engine is up.',
      running.server?.uiUrl ? `  Temporal Web UI: ${running.server.uiUrl}` : '',
      `  Temporal:        ${env.TEMPORAL_ADDRESS} (task queue ${env.REVOCATION_TASK_QUEUE || 'token-revocation'})`,
      `  Codec server:    ${codec.url} (bearer token in ${codec.tokenSource}; the Web UI is configured with it)`,
      `  Decode in CLI:   temporal workflow show -w <id> --codec-endpoint ${codec.url} --codec-auth "Bearer $(cat ${codec.tokenSource})"`,
      `  processes:       temporal ${running.server ? 'started' : 'external'}, worker pid ${worker.pid}`,
      env.REVOCATION_METRICS_ADDRESS
        ? `  Metrics:         ${metricsUrl(env.REVOCATION_METRICS_ADDRESS)}`
        : '',
      ...(ledgerOn && env.LEDGER_URL && env.LEDGER_SIGNING_KEY_FILE
        ? [
            `  Evidence ledger: ${redactLedgerUrl(env.LEDGER_URL)} (checkpoints signed with ${env.LEDGER_SIGNING_KEY_FILE})`,
            `  Verify it:       npm run -s revoke -- evidence verify --ledger ${redactLedgerUrl(env.LEDGER_URL)} --public-key ${publicKeyFileOf(env.LEDGER_SIGNING_KEY_FILE)}`,
          ]
        : ['  Evidence ledger: off (LEDGER=off)']),
      '',
      'Trigger a revocation (in another terminal, from this directory):',
      `  ${command}`,
      '',
      ...(more.length > 0
        ? [
            'More examples against the emulators (same environment):',
            ...more.map((e) => `  npm run -s revoke -- ${e}`),
            '',
          ]
        : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  worker.once('exit', (code) => void shutdown(`worker exited with code ${code}`));
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
