import { randomUUID } from 'node:crypto';
import {
  checkAllRevoked,
  ndjsonOfIds,
  removeScratch,
  runBulkJob,
  scratchDir,
  seededEmulator,
} from './fixtures';
import {
  envInt,
  goalText,
  ratio,
  round,
  type BenchContext,
  type Benchmark,
  type BenchResult,
  type Goal,
} from './harness';
import { profileJob } from './job-profile';

const GOAL: Goal = { op: 'within', value: 0.95, max: 1.05 };

interface Params {
  rate: number;
  seconds: number;
  targets: number;
  concurrency: number;
  pageSize: number;
}

/** Calls per whole second from the first call; the last, partial second is left out. */
function perSecond(times: readonly number[]): number[] {
  const start = times[0] as number;
  const last = times[times.length - 1] as number;
  const whole = Math.floor((last - start) / 1000);
  const buckets = Array.from({ length: whole }, () => 0);
  for (const t of times) {
    const b = Math.floor((t - start) / 1000);
    if (b < whole) buckets[b] = (buckets[b] as number) + 1;
  }
  return buckets;
}

/** The most calls in any 1-second window [t, t + 1 s), t anywhere. */
function busiestWindow(times: readonly number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

export const rateLimit: Benchmark = {
  name: 'rate-limit',
  title: 'Rate-limit use: a bulk job with ratePerSecond R, achieved rate and 1-second windows',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const rate = envInt(ctx.env, 'BENCH_RATE', 50);
    const seconds = envInt(ctx.env, 'BENCH_RATE_SECONDS', 25);
    const p: Params = {
      rate,
      seconds,
      targets: rate * seconds,
      concurrency: envInt(ctx.env, 'BENCH_CONCURRENCY', 20),
      pageSize: envInt(ctx.env, 'BENCH_PAGE_SIZE', 500),
    };
    ctx.log(
      `${p.targets} targets at ratePerSecond ${p.rate} (about ${p.seconds} s), page size ${p.pageSize}, concurrency ${p.concurrency}`,
    );
    const t = await ctx.temporal();
    const dir = scratchDir();
    const emu = await seededEmulator(p.targets, 'rate', dir);
    const taskQueue = `bench-rate-${randomUUID()}`;
    const worker = await t.startWorker(taskQueue, emu.connections);
    try {
      const run = await runBulkJob(t, taskQueue, {
        name: 'bench-rate-limit',
        source: { kind: 'ndjson', path: ndjsonOfIds(emu.ids, dir, 'rate') },
        pageSize: p.pageSize,
        concurrency: p.concurrency,
        ratePerSecond: p.rate,
      });
      checkAllRevoked(run, p.targets, emu.emulator);
      const profile = await profileJob(t.client, run.id);
      const times = emu.emulator
        .callsOf('Revoke')
        .map((c) => c.at.getTime())
        .sort((a, b) => a - b);
      if (times.length !== p.targets)
        throw new Error(`the emulator saw ${times.length} Revoke calls, expected ${p.targets}`);

      const achieved = (p.targets * 1000) / run.elapsedMs;
      const span = ((times.length - 1) * 1000) / ((times[times.length - 1] as number) - (times[0] as number));
      const buckets = perSecond(times);
      const low = Math.min(...buckets);
      const high = Math.max(...buckets);
      const busiest = busiestWindow(times);
      // The worst window is the one furthest from the rate, either way.
      const worstCount = Math.abs(low - p.rate) > Math.abs(busiest - p.rate) ? low : busiest;
      const a = ratio(
        'rate-limit use',
        'achieved / configured (targets / job wall clock)',
        round(achieved / p.rate, 3),
        GOAL,
      );
      const w = ratio(
        'rate-limit worst 1-second window',
        'worst window / configured',
        round(worstCount / p.rate, 3),
        GOAL,
      );
      const missed = (x: typeof a) => (x.met ? '' : ' MISSED');
      const summary = [
        `rate limit: achieved ${achieved.toFixed(1)}/s of ${p.rate}/s = ${a.value.toFixed(3)}, ` +
          `worst 1-second window ${worstCount} = ${w.value.toFixed(3)} (goal ${goalText(GOAL)})${missed(a)}${missed(w)}`,
        `  ${p.targets} targets in ${(run.elapsedMs / 1000).toFixed(1)} s (start to result), ${profile.pages} pages; ` +
          `provider calls first to last ${span.toFixed(2)}/s; whole seconds ${buckets.length}: min ${low}, max ${high}; busiest sliding window ${busiest}`,
      ];
      return {
        summary,
        figures: [
          { name: 'configured', value: p.rate, unit: 'calls/s' },
          { name: 'achieved', value: round(achieved, 2), unit: 'calls/s' },
          { name: 'fewest calls in a whole second', value: low, unit: 'calls' },
          { name: 'most calls in any 1-second window', value: busiest, unit: 'calls' },
        ],
        ratios: [
          a,
          w,
          ratio(
            'rate-limit use, provider span',
            'calls / (last call - first call) / configured',
            round(span / p.rate, 3),
          ),
          ratio('fewest calls in a whole second', 'min bucket / configured', round(low / p.rate, 3)),
          ratio(
            'most calls in any 1-second window',
            'busiest window / configured',
            round(busiest / p.rate, 3),
          ),
        ],
        chart: {
          title: `Rate-limit use, ratePerSecond ${p.rate}, ${p.targets.toLocaleString('en-US')} targets`,
          subtitle: `achieved/R = ${a.value.toFixed(3)}, worst window/R = ${w.value.toFixed(3)} (goal ${goalText(GOAL)}, dashed: 0.95 R and 1.05 R)`,
          unit: 'calls/s',
          bars: [
            { label: 'configured', note: 'R', value: p.rate, color: '#8c8c8c' },
            {
              label: 'achieved',
              note: 'targets / wall clock',
              value: round(achieved, 2),
              color: '#4e79a7',
              goal: GOAL.value * p.rate,
            },
            {
              label: 'fewest in a second',
              note: 'whole seconds',
              value: low,
              color: '#a0cbe8',
              goal: GOAL.value * p.rate,
            },
            {
              label: 'busiest window',
              note: 'any 1 s window',
              value: busiest,
              color: '#f28e2b',
              goal: GOAL.max * p.rate,
            },
          ],
        },
        params: { ...p },
        raw: {
          elapsedMs: round(run.elapsedMs, 1),
          perSecond: buckets,
          /** Arrival of the first calls at the emulator, ms after the first one. */
          firstCallsMs: times.slice(0, 60).map((x) => x - (times[0] as number)),
          profile,
        },
      };
    } finally {
      await worker.stop();
      await emu.emulator.close();
      removeScratch(dir);
    }
  },
};
