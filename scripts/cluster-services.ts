import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import pg from 'pg';
import { msToTs } from '@temporalio/common/lib/time';
import { searchAttributeKeys } from '../api';
import { startClusterPostgres, type ClusterPostgres } from './cluster-postgres';
import { findTemporalServer, type TemporalServerBinaries } from './temporal-server';

const root = resolve(__dirname, '..');
export const CLUSTER_CONFIG_DIR = 'config/temporal-cluster';
export const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ClusterOptions {
  /** Data directory: PostgreSQL's data and the services' logs. Kept, so a second run reuses it. */
  dir: string;
  /** First of the cluster's ports: PostgreSQL; frontend +1, history +2, matching +3, worker +4; membership +10..+13; frontend HTTP +5; metrics +20..+23. @default 7632 */
  basePort?: number;
  namespace?: string;
  log?: (line: string) => void;
  binaries?: TemporalServerBinaries;
}

export interface Cluster {
  /** The frontend's gRPC address, what TEMPORAL_ADDRESS names. */
  address: string;
  namespace: string;
  postgres: ClusterPostgres;
  logDir: string;
  pids(): Record<ServiceName, number | undefined>;
  /** SIGKILL one service (a crash), without restarting it. */
  kill(name: ServiceName): Promise<void>;
  /** Starts one service again (after a kill). */
  restart(name: ServiceName): void;
  stop(): Promise<void>;
}

function ports(base: number) {
  return {
    pg: base,
    frontend: base + 1,
    history: base + 2,
    matching: base + 3,
    worker: base + 4,
    frontendHttp: base + 5,
  };
}

function serviceEnv(base: number, name: ServiceName): NodeJS.ProcessEnv {
  const p = ports(base);
  const i = SERVICES.indexOf(name);
  return {
    ...process.env,
    TEMPORAL_CLUSTER_PG_PORT: String(p.pg),
    TEMPORAL_CLUSTER_FRONTEND_PORT: String(p.frontend),
    TEMPORAL_CLUSTER_HISTORY_PORT: String(p.history),
    TEMPORAL_CLUSTER_MATCHING_PORT: String(p.matching),
    TEMPORAL_CLUSTER_WORKER_PORT: String(p.worker),
    TEMPORAL_CLUSTER_FRONTEND_HTTP_PORT: String(p.frontendHttp),
    TEMPORAL_CLUSTER_FRONTEND_MEMBERSHIP_PORT: String(base + 10),
    TEMPORAL_CLUSTER_HISTORY_MEMBERSHIP_PORT: String(base + 11),
    TEMPORAL_CLUSTER_MATCHING_MEMBERSHIP_PORT: String(base + 12),
    TEMPORAL_CLUSTER_WORKER_MEMBERSHIP_PORT: String(base + 13),
    TEMPORAL_CLUSTER_METRICS_ADDRESS: `127.0.0.1:${base + 20 + i}`,
    TEMPORAL_CLUSTER_DYNAMIC_CONFIG: join(root, CLUSTER_CONFIG_DIR, 'dynamicconfig.yaml'),
  };
}

/** temporal-sql-tool: creates the database when missing, then brings its schema to the newest. */
function setupSchema(sqlTool: string, pgPort: number, db: string, schema: string): void {
  const base = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pgPort), '-u', 'temporal'];
  const tool = (args: string[], allowFail = false) => {
    const res = spawnSync(sqlTool, [...base, '--pw', 'temporal', '--db', db, ...args], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (res.status !== 0 && !allowFail)
      throw new Error(`temporal-sql-tool ${args[0]} ${db} failed (${res.status}):\n${res.stderr}`);
    return res;
  };
  // create-database fails when it exists (a second run): that is the one failure we accept.
  const created = tool(['create-database'], true);
  if (created.status !== 0 && !/already exists/.test(created.stderr + created.stdout))
    throw new Error(`temporal-sql-tool create-database ${db} failed:\n${created.stderr}`);
  tool(['setup-schema', '-v', '0.0']);
  tool(['update-schema', '--schema-name', `postgresql/v12/${schema}`]);
}

/** Waits until the `temporal` database holds the cluster's metadata row (written at a first start). */
async function waitForClusterMetadata(pgPort: number, first: () => ChildProcess | undefined): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const client = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'temporal', database: 'temporal' });
    try {
      await client.connect();
      const res = await client.query<{ n: string }>('SELECT count(*) AS n FROM cluster_metadata_info');
      if (Number(res.rows[0]?.n) > 0) return;
    } finally {
      await client.end().catch(() => undefined);
    }
    const child = first();
    if (child?.exitCode !== null || child.signalCode !== null)
      throw new Error('the history service exited before it wrote the cluster metadata; see its log');
    if (Date.now() > deadline) throw new Error('no cluster metadata after 120 s; see the history log');
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function waitForFrontend(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(
    `the cluster's frontend at ${address} is not serving after ${timeoutMs} ms: ${String(lastError)}`,
  );
}

/** Registers the namespace (when missing) and the project's search attributes on it. */
export async function registerNamespace(address: string, namespace: string): Promise<void> {
  const conn = await Connection.connect({ address });
  try {
    try {
      await conn.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('3 days'),
      });
    } catch (err) {
      if (!/already exists|AlreadyExists/i.test(String(err))) throw err;
    }
    const have = await conn.operatorService.listSearchAttributes({ namespace });
    const missing = searchAttributeKeys.filter((k) => !(k.name in (have.customAttributes ?? {})));
    if (missing.length > 0) {
      const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
      await conn.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, keyword])),
      });
    }
    // The frontend's namespace cache refreshes every few seconds: wait until it knows the namespace.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await conn.workflowService.describeNamespace({ namespace });
        await conn.workflowService.countWorkflowExecutions({ namespace, query: 'RevocationProvider = "x"' });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await conn.close();
  }
}

function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill(signal);
  });
}

/**
 * Starts PostgreSQL, sets up the `temporal` and `temporal_visibility` schemas, and runs frontend,
 * history, matching and worker as four `temporal-server start --service=<name>` processes.
 */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = o.basePort ?? 7632;
  const namespace = o.namespace ?? 'default';
  const bins = o.binaries ?? findTemporalServer({ log });
  const dir = resolve(o.dir);
  const logDir = join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // The server reads <root>/<config>/development.yaml: the repo's template, rendered by the server.
  mkdirSync(join(dir, 'config'), { recursive: true });
  copyFileSync(
    join(root, CLUSTER_CONFIG_DIR, 'development.yaml.tmpl'),
    join(dir, 'config', 'development.yaml'),
  );
  const postgres = startClusterPostgres(join(dir, 'postgres'), ports(base).pg);
  const children = new Map<ServiceName, ChildProcess>();
  const spawnService = (name: ServiceName) => {
    const out = openSync(join(logDir, `${name}.log`), 'a');
    const args = ['--root', dir, '--config', 'config', '--env', 'development', '--allow-no-auth'];
    // Own process group: a Ctrl-C in the terminal reaches cluster.ts, which stops them in order.
    const child = spawn(bins.server, [...args, 'start', `--service=${name}`], {
      cwd: root,
      env: serviceEnv(base, name),
      stdio: ['ignore', out, out],
      detached: true,
    });
    closeSync(out);
    children.set(name, child);
  };
  // Whatever way this process ends (short of SIGKILL), nothing of the cluster outlives it.
  const killAll = () => {
    for (const c of children.values()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    postgres.stop('fast');
  };
  process.once('exit', killAll);
  try {
    log(`PostgreSQL ${postgres.dataDir} on 127.0.0.1:${postgres.port} (log ${postgres.logFile})`);
    const schemaStarted = Date.now();
    setupSchema(bins.sqlTool, postgres.port, 'temporal', 'temporal');
    setupSchema(bins.sqlTool, postgres.port, 'temporal_visibility', 'visibility');
    log(`schemas temporal and temporal_visibility up to date in ${Date.now() - schemaStarted} ms`);
    // On a new database every service would write the cluster's metadata at once, and the losers
    // of that race exit: history writes it first, the others start when it is there.
    spawnService('history');
    await waitForClusterMetadata(postgres.port, () => children.get('history'));
    for (const name of SERVICES) if (name !== 'history') spawnService(name);
    const address = `127.0.0.1:${ports(base).frontend}`;
    await waitForFrontend(address, 120_000);
    await registerNamespace(address, namespace);
    log(`Temporal cluster up: frontend ${address}, services' logs in ${logDir}`);
    return {
      address,
      namespace,
      postgres,
      logDir,
      pids: () =>
        Object.fromEntries(SERVICES.map((n) => [n, children.get(n)?.pid])) as Record<ServiceName, number>,
      kill: (name) => stopChild(children.get(name), 'SIGKILL'),
      restart: (name) => spawnService(name),
      async stop() {
        // Frontend first (no new calls), then the rest, then the database.
        await stopChild(children.get('frontend'));
        await Promise.all(SERVICES.filter((n) => n !== 'frontend').map((n) => stopChild(children.get(n))));
        process.removeListener('exit', killAll);
        postgres.stop('fast');
      },
    };
  } catch (err) {
    process.removeListener('exit', killAll);
    killAll();
    throw err;
  }
}
