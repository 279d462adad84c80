import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { EvidenceLedger } from '../ledger';
import { postgresUnavailable, startPostgres, type PostgresCluster } from '../test/helpers/postgres';
import { buildConnectionRegistry, type ConnectionsConfig } from '../worker/connections';
import { createRevocationWorker } from '../worker/create-worker';
import { openWorkerLedger } from '../worker/ledger';
import { direct } from './bulk-throughput';
import { cpuSince, cpuSnapshot } from './cpu';
import {
  checkAllRevoked,
  ndjsonOfIds,
  removeScratch,
  runBulkJob,
  scratchDir,
  seededEmulator,
  type SeededEmulator,
} from './fixtures';
import {
  envInt,
  ratio,
  round as round2,
  type BenchContext,
  type Benchmark,
  type BenchResult,
} from './harness';
import { checkLedger, postgresCpuMs, type LedgerCheck } from './ledger-check';
import { ledgerSummary, type Analysis, type Variant, type VariantRound } from './ledger-report';
import { profileJob } from './job-profile';
import type { BenchTemporal } from './temporal';

/** Ledger on against the same job with it off (the ledger's own cost). */
export const GOAL_VS_OFF = 0.9;
/** Ledger on against the direct loop (what the engine costs in all). */
export const GOAL_VS_DIRECT = 0.8;

const BACKENDS = ['sqlite', 'postgres'] as const;
type Backend = (typeof BACKENDS)[number];

interface Params {
  targets: number;
  concurrency: number;
  pageSize: number;
  warmup: number;
  rounds: number;
  backends: Backend[];
  /** A signed checkpoint every N records per writer (the worker's LEDGER_CHECKPOINT_EVERY). */
  checkpointEvery: number;
}

function backendsOf(env: NodeJS.ProcessEnv): Backend[] {
  const text = env.BENCH_LEDGER_BACKENDS?.trim() || BACKENDS.join(',');
  const list = text.split(',').map((s) => s.trim());
  for (const b of list)
    if (!(BACKENDS as readonly string[]).includes(b))
      throw new Error(`BENCH_LEDGER_BACKENDS must list ${BACKENDS.join(', ')}, got "${text}"`);
  return [...new Set(list)] as Backend[];
}

/** The stores the measured workers write to: a fresh SQLite file or PostgreSQL database per job. */
interface Stores {
  dir: string;
  postgres?: PostgresCluster;
  signingKeyFile: string;
}

async function openStore(
  stores: Stores,
  backend: Backend,
  name: string,
): Promise<{ url: string; drop(): void }> {
  if (backend === 'sqlite') {
    const file = join(stores.dir, `${name}-evidence.db`);
    return {
      url: `sqlite:${file}`,
      drop: () => ['', '-wal', '-shm'].forEach((s) => rmSync(`${file}${s}`, { force: true })),
    };
  }
  if (!stores.postgres) throw new Error('no PostgreSQL cluster was started');
  return { url: await stores.postgres.createDatabase(), drop: () => undefined };
}

/**
 * An in-process worker as bench/temporal.ts starts one (same bundle, codec, connections), with the
 * ledger the worker process would open from LEDGER_URL (worker/ledger.ts `openWorkerLedger`) or none.
 */
async function startWorker(
  t: BenchTemporal,
  taskQueue: string,
  connections: ConnectionsConfig,
  evidence: EvidenceLedger | undefined,
) {
  const native = await NativeConnection.connect({ address: t.address });
  const worker = await createRevocationWorker({
    connection: native,
    namespace: t.namespace,
    taskQueue,
    connections: buildConnectionRegistry(connections),
    keyring: t.keyring,
    workflowBundle: await t.bundle(),
    ...(evidence ? { evidence } : {}),
  });
  const done = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await done;
      await native.close();
    },
  };
}

/** One bulk job, the ledger off or on one backend; its ledger is checked afterwards (one record per target). */
async function viaJob(
  t: BenchTemporal,
  stores: Stores,
  emu: SeededEmulator,
  p: Params,
  variant: Exclude<Variant, 'direct'>,
  name: string,
  verify: boolean,
): Promise<VariantRound> {
  const n = emu.ids.length;
  const store = variant === 'off' ? undefined : await openStore(stores, variant, name);
  const ledger = store
    ? await openWorkerLedger({
        url: store.url,
        signingKeyFile: stores.signingKeyFile,
        checkpointEvery: p.checkpointEvery,
      })
    : undefined;
  try {
    const taskQueue = `bench-ledger-${randomUUID()}`;
    const worker = await startWorker(t, taskQueue, emu.connections, ledger);
    const job = {
      name,
      source: { kind: 'ndjson' as const, path: ndjsonOfIds(emu.ids, stores.dir, name) },
      pageSize: p.pageSize,
      concurrency: p.concurrency,
    };
    let run;
    const cpu = cpuSnapshot();
    const pgBefore = variant === 'postgres' ? postgresCpuMs(stores.postgres?.port) : 0;
    try {
      run = await runBulkJob(t, taskQueue, job);
    } finally {
      await worker.stop();
    }
    const used = cpuSince(cpu);
    const postgresMs = variant === 'postgres' ? postgresCpuMs(stores.postgres?.port) - pgBefore : 0;
    checkAllRevoked(run, n, emu.emulator);
    const reported = run.operation.response?.evidence;
    let check: LedgerCheck | undefined;
    if (ledger) {
      // A benchmark whose ledger silently stayed empty would measure nothing: count what it holds.
      check = await checkLedger(ledger, run.id, n, verify);
      if (reported?.recorded !== true || reported.count !== n)
        throw new Error(
          `${variant} job ${run.id}: its report says evidence ${JSON.stringify(reported)}, expected ${n} recorded`,
        );
    } else if (reported?.recorded === true)
      throw new Error(`job ${run.id} with the ledger off reports evidence ${JSON.stringify(reported)}`);
    const profile = await profileJob(t.client, run.id);
    return {
      elapsedMs: run.elapsedMs,
      rate: (n * 1000) / run.elapsedMs,
      cpu: { ...used, postgresMs, totalMs: used.totalMs + postgresMs },
      workflowId: run.id,
      pageRate: (n * 1000) / Math.max(1, profile.activityMs.total),
      pageMeanMs: profile.activityMs.mean,
      ...(check ? { ledger: check } : {}),
    };
  } finally {
    await ledger?.close();
    store?.drop();
  }
}

async function measure(
  t: BenchTemporal,
  stores: Stores,
  p: Params,
  variant: Variant,
  targets: number,
  name: string,
  verify: boolean,
): Promise<VariantRound> {
  const emu = await seededEmulator(targets, name, stores.dir);
  try {
    if (variant !== 'direct') return await viaJob(t, stores, emu, p, variant, name, verify);
    const m = await direct(emu, p.concurrency);
    return { elapsedMs: m.elapsedMs, rate: m.rate, cpu: { ...m.cpu, postgresMs: 0 } };
  } finally {
    await emu.emulator.close();
  }
}

/** Every variant once per round, the first one rotating, so drift (other load, heap growth) hits all alike. */
async function measureRounds(
  ctx: BenchContext,
  t: BenchTemporal,
  stores: Stores,
  p: Params,
  variants: Variant[],
) {
  const rounds: Array<Partial<Record<Variant, VariantRound>>> = [];
  for (let i = 0; i < p.rounds; i++) {
    const round: Partial<Record<Variant, VariantRound>> = {};
    const order = variants.map((_, k) => variants[(k + i) % variants.length] as Variant);
    for (const variant of order) {
      // The last round's ledgers are verified too (hash chains, checkpoints): outside the timing.
      const m = await measure(
        t,
        stores,
        p,
        variant,
        p.targets,
        `ledger-r${i + 1}-${variant}`,
        i === p.rounds - 1,
      );
      round[variant] = m;
      ctx.log(
        `round ${i + 1} ${variant}: ${p.targets} revoked in ${Math.round(m.elapsedMs)} ms = ${Math.round(m.rate)}/s, ` +
          `CPU ${Math.round(m.cpu.selfMs)} ms here + ${Math.round(m.cpu.serverMs)} ms Temporal` +
          (m.cpu.postgresMs ? ` + ${Math.round(m.cpu.postgresMs)} ms PostgreSQL` : '') +
          (m.ledger
            ? `; ledger holds ${m.ledger.records} records${m.ledger.verify ? `, verify ${m.ledger.verify}` : ''}`
            : ''),
      );
    }
    rounds.push(round);
  }
  return rounds as Array<Record<Variant, VariantRound>>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function analyse(
  rounds: Array<Record<Variant, VariantRound>>,
  variants: Variant[],
  targets: number,
): Analysis {
  const best = Object.fromEntries(
    variants.map((v) => [v, rounds.map((r) => r[v]).reduce((a, b) => (b.rate > a.rate ? b : a))]),
  ) as Record<Variant, VariantRound>;
  const per1000 = (ms: number) => (ms * 1000) / targets;
  const cpu = Object.fromEntries(
    variants.map((v) => [v, median(rounds.map((r) => per1000(r[v].cpu.totalMs)))]),
  ) as Record<Variant, number>;
  const pairs: Array<[Variant, Variant, number | undefined]> = [
    ['sqlite', 'off', GOAL_VS_OFF],
    ['postgres', 'off', GOAL_VS_OFF],
    ['sqlite', 'direct', GOAL_VS_DIRECT],
    ['postgres', 'direct', GOAL_VS_DIRECT],
    ['off', 'direct', undefined],
  ];
  const ratios = pairs
    .filter(([a, b]) => variants.includes(a) && variants.includes(b))
    .map(([a, b, goal]) => ({
      ratio: ratio(
        `${a}/${b}`,
        `best ${a} / best ${b}`,
        round2(best[a].rate / best[b].rate, 3),
        goal === undefined ? undefined : { op: '>=', value: goal },
      ),
      medianOfRounds: round2(median(rounds.map((r) => r[a].rate / r[b].rate)), 3),
    }));
  return { rounds, variants, targets, best, cpu, ratios };
}

export const ledgerThroughput: Benchmark = {
  name: 'evidence-ledger',
  title: 'Bulk throughput with the evidence ledger on (SQLite, PostgreSQL) vs off vs a direct-call loop',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const env = ctx.env;
    const p: Params = {
      targets: envInt(env, 'BENCH_LEDGER_TARGETS', envInt(env, 'BENCH_TARGETS', 20_000)),
      concurrency: envInt(env, 'BENCH_LEDGER_CONCURRENCY', envInt(env, 'BENCH_CONCURRENCY', 20)),
      pageSize: envInt(env, 'BENCH_PAGE_SIZE', 1000),
      warmup: envInt(env, 'BENCH_LEDGER_WARMUP', envInt(env, 'BENCH_WARMUP', 5_000)),
      rounds: envInt(env, 'BENCH_LEDGER_ROUNDS', envInt(env, 'BENCH_ROUNDS', 3)),
      backends: backendsOf(env),
      checkpointEvery: envInt(env, 'BENCH_LEDGER_CHECKPOINT_EVERY', 1000),
    };
    if (p.backends.includes('postgres') && postgresUnavailable())
      throw new Error(`${postgresUnavailable()}; or leave it out: BENCH_LEDGER_BACKENDS=sqlite`);
    const variants: Variant[] = ['direct', 'off', ...p.backends];
    ctx.log(
      `${p.targets} targets, concurrency ${p.concurrency}, page size ${p.pageSize}, variants ${variants.join(', ')}, ` +
        `warm-up ${p.warmup} each, ${p.rounds} rounds, a checkpoint every ${p.checkpointEvery} records`,
    );
    const t = await ctx.temporal();
    const dir = scratchDir();
    const stores: Stores = { dir, signingKeyFile: join(dir, 'ledger-signing-key.pem') };
    try {
      const [, cluster] = await Promise.all([
        t.bundle(),
        p.backends.includes('postgres') ? startPostgres() : undefined,
      ]);
      if (cluster) {
        stores.postgres = cluster;
        ctx.log(`PostgreSQL at 127.0.0.1:${cluster.port}`);
      }
      // Warm every path (JIT, gRPC channels, the ledger's statements, the pg pool) before measuring.
      for (const variant of variants)
        await measure(t, stores, p, variant, p.warmup, `ledger-warm-${variant}`, false);
      ctx.log(`warm-up done (${p.warmup} targets each)`);
      const a = analyse(await measureRounds(ctx, t, stores, p, variants), variants, p.targets);
      return ledgerSummary(a, { ...p, goalVsOff: GOAL_VS_OFF, goalVsDirect: GOAL_VS_DIRECT });
    } finally {
      await stores.postgres?.stop();
      removeScratch(dir);
    }
  },
};
