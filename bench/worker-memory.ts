import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  checkAllRevoked,
  ndjsonOfIds,
  removeScratch,
  runBulkJob,
  scratchDir,
  seededEmulator,
} from './fixtures';
import { envInt, MiB, ratio, round, type BenchContext, type Benchmark, type BenchResult } from './harness';
import { profileJob } from './job-profile';
import type { BenchTemporal } from './temporal';
import { readRss, resetPeakRss, sampleRss, startWorkerProcess } from './worker-process';

const GOAL = 0.2;
const label = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));
const mib = (bytes: number) => round(bytes / MiB, 1);

interface Params {
  /** Targets of the warm-up job each worker process runs before the measured one. */
  warmup: number;
  small: number;
  large: number;
  concurrency: number;
  pageSize: number;
  sampleMs: number;
}

interface SizeRun {
  targets: number;
  /** Peak RSS while the job ran: max of the VmRSS samples and of VmHWM reset at job start. */
  peakMiB: number;
  polledPeakMiB: number;
  hwmSinceJobStartMiB?: number;
  /** RSS after the warm-up job, idle, before the measured job. */
  idleMiB: number;
  /** RSS when the worker was ready and idle, before the warm-up job. */
  coldIdleMiB: number;
  /** Peak RSS during the warm-up job (the same size for every measured size). */
  warmupPeakMiB: number;
  /** Peak over the whole process life, start-up (workflow bundling) included. */
  lifetimePeakMiB: number;
  endMiB: number;
  elapsedMs: number;
  targetsPerSecond: number;
  seedMs: number;
  runs: number;
  pages: number;
  maxEventsPerRun: number;
  /** VmRSS over the job, MiB, thinned to at most 100 points. */
  samples: Array<[number, number]>;
  /** VmRSS over the warm-up job, the same way. */
  warmupSamples: Array<[number, number]>;
}

/** [ms, MiB] pairs, at most 100 of them. */
function thin(samples: ReadonlyArray<{ atMs: number; rss: number }>): Array<[number, number]> {
  const step = Math.max(1, Math.ceil(samples.length / 100));
  return samples.filter((_, i) => i % step === 0).map((x) => [x.atMs, mib(x.rss)]);
}

async function measure(
  ctx: BenchContext,
  t: BenchTemporal,
  p: Params,
  n: number,
  dir: string,
): Promise<SizeRun> {
  const emu = await seededEmulator(p.warmup + n, `mem-${label(n)}`, dir);
  ctx.log(`${label(n)}: emulator seeded with ${p.warmup} + ${n} tokens in ${emu.seedMs} ms`);
  const taskQueue = `bench-mem-${randomUUID()}`;
  let warmSamples: Array<[number, number]> | undefined;
  try {
    const warmPath = ndjsonOfIds(emu.ids.slice(0, p.warmup), dir, `mem-${label(n)}-warmup`);
    const path = ndjsonOfIds(emu.ids.slice(p.warmup), dir, `mem-${label(n)}`);
    const worker = await startWorkerProcess(t.workerEnv(taskQueue, emu.connectionsFile));
    try {
      await delay(1000); // let start-up garbage settle before the idle reading
      const coldIdle = readRss(worker.pid);
      resetPeakRss(worker.pid);
      // A fresh worker's RSS climbs for its first 20-30k targets (JIT, V8 growing its heap to the
      // working size) and then stays flat: without a warm-up, a short job ends partway up that ramp
      // and a long one on the plateau, and the difference looks like growth with job size.
      const warmSampler = sampleRss(worker.pid, p.sampleMs);
      let warm;
      try {
        warm = await runBulkJob(t, taskQueue, {
          name: `bench-memory-warmup-${label(n)}`,
          source: { kind: 'ndjson', path: warmPath },
          pageSize: p.pageSize,
          concurrency: p.concurrency,
        });
      } finally {
        warmSamples = thin(warmSampler.stop().samples);
      }
      if (warm.operation.response?.succeeded !== p.warmup)
        throw new Error(
          `warm-up job ${warm.id}: ${JSON.stringify(warm.operation.response ?? warm.operation.error)}`,
        );
      const warmupPeakMiB = mib(readRss(worker.pid).hwm);
      await delay(1000);
      const idle = readRss(worker.pid);
      const reset = resetPeakRss(worker.pid);
      const sampler = sampleRss(worker.pid, p.sampleMs);
      let run;
      let sampled: ReturnType<ReturnType<typeof sampleRss>['stop']>;
      try {
        run = await runBulkJob(t, taskQueue, {
          name: `bench-memory-${label(n)}`,
          source: { kind: 'ndjson', path },
          pageSize: p.pageSize,
          concurrency: p.concurrency,
        });
      } finally {
        sampled = sampler.stop();
      }
      const end = readRss(worker.pid);
      checkAllRevoked(run, n, emu.emulator);
      const profile = await profileJob(t.client, run.id);
      const peak = Math.max(sampled.peak, reset ? end.hwm : 0);
      const r: SizeRun = {
        targets: n,
        peakMiB: mib(peak),
        polledPeakMiB: mib(sampled.peak),
        ...(reset ? { hwmSinceJobStartMiB: mib(end.hwm) } : {}),
        idleMiB: mib(idle.rss),
        coldIdleMiB: mib(coldIdle.rss),
        warmupPeakMiB,
        lifetimePeakMiB: mib(reset ? coldIdle.hwm : end.hwm),
        endMiB: mib(end.rss),
        elapsedMs: round(run.elapsedMs, 1),
        targetsPerSecond: round((n * 1000) / run.elapsedMs, 1),
        seedMs: emu.seedMs,
        runs: profile.runs,
        pages: profile.pages,
        maxEventsPerRun: profile.maxEventsPerRun,
        samples: thin(sampled.samples),
        warmupSamples: warmSamples ?? [],
      };
      ctx.log(
        `${label(n)}: ${Math.round(r.elapsedMs)} ms (${Math.round(r.targetsPerSecond)}/s, ${r.runs} runs); ` +
          `RSS idle ${r.idleMiB} MiB, peak ${r.peakMiB} MiB, end ${r.endMiB} MiB`,
      );
      return r;
    } catch (err) {
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\nworker output:\n${worker.output()}`,
        {
          cause: err,
        },
      );
    } finally {
      await worker.stop();
    }
  } finally {
    await emu.emulator.close();
  }
}

export const workerMemory: Benchmark = {
  name: 'worker-memory',
  title: 'Worker peak RSS: small vs large bulk job (NDJSON of Yandex refresh token ids)',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const p: Params = {
      warmup: envInt(ctx.env, 'BENCH_MEMORY_WARMUP', 20_000),
      small: envInt(ctx.env, 'BENCH_MEMORY_SMALL', 10_000),
      large: envInt(ctx.env, 'BENCH_MEMORY_LARGE', 100_000),
      concurrency: envInt(ctx.env, 'BENCH_CONCURRENCY', 20),
      pageSize: envInt(ctx.env, 'BENCH_PAGE_SIZE', 500),
      sampleMs: envInt(ctx.env, 'BENCH_RSS_SAMPLE_MS', 200),
    };
    ctx.log(
      `${p.small} vs ${p.large} targets, concurrency ${p.concurrency}, page size ${p.pageSize}; ` +
        `one fresh worker process each, warmed by a ${p.warmup}-target job`,
    );
    const t = await ctx.temporal();
    const dir = scratchDir();
    try {
      const small = await measure(ctx, t, p, p.small, dir);
      const large = await measure(ctx, t, p, p.large, dir);
      const growth = (large.peakMiB - small.peakMiB) / small.peakMiB;
      const g = ratio(
        'worker peak RSS growth',
        `(peak ${label(p.large)} - peak ${label(p.small)}) / peak ${label(p.small)}`,
        growth,
        {
          op: '<',
          value: GOAL,
        },
      );
      const s = label(p.small);
      const l = label(p.large);
      const summary = [
        `worker peak RSS: ${s} ${small.peakMiB} MiB, ${l} ${large.peakMiB} MiB, growth (Y-X)/X = ${(growth * 100).toFixed(1)}% (goal < ${GOAL * 100}%)${g.met ? '' : ' MISSED'}`,
        `  after a ${label(p.warmup)}-target warm-up job in each worker: idle ${small.idleMiB} / ${large.idleMiB} MiB; ` +
          `end of job ${small.endMiB} / ${large.endMiB} MiB; runs ${small.runs} / ${large.runs}, max ${Math.max(small.maxEventsPerRun, large.maxEventsPerRun)} events per run; ` +
          `${Math.round(small.targetsPerSecond)} / ${Math.round(large.targetsPerSecond)} targets/s`,
        `  cold: idle ${small.coldIdleMiB} / ${large.coldIdleMiB} MiB after start-up, peak during the warm-up job ${small.warmupPeakMiB} / ${large.warmupPeakMiB} MiB`,
      ];
      return {
        summary,
        figures: [
          { name: `peak RSS ${s}`, value: small.peakMiB, unit: 'MiB' },
          { name: `peak RSS ${l}`, value: large.peakMiB, unit: 'MiB' },
        ],
        ratios: [
          { ...g, value: round(g.value, 4) },
          ratio('worker peak RSS ratio', `peak ${l} / peak ${s}`, round(large.peakMiB / small.peakMiB, 4)),
        ],
        chart: {
          title: `Worker peak RSS, bulk job of ${s} vs ${l} targets`,
          subtitle: `growth ${(growth * 100).toFixed(1)}% (goal < ${GOAL * 100}%); warmed worker, NDJSON, page size ${p.pageSize}, concurrency ${p.concurrency}`,
          unit: 'MiB',
          bars: [
            {
              label: 'warm-up job',
              note: `${label(p.warmup)}, cold worker`,
              value: small.warmupPeakMiB,
              color: '#c7c7c7',
            },
            { label: `${s} targets`, note: 'baseline', value: small.peakMiB, color: '#8c8c8c' },
            { label: `${l} targets`, value: large.peakMiB, color: '#4e79a7' },
          ],
          reference: { value: small.peakMiB * (1 + GOAL), label: `goal: < ${(1 + GOAL).toFixed(1)} × ${s}` },
        },
        params: { ...p },
        raw: { small, large },
      };
    } finally {
      removeScratch(dir);
    }
  },
};
