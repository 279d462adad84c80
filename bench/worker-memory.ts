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
  /** RSS when the worker was ready and idle, before the job. */
  idleMiB: number;
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
}

async function measure(
  ctx: BenchContext,
  t: BenchTemporal,
  p: Params,
  n: number,
  dir: string,
): Promise<SizeRun> {
  const emu = await seededEmulator(n, `mem-${label(n)}`, dir);
  ctx.log(`${label(n)}: emulator seeded with ${n} tokens in ${emu.seedMs} ms`);
  const taskQueue = `bench-mem-${randomUUID()}`;
  try {
    const path = ndjsonOfIds(emu.ids, dir, `mem-${label(n)}`);
    const worker = await startWorkerProcess(t.workerEnv(taskQueue, emu.connectionsFile));
    try {
      await delay(1000); // let start-up garbage settle before the idle reading
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
      const step = Math.max(1, Math.ceil(sampled.samples.length / 100));
      const r: SizeRun = {
        targets: n,
        peakMiB: mib(peak),
        polledPeakMiB: mib(sampled.peak),
        ...(reset ? { hwmSinceJobStartMiB: mib(end.hwm) } : {}),
        idleMiB: mib(idle.rss),
        lifetimePeakMiB: mib(reset ? idle.hwm : end.hwm),
        endMiB: mib(end.rss),
        elapsedMs: round(run.elapsedMs, 1),
        targetsPerSecond: round((n * 1000) / run.elapsedMs, 1),
        seedMs: emu.seedMs,
        runs: profile.runs,
        pages: profile.pages,
        maxEventsPerRun: profile.maxEventsPerRun,
        samples: sampled.samples.filter((_, i) => i % step === 0).map((s) => [s.atMs, mib(s.rss)]),
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
      small: envInt(ctx.env, 'BENCH_MEMORY_SMALL', 10_000),
      large: envInt(ctx.env, 'BENCH_MEMORY_LARGE', 100_000),
      concurrency: envInt(ctx.env, 'BENCH_CONCURRENCY', 20),
      pageSize: envInt(ctx.env, 'BENCH_PAGE_SIZE', 500),
      sampleMs: envInt(ctx.env, 'BENCH_RSS_SAMPLE_MS', 200),
    };
    ctx.log(
      `${p.small} vs ${p.large} targets, concurrency ${p.concurrency}, page size ${p.pageSize}; one fresh worker process each`,
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
        `  idle before the job: ${s} ${small.idleMiB} MiB, ${l} ${large.idleMiB} MiB; start-up peak (workflow bundling) ${small.lifetimePeakMiB} / ${large.lifetimePeakMiB} MiB; ` +
          `runs ${small.runs} / ${large.runs}, max ${Math.max(small.maxEventsPerRun, large.maxEventsPerRun)} events per run; ` +
          `${Math.round(small.targetsPerSecond)} / ${Math.round(large.targetsPerSecond)} targets/s`,
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
          subtitle: `growth ${(growth * 100).toFixed(1)}% (goal < ${GOAL * 100}%); NDJSON source, page size ${p.pageSize}, concurrency ${p.concurrency}`,
          unit: 'MiB',
          bars: [
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
