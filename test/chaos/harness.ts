import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { RevocationClient } from '../../client/revocation-client';
import type { Operation } from '../../api';
import { startDevServer, type DevServer } from '../../scripts/dev-server';
import { freePort } from '../../scripts/free-port';
import { findTemporalCli } from '../../scripts/temporal-cli';
import type { ConnectionsConfig } from '../../worker/connections';
import { AesGcmPayloadCodec, type CodecKeyring } from '../../common/payload-codec';
import { testDynamicConfig } from '../helpers/temporal';
import { startWorkerProcess, waitForExit, type WorkerProcess } from '../helpers/worker-process';

/** Processes the suite started, killed if it exits early (an error, Ctrl-C) so none is left behind. */
const started = new Set<{ kill(): void }>();
process.once('exit', () => {
  for (const p of started) p.kill();
});

/** Kills `child` with SIGKILL if the suite exits before it does. */
export function trackChild(child: ChildProcess): ChildProcess {
  started.add({ kill: () => void child.kill('SIGKILL') });
  return child;
}

/**
 * The suite's own Temporal dev server: a SQLite file under a temp dir and a fixed port, so it can
 * be stopped and started again while workers and clients keep their address.
 */
export class ChaosTemporal {
  private server: DevServer | undefined;
  readonly address: string;
  readonly keyring: CodecKeyring;
  private connection: Connection | undefined;
  private client: Client | undefined;
  restarts = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.address = `127.0.0.1:${port}`;
    this.keyring = { currentKeyId: 'chaos', keys: new Map([['chaos', randomBytes(32)]]) };
  }

  static async start(): Promise<ChaosTemporal> {
    const t = new ChaosTemporal(mkdtempSync(join(tmpdir(), 'revocation-chaos-')), await freePort());
    await t.startServer();
    return t;
  }

  get dbFile(): string {
    return join(this.dir, 'temporal.db');
  }

  private async startServer(): Promise<void> {
    const server = await startDevServer({
      cli: findTemporalCli(),
      port: this.port,
      uiPort: false,
      dbFile: this.dbFile,
      dynamicConfig: testDynamicConfig,
      stdio: 'ignore',
    });
    this.server = server;
    started.add(server);
  }

  /** Stops the server (SIGTERM, as an operator would), waits `downMs`, starts it on the same file. */
  async restart(downMs: number): Promise<void> {
    if (this.server) started.delete(this.server);
    await this.server?.stop();
    await delay(downMs);
    await this.startServer();
    this.restarts += 1;
  }

  async temporal(): Promise<Client> {
    if (!this.client) {
      this.connection = await Connection.connect({ address: this.address });
      this.client = new Client({
        connection: this.connection,
        namespace: 'default',
        dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(this.keyring)] },
      });
    }
    return this.client;
  }

  async revocationClient(taskQueue: string): Promise<RevocationClient> {
    return new RevocationClient(await this.temporal(), { taskQueue });
  }

  /** The environment a worker process of this server needs, for a task queue and connections. */
  workerEnv(taskQueue: string, connectionsFile: string): NodeJS.ProcessEnv {
    const key = this.keyring.keys.get(this.keyring.currentKeyId) as Buffer;
    return {
      TEMPORAL_ADDRESS: this.address,
      REVOCATION_TASK_QUEUE: taskQueue,
      REVOCATION_CONNECTIONS_FILE: connectionsFile,
      REVOCATION_CODEC_KEY: key.toString('base64'),
      REVOCATION_CODEC_KEY_ID: this.keyring.currentKeyId,
      REVOCATION_LOG_LEVEL: 'ERROR',
    };
  }

  async close(): Promise<void> {
    await this.connection?.close();
    await this.server?.stop();
    if (this.server) started.delete(this.server);
  }
}

export function newTaskQueue(name: string): string {
  return `chaos-${name}-${randomUUID()}`;
}

/** Writes a connections config into `dir`; returns its path. */
export function writeConnections(dir: string, name: string, config: ConnectionsConfig): string {
  const path = join(dir, `${name}-connections.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** One worker process at a time for a task queue, which the suite kills with SIGKILL and replaces. */
export class WorkerSupervisor {
  private current: WorkerProcess | undefined;
  kills = 0;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async start(): Promise<void> {
    const w = await startWorkerProcess(this.env);
    this.current = w;
    started.add({ kill: () => void w.child.kill('SIGKILL') });
  }

  async killAndReplace(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async kill(): Promise<void> {
    const w = this.current;
    if (!w) return;
    w.child.kill('SIGKILL');
    await waitForExit(w.child);
    this.kills += 1;
    this.current = undefined;
  }

  async stop(): Promise<void> {
    const w = this.current;
    if (!w) return;
    w.child.kill('SIGTERM');
    const timer = setTimeout(() => w.child.kill('SIGKILL'), 15_000);
    await waitForExit(w.child);
    clearTimeout(timer);
    this.current = undefined;
  }
}

/**
 * Waits until the operation is done: one long `wait` (no load while it waits), then, if that failed
 * (a server restart), `get` every half second. Returns undefined when `timeoutMs` passes first.
 */
export async function waitDone(
  client: RevocationClient,
  id: string,
  timeoutMs: number,
): Promise<Operation | undefined> {
  const deadline = Date.now() + timeoutMs;
  try {
    const op = await client.wait(id, { timeout: timeoutMs });
    if (op.done) return op;
  } catch {
    // Timed out, or the server went away; read it below until the deadline.
  }
  while (Date.now() < deadline) {
    try {
      const op = await client.get(id);
      if (op.done) return op;
    } catch {
      // The server is restarting; ask again.
    }
    await delay(500);
  }
  return undefined;
}

/** `k` distinct-ish random points in [lo, hi), sorted: the moments (as call counts) to strike at. */
export function randomMoments(random: () => number, k: number, lo: number, hi: number): number[] {
  return Array.from({ length: k }, () => Math.floor(lo + random() * (hi - lo))).sort((a, b) => a - b);
}

/** Polls `count()` until it reaches `target`, or `isOver()` says it never will. */
export async function waitForCount(
  count: () => number,
  target: number,
  isOver: () => boolean = () => false,
): Promise<boolean> {
  while (count() < target) {
    if (isOver()) return false;
    await delay(20);
  }
  return true;
}

export const secondsSince = (started: number): number => Math.round((Date.now() - started) / 1000);
