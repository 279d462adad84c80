import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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
  type Ratio,
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
/** The polled variant: Yandex operations done only in the answer to the second OperationService.Get. */
const POLLS = 2;

interface Params {
  targets: number;
  concurrency: number;
  pageSize: number;
  source: Source;
  warmup: number;
  rounds: number;
  /** Targets of the polled variant (0: skip it). */
  polledTargets: number;
  /** Provider calls in flight in the polled variant: each target spends 300 ms waiting in its page. */
  polledConcurrency: number;
  polls: number;
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

/**
 * The in-page wait of a bulk page before each OperationService.Get of a Yandex operation that is not
 * done yet (activities/bulk/revoke-target.ts `settleYandex`): 100 ms, doubling, at most 2 s.
 */
export const PAGE_POLL = { initialMs: 100, maxMs: 2000 };

/**
 * The baseline: the same adapter, the same emulator setup, a plain loop with the same concurrency.
 * An operation not done in the Revoke reply is polled as a bulk page polls it (`PAGE_POLL`).
 */
export async function direct(emu: SeededEmulator, concurrency: number): Promise<Measurement> {
  const adapter = requireAdapter(buildConnectionRegistry(emu.connections), 'yandex-cloud', 'default');
  let revoked = 0;
  const cpu = cpuSnapshot();
  const started = performance.now();
  await forEachConcurrent(emu.ids, concurrency, async (id) => {
    let op = await adapter.revoke({ refreshTokenId: id });
    let wait = PAGE_POLL.initialMs;
    while (!op.done) {
      await sleep(wait);
      wait = Math.min(wait * 2, PAGE_POLL.maxMs);
      op = await adapter.getOperation(op.id);
    }
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

/**
 * `p.rounds` rounds of `targets` each way, alternating which side goes first so drift (other load,
 * heap growth) hits both alike; every measurement on a fresh emulator whose operations are done
 * after `polls` OperationService.Get calls (0: in the Revoke reply).
 */
async function measureRounds(
  ctx: BenchContext,
  t: BenchTemporal,
  p: Params,
  dir: string,
  targets: number,
  polls: number,
): Promise<Round[]> {
  const rounds: Round[] = [];
  const tag = polls ? `${polls}-poll ` : '';
  for (let i = 0; i < p.rounds; i++) {
    const round: Partial<Round> = { round: i + 1 };
    const order = i % 2 === 0 ? (['direct', 'temporal'] as const) : (['temporal', 'direct'] as const);
    for (const path of order) {
      const emu = await seededEmulator(targets, `r${i}-p${polls}-${path}`, dir, polls);
      try {
        if (path === 'direct') round.direct = await direct(emu, p.concurrency);
        else {
          const m = await viaTemporal(t, emu, p, dir, `bench-throughput-${tag ? 'polled-' : ''}${i + 1}`);
          const profile = await profileJob(t.client, m.workflowId);
          const pageRate = (targets * 1000) / Math.max(1, profile.activityMs.total);
          round.temporal = { ...m, profile, pageRate };
        }
        // Both paths must have polled alike: exactly `polls` Gets per operation.
        const gets = emu.emulator.callsOf('Get').length;
        if (gets !== targets * polls)
          throw new Error(
            `${tag}round ${i + 1} ${path}: ${gets} OperationService.Get calls, expected ${targets * polls}`,
          );
      } finally {
        await emu.emulator.close();
      }
      const m = round[path] as Measurement;
      ctx.log(
        `${tag}round ${i + 1} ${path}: ${targets} revoked in ${Math.round(m.elapsedMs)} ms = ${Math.round(m.rate)}/s, ` +
          `CPU ${Math.round(m.cpu.selfMs)} ms here + ${Math.round(m.cpu.serverMs)} ms server`,
      );
    }
    rounds.push(round as Round);
  }
  return rounds;
}

interface Analysis {
  rounds: Round[];
  targets: number;
  bestDirect: Measurement;
  bestJob: Round['temporal'];
  bestPageRate: number;
  ratio: Ratio;
  medianRatio: number;
  cpuDirect: number;
  cpuJob: number;
  cpuJobSelf: number;
  cpuJobServer: number;
}

/** Other load only ever slows a run down, so each side's best round is the figure; the median is kept beside it. */
function analyse(name: string, rounds: Round[], targets: number): Analysis {
  const bestDirect = best(rounds, (x) => x.direct.rate).direct;
  const bestJob = best(rounds, (x) => x.temporal.rate).temporal;
  const per1000 = (ms: number) => (ms * 1000) / targets;
  return {
    rounds,
    targets,
    bestDirect,
    bestJob,
    bestPageRate: Math.max(...rounds.map((x) => x.temporal.pageRate)),
    ratio: ratio(name, 'temporal / direct', round2(bestJob.rate / bestDirect.rate, 3), {
      op: '>=',
      value: GOAL,
    }),
    medianRatio: median(rounds.map((x) => x.temporal.rate)) / median(rounds.map((x) => x.direct.rate)),
    cpuDirect: median(rounds.map((x) => per1000(x.direct.cpu.totalMs))),
    cpuJob: median(rounds.map((x) => per1000(x.temporal.cpu.totalMs))),
    cpuJobSelf: median(rounds.map((x) => per1000(x.temporal.cpu.selfMs))),
    cpuJobServer: median(rounds.map((x) => per1000(x.temporal.cpu.serverMs))),
  };
}

function summaryLines(label: string, a: Analysis, of: string): string[] {
  const profile = a.bestJob.profile;
  return [
    `${label}: temporal ${Math.round(a.bestJob.rate)}/s, direct ${Math.round(a.bestDirect.rate)}/s, ` +
      `ratio X/Y = ${a.ratio.value.toFixed(2)} (goal ≥ ${GOAL})${a.ratio.met ? '' : ' MISSED'}${of}`,
    `  rounds (temporal/direct targets/s): ${a.rounds.map((x) => `${Math.round(x.temporal.rate)}/${Math.round(x.direct.rate)}`).join(', ')}; ` +
      `median ratio ${a.medianRatio.toFixed(2)}`,
    `  CPU per 1,000 targets (median): direct ${Math.round(a.cpuDirect)} ms, temporal ${Math.round(a.cpuJob)} ms ` +
      `(bench process ${Math.round(a.cpuJobSelf)} + Temporal server ${Math.round(a.cpuJobServer)}); ratio ${(a.cpuJob / a.cpuDirect).toFixed(2)}`,
    `  best job: ${profile.pages} pages in ${profile.runs} runs; inside page activities ${Math.round(a.bestPageRate)}/s ` +
      `(page mean ${Math.round(profile.activityMs.mean)} ms); between pages mean ${Math.round(profile.betweenPagesMs.mean)} ms, ` +
      `dispatch mean ${Math.round(profile.dispatchMs.mean)} ms; orchestration ${(profile.orchestrationShare * 100).toFixed(1)}% of the wall clock`,
  ];
}

const rawRounds = (rounds: Round[]) =>
  rounds.map((x) => ({
    round: x.round,
    direct: roundMeasurement(x.direct),
    temporal: {
      ...x.temporal,
      ...roundMeasurement(x.temporal),
      pageRate: round2(x.temporal.pageRate, 1),
    },
    ratio: round2(x.temporal.rate / x.direct.rate, 3),
  }));

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
      polledTargets: envInt(ctx.env, 'BENCH_POLLED_TARGETS', 4_000, 0),
      // The job's largest: at 20 the waits would hold both sides near 20 / 0.3 s ≈ 65/s, idle.
      polledConcurrency: envInt(ctx.env, 'BENCH_POLLED_CONCURRENCY', 100),
      polls: POLLS,
    };
    ctx.log(
      `${p.targets} targets, concurrency ${p.concurrency}, page size ${p.pageSize}, source ${p.source}, ` +
        `warm-up ${p.warmup}, ${p.rounds} rounds; then ${p.polledTargets} targets with ${p.polls} polls each, concurrency ${p.polledConcurrency}`,
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

      const done = analyse('bulk throughput', await measureRounds(ctx, t, p, dir, p.targets, 0), p.targets);
      // Operations done only in the answer to the second Get: each target waits 100 + 200 ms in its
      // page (PAGE_POLL) and the direct loop waits the same, so the figure is about keeping C in flight.
      const polled =
        p.polledTargets > 0
          ? analyse(
              `bulk throughput ${p.polls} polls`,
              await measureRounds(
                ctx,
                t,
                { ...p, concurrency: p.polledConcurrency },
                dir,
                p.polledTargets,
                p.polls,
              ),
              p.polledTargets,
            )
          : undefined;
      const of = p.rounds > 1 ? ` (best of ${p.rounds} rounds)` : '';
      const summary = [
        ...summaryLines('bulk throughput', done, of),
        ...(polled
          ? summaryLines(
              `bulk throughput, ${p.polls}-poll Yandex (${p.polledTargets} targets, concurrency ${p.polledConcurrency})`,
              polled,
              of,
            )
          : []),
      ];
      const r = done.ratio;
      return {
        summary,
        figures: [
          { name: 'temporal', value: round2(done.bestJob.rate, 1), unit: 'targets/s' },
          { name: 'direct', value: round2(done.bestDirect.rate, 1), unit: 'targets/s' },
          { name: 'temporal inside page activities', value: round2(done.bestPageRate, 1), unit: 'targets/s' },
          { name: 'CPU per 1000 targets, direct', value: round2(done.cpuDirect, 1), unit: 'ms' },
          { name: 'CPU per 1000 targets, temporal', value: round2(done.cpuJob, 1), unit: 'ms' },
          ...(polled
            ? [
                { name: 'temporal, 2 polls', value: round2(polled.bestJob.rate, 1), unit: 'targets/s' },
                { name: 'direct, 2 polls', value: round2(polled.bestDirect.rate, 1), unit: 'targets/s' },
              ]
            : []),
        ],
        ratios: [
          r,
          ratio(
            'bulk throughput, median rounds',
            'median temporal / median direct',
            round2(done.medianRatio, 3),
          ),
          ratio('CPU per target', 'temporal / direct', round2(done.cpuJob / done.cpuDirect, 3)),
          ...(polled
            ? [
                polled.ratio,
                ratio(
                  'bulk throughput 2 polls, median rounds',
                  'median temporal / median direct',
                  round2(polled.medianRatio, 3),
                ),
              ]
            : []),
        ],
        chart: {
          title: `Bulk throughput, ${p.targets.toLocaleString('en-US')} Yandex targets, concurrency ${p.concurrency}`,
          subtitle:
            `temporal/direct = ${r.value.toFixed(2)} (goal ≥ ${GOAL}); page size ${p.pageSize}, ${p.source}${of}` +
            (polled ? `; 2 polls: ${polled.ratio.value.toFixed(2)}` : ''),
          unit: 'targets/s',
          bars: [
            {
              label: 'direct loop',
              note: 'baseline',
              value: round2(done.bestDirect.rate, 1),
              color: '#8c8c8c',
            },
            {
              label: 'bulkRevocation job',
              note: 'end to end',
              value: round2(done.bestJob.rate, 1),
              color: '#4e79a7',
              goal: GOAL * done.bestDirect.rate,
            },
            {
              label: 'inside page activities',
              note: 'same job',
              value: round2(done.bestPageRate, 1),
              color: '#a0cbe8',
            },
            ...(polled
              ? [
                  {
                    label: 'direct, 2 polls',
                    note: 'baseline',
                    value: round2(polled.bestDirect.rate, 1),
                    color: '#8c8c8c',
                  },
                  {
                    label: 'job, 2 polls',
                    note: `${p.polledTargets} targets`,
                    value: round2(polled.bestJob.rate, 1),
                    color: '#4e79a7',
                    goal: GOAL * polled.bestDirect.rate,
                  },
                ]
              : []),
          ],
        },
        params: { ...p, pagePoll: PAGE_POLL },
        raw: {
          rounds: rawRounds(done.rounds),
          ...(polled ? { polledRounds: rawRounds(polled.rounds) } : {}),
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
