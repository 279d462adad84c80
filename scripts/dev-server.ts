import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeKeys } from '../api';
import { freePort } from './free-port';
import type { TemporalCli } from './temporal-cli';

export interface DevServerOptions {
  cli: TemporalCli;
  /** gRPC port. @default a free port */
  port?: number;
  /** Web UI port; `false` runs headless. @default port + 1000 */
  uiPort?: number | false;
  /** SQLite file; omitted keeps everything in memory. */
  dbFile?: string;
  /** Extra `--dynamic-config-value KEY=JSON` settings. */
  dynamicConfig?: Record<string, unknown>;
  /** Web UI codec endpoint. */
  codecEndpoint?: string;
  /** Log level of the server. @default 'error' */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Log format of the server. @default the CLI's (text) */
  logFormat?: 'text' | 'json' | 'pretty';
  /** Where the server's own output goes: inherit, ignore, or an open file descriptor. @default inherit */
  stdio?: 'inherit' | 'ignore' | number;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  stop(): Promise<void>;
  /** Synchronous hard stop, for `process.on('exit')`. */
  kill(): void;
}

function serverArgs(o: DevServerOptions, port: number, uiPort: number | false): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', 'default'];
  args.push('--log-level', o.logLevel ?? 'error');
  if (o.logFormat) args.push('--log-format', o.logFormat);
  if (uiPort === false) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  if (o.dbFile) args.push('--db-filename', o.dbFile);
  return [...args, ...featureArgs(o)];
}

/** Flags beyond what the SDK's own launcher sets. */
function featureArgs(o: DevServerOptions): string[] {
  const args: string[] = [];
  if (o.codecEndpoint) args.push('--ui-codec-endpoint', o.codecEndpoint);
  for (const [k, v] of Object.entries(o.dynamicConfig ?? {}))
    args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  return args;
}

/** Search attributes as the CLI's `--search-attribute Name=Type` flags; all ours are keywords. */
function searchAttributeArgs(): string[] {
  return searchAttributeKeys.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`temporal server exited with code ${child.exitCode} while starting`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
        await conn.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`temporal server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

/** Starts a Temporal dev server with the project's search attributes registered. */
export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const port = o.port ?? (await freePort());
  const uiPort = o.uiPort === undefined ? port + 1000 : o.uiPort;
  const address = `127.0.0.1:${port}`;
  const uiUrl = uiPort === false ? undefined : `http://127.0.0.1:${uiPort}`;

  if (o.cli.kind === 'sdk-download') {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download', ttl: '365d' },
        port,
        ip: '127.0.0.1',
        ...(uiPort === false ? {} : { ui: true, uiPort }),
        ...(o.dbFile ? { dbFilename: o.dbFile } : {}),
        searchAttributes: searchAttributeKeys,
        extraArgs: featureArgs(o),
      },
    });
    return {
      address,
      namespace: 'default',
      uiUrl,
      stop: () => env.teardown(),
      kill: () => void env.teardown(),
    };
  }

  const child = spawn(o.cli.path, [...serverArgs(o, port, uiPort), ...searchAttributeArgs()], {
    stdio: ['ignore', o.stdio ?? 'inherit', o.stdio ?? 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilServing(address, child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address,
    namespace: 'default',
    uiUrl,
    kill: () => void child.kill('SIGKILL'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
