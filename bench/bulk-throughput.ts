import { randomUUID } from 'node:crypto';
import { requireAdapter } from '../activities/connection-registry';
import type { BulkRevocationJobInput } from '../api';
import { buildConnectionRegistry } from '../worker/connections';
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
  envChoice,
  envInt,
  forEachConcurrent,
  ratio,
  round as round2,
  type BenchContext,
  type Benchmark,
  type BenchResult,
} from './harness';
import { cpuSince, cpuSnapshot } from './cpu';
import { profileJob, type JobProfile } from './job-profile';
import type { BenchTemporal } from './temporal';

const SOURCES = ['ndjson', 'yandex-list'] as const;
type Source = (typeof SOURCES)[number];
const GOAL = 0.8;
/**
 * The job's largest page (api/bulk-job.ts): every page costs a workflow task and a dispatch, with no
 * provider call in flight meanwhile, and its tail runs below the concurrency while lanes drain.
 */
const PAGE_SIZE = 1000;

interface Params {
  targets: number;
  concurrency: number;
  pageSize: number;
  source: Source;
  warmup: number;
  rounds: number;
}

interface Measurement {
  elapsedMs: number;
  /** Targets per second. */
  rate: number;
  seedMs: number;
  /** CPU used while it ran: this process (emulator, worker or loop, client) and the dev server. */
  cpu: { selfMs: number; serverMs: number; totalMs: number };
}

interface Round {
  round: number;
  direct: Measurement;
  temporal: Measurement & { workflowId: string; report: unknown; profile: JobProfile; pageRate: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const best = <T>(xs: T[], by: (x: T) => number): T => xs.reduce((a, b) => (by(b) > by(a) ? b : a));

/** The baseline: the same adapter, the same emulator setup, a plain loop with the same concurrency. */
async function direct(emu: SeededEmulator, concurrency: number): Promise<Measurement> {
  const adapter = requireAdapter(buildConnectionRegistry(emu.connections), 'yandex-cloud', 'default');
  let revoked = 0;
  const cpu = cpuSnapshot();
  const started = performance.now();
  await forEachConcurrent(emu.ids, concurrency, async (id) => {
    let op = await adapter.revoke({ refreshTokenId: id });
    while (!op.done) op = await adapter.getOperation(op.id);
    if (op.error) throw new Error(`direct revoke of ${id} failed: ${op.error.message}`);
    revoked++;
  });
  const elapsedMs = performance.now() - started;
  const used = cpuSince(cpu);
  const active = emu.emulator.activeTokens().length;
  if (revoked !== emu.ids.length || active !== 0)
    throw new Error(`direct loop: ${revoked} revoked, ${active} still active`);
  return { elapsedMs, rate: (revoked * 1000) / elapsedMs, seedMs: emu.seedMs, cpu: used };
}

function jobFor(p: Params, emu: SeededEmulator, dir: string, name: string): BulkRevocationJobInput {
  return {
    name,
    source:
      p.source === 'ndjson'
        ? { kind: 'ndjson', path: ndjsonOfIds(emu.ids, dir, name) }
        : { kind: 'yandex-list', connection: 'default' },
    pageSize: p.pageSize,
    concurrency: p.concurrency,
  };
}

/** The measured path: a bulkRevocation job served by an in-process worker. */
async function viaTemporal(t: BenchTemporal, emu: SeededEmulator, p: Params, dir: string, name: string) {
  const taskQueue = `bench-${randomUUID()}`;
  const worker = await t.startWorker(taskQueue, emu.connections);
  try {
    const job = jobFor(p, emu, dir, name);
    const cpu = cpuSnapshot();
    const run = await runBulkJob(t, taskQueue, job);
    const used = cpuSince(cpu);
    checkAllRevoked(run, emu.ids.length, emu.emulator);
    return {
      elapsedMs: run.elapsedMs,
      rate: (emu.ids.length * 1000) / run.elapsedMs,
      seedMs: emu.seedMs,
      cpu: used,
      workflowId: run.id,
      report: { ...run.operation.response, failures: run.operation.response?.failures.length },
    };
  } finally {
    await worker.stop();
  }
}

export const bulkThroughput: Benchmark = {
  name: 'bulk-throughput',
  title: 'Bulk revocation throughput: bulkRevocation job vs a direct-call loop',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const p: Params = {
      targets: envInt(ctx.env, 'BENCH_TARGETS', 20_000),
      concurrency: envInt(ctx.env, 'BENCH_CONCURRENCY', 20),
      pageSize: envInt(ctx.env, 'BENCH_PAGE_SIZE', PAGE_SIZE),
      source: envChoice(ctx.env, 'BENCH_SOURCE', SOURCES, 'ndjson'),
      warmup: envInt(ctx.env, 'BENCH_WARMUP', 5_000),
      rounds: envInt(ctx.env, 'BENCH_ROUNDS', 3),
    };
    ctx.log(
      `${p.targets} targets, concurrency ${p.concurrency}, page size ${p.pageSize}, source ${p.source}, ` +
        `warm-up ${p.warmup}, ${p.rounds} rounds`,
    );
    const t = await ctx.temporal();
    await t.bundle();
    const dir = scratchDir();
    try {
      // Warm both paths (JIT, TLS sessions, the worker's first tasks): the first few thousand gRPC
      // calls of a process run at a fraction of the later rate, and neither side should pay for that.
      for (const path of ['direct', 'temporal'] as const) {
        const emu = await seededEmulator(p.warmup, `warm-${path}`, dir);
        try {
          if (path === 'direct') await direct(emu, p.concurrency);
          else await viaTemporal(t, emu, p, dir, 'bench-warmup');
        } finally {
          await emu.emulator.close();
        }
      }
      ctx.log(`warm-up done (${p.warmup} targets each way)`);

      // Alternate the order each round so drift (other load, heap growth) hits both sides alike.
      const rounds: Round[] = [];
      for (let i = 0; i < p.rounds; i++) {
        const round: Partial<Round> = { round: i + 1 };
        const order = i % 2 === 0 ? (['direct', 'temporal'] as const) : (['temporal', 'direct'] as const);
        for (const path of order) {
          const emu = await seededEmulator(p.targets, `r${i}-${path}`, dir);
          try {
            if (path === 'direct') round.direct = await direct(emu, p.concurrency);
            else {
              const m = await viaTemporal(t, emu, p, dir, `bench-throughput-${i + 1}`);
              const profile = await profileJob(t.client, m.workflowId);
              const pageRate = (p.targets * 1000) / Math.max(1, profile.activityMs.total);
              round.temporal = { ...m, profile, pageRate };
            }
          } finally {
            await emu.emulator.close();
          }
          const m = round[path] as Measurement;
          ctx.log(
            `round ${i + 1} ${path}: ${p.targets} revoked in ${Math.round(m.elapsedMs)} ms = ${Math.round(m.rate)}/s, ` +
              `CPU ${Math.round(m.cpu.selfMs)} ms here + ${Math.round(m.cpu.serverMs)} ms server`,
          );
        }
        rounds.push(round as Round);
      }

      // Other load on the machine only ever slows a run down, so each side's best round is the
      // figure; the median is kept beside it.
      const bestDirect = best(rounds, (x) => x.direct.rate).direct;
      const bestJob = best(rounds, (x) => x.temporal.rate).temporal;
      const bestPageRate = Math.max(...rounds.map((x) => x.temporal.pageRate));
      const r = ratio('bulk throughput', 'temporal / direct', bestJob.rate / bestDirect.rate, {
        op: '>=',
        value: GOAL,
      });
      const medianRatio =
        median(rounds.map((x) => x.temporal.rate)) / median(rounds.map((x) => x.direct.rate));
      const per1000 = (ms: number) => (ms * 1000) / p.targets;
      const cpuDirect = median(rounds.map((x) => per1000(x.direct.cpu.totalMs)));
      const cpuJob = median(rounds.map((x) => per1000(x.temporal.cpu.totalMs)));
      const cpuJobSelf = median(rounds.map((x) => per1000(x.temporal.cpu.selfMs)));
      const cpuJobServer = median(rounds.map((x) => per1000(x.temporal.cpu.serverMs)));
      const profile = bestJob.profile;
      const of = p.rounds > 1 ? ` (best of ${p.rounds} rounds)` : '';
      const summary = [
        `bulk throughput: temporal ${Math.round(bestJob.rate)}/s, direct ${Math.round(bestDirect.rate)}/s, ` +
          `ratio X/Y = ${r.value.toFixed(2)} (goal ≥ ${GOAL})${r.met ? '' : ' MISSED'}${of}`,
        `  rounds (temporal/direct targets/s): ${rounds.map((x) => `${Math.round(x.temporal.rate)}/${Math.round(x.direct.rate)}`).join(', ')}; ` +
          `median ratio ${medianRatio.toFixed(2)}`,
        `  CPU per 1,000 targets (median): direct ${Math.round(cpuDirect)} ms, temporal ${Math.round(cpuJob)} ms ` +
          `(bench process ${Math.round(cpuJobSelf)} + Temporal server ${Math.round(cpuJobServer)}); ratio ${(cpuJob / cpuDirect).toFixed(2)}`,
        `  best job: ${profile.pages} pages in ${profile.runs} runs; inside page activities ${Math.round(bestJob.pageRate)}/s ` +
          `(page mean ${Math.round(profile.activityMs.mean)} ms); between pages mean ${Math.round(profile.betweenPagesMs.mean)} ms, ` +
          `dispatch mean ${Math.round(profile.dispatchMs.mean)} ms; orchestration ${(profile.orchestrationShare * 100).toFixed(1)}% of the wall clock`,
      ];
      return {
        summary,
        figures: [
          { name: 'temporal', value: round2(bestJob.rate, 1), unit: 'targets/s' },
          { name: 'direct', value: round2(bestDirect.rate, 1), unit: 'targets/s' },
          { name: 'temporal inside page activities', value: round2(bestPageRate, 1), unit: 'targets/s' },
          { name: 'CPU per 1000 targets, direct', value: round2(cpuDirect, 1), unit: 'ms' },
          { name: 'CPU per 1000 targets, temporal', value: round2(cpuJob, 1), unit: 'ms' },
        ],
        ratios: [
          { ...r, value: round2(r.value, 3) },
          ratio('bulk throughput, median rounds', 'median temporal / median direct', round2(medianRatio, 3)),
          ratio('CPU per target', 'temporal / direct', round2(cpuJob / cpuDirect, 3)),
        ],
        chart: {
          title: `Bulk throughput, ${p.targets.toLocaleString('en-US')} Yandex targets, concurrency ${p.concurrency}`,
          subtitle: `temporal/direct = ${r.value.toFixed(2)} (goal ≥ ${GOAL}); page size ${p.pageSize}, ${p.source}${of}`,
          unit: 'targets/s',
          bars: [
            { label: 'direct loop', note: 'baseline', value: round2(bestDirect.rate, 1), color: '#8c8c8c' },
            {
              label: 'bulkRevocation job',
              note: 'end to end',
              value: round2(bestJob.rate, 1),
              color: '#4e79a7',
            },
            {
              label: 'inside page activities',
              note: 'same job',
              value: round2(bestPageRate, 1),
              color: '#a0cbe8',
            },
          ],
          reference: { value: GOAL * bestDirect.rate, label: `goal: ${GOAL} × direct` },
        },
        params: { ...p },
        raw: {
          rounds: rounds.map((x) => ({
            round: x.round,
            direct: roundMeasurement(x.direct),
            temporal: {
              ...x.temporal,
              ...roundMeasurement(x.temporal),
              pageRate: round2(x.temporal.pageRate, 1),
            },
            ratio: round2(x.temporal.rate / x.direct.rate, 3),
          })),
        },
      };
    } finally {
      removeScratch(dir);
    }
  },
};

function roundMeasurement(m: Measurement): Measurement {
  return {
    elapsedMs: round2(m.elapsedMs, 1),
    rate: round2(m.rate, 1),
    seedMs: m.seedMs,
    cpu: {
      selfMs: round2(m.cpu.selfMs, 0),
      serverMs: round2(m.cpu.serverMs, 0),
      totalMs: round2(m.cpu.totalMs, 0),
    },
  };
}
