import { randomUUID } from 'node:crypto';
import { removeScratch, scratchDir, seededEmulator } from './fixtures';
import { startFloorWorker } from './floor-worker';
import { envInt, ratio, round, type BenchContext, type Benchmark, type BenchResult } from './harness';
import { mean, percentile } from './stats';
import { tailProfile, type LatencyPhases } from './latency-profile';
import type { BenchTemporal } from './temporal';

const GOAL = 1.2;

interface Params {
  operations: number;
  warmup: number;
}

interface Run {
  id: string;
  ms: number;
}

/** Client start → result, milliseconds. */
async function timed(start: () => Promise<{ workflowId: string; result(): Promise<unknown> }>): Promise<Run> {
  const started = performance.now();
  const handle = await start();
  await handle.result();
  return { id: handle.workflowId, ms: performance.now() - started };
}

const phaseText = (x: LatencyPhases) =>
  `client ${x.client}, first task ${x.firstTask}, activity dispatch ${x.activityDispatch}, ` +
  `activity body ${x.activityBody}, closing ${x.closing} ms; ${x.events} events`;

function revokeOnce(t: BenchTemporal, taskQueue: string, refreshTokenId: string): Promise<Run> {
  return timed(() =>
    t.client.workflow.start('revokeTokens', {
      taskQueue,
      workflowId: `bench-latency-revoke-${randomUUID()}`,
      args: [
        {
          request: { provider: 'yandex-cloud', connection: 'default', refreshTokenId },
          createdBy: 'bench',
        },
      ],
    }),
  );
}

function floorOnce(t: BenchTemporal, taskQueue: string, n: number): Promise<Run> {
  return timed(() =>
    t.client.workflow.start('benchFloor', {
      taskQueue,
      workflowId: `bench-latency-floor-${randomUUID()}`,
      args: [{ n }],
    }),
  );
}

const summarize = (xs: number[]) => ({
  p50: round(percentile(xs, 50), 1),
  p99: round(percentile(xs, 99), 1),
  mean: round(mean(xs), 1),
  min: round(Math.min(...xs), 1),
  max: round(Math.max(...xs), 1),
});

export const singleLatency: Benchmark = {
  name: 'single-latency',
  title: 'Single revocation latency: revokeTokens vs a no-op workflow with one no-op activity',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const p: Params = {
      operations: envInt(ctx.env, 'BENCH_LATENCY_OPERATIONS', 200),
      warmup: envInt(ctx.env, 'BENCH_LATENCY_WARMUP', 20),
    };
    ctx.log(`${p.operations} sequential operations each way, interleaved, after ${p.warmup} warm-up each`);
    const t = await ctx.temporal();
    const dir = scratchDir();
    // Done in the Revoke reply: the provider adds one gRPC round trip and no polling.
    const emu = await seededEmulator(p.operations + p.warmup, 'latency', dir);
    const revokeQueue = `bench-latency-revoke-${randomUUID()}`;
    const floorQueue = `bench-latency-floor-${randomUUID()}`;
    const revokeWorker = await t.startWorker(revokeQueue, emu.connections);
    const floorWorker = await startFloorWorker(t, floorQueue);
    try {
      const ids = [...emu.ids];
      for (let i = 0; i < p.warmup; i++) {
        await revokeOnce(t, revokeQueue, ids.shift() as string);
        await floorOnce(t, floorQueue, i);
      }
      const revokeRuns: Run[] = [];
      const floorRuns: Run[] = [];
      // Interleaved, alternating which goes first, so drift in load hits both alike.
      for (let i = 0; i < p.operations; i++) {
        const id = ids.shift() as string;
        if (i % 2 === 0) {
          revokeRuns.push(await revokeOnce(t, revokeQueue, id));
          floorRuns.push(await floorOnce(t, floorQueue, i));
        } else {
          floorRuns.push(await floorOnce(t, floorQueue, i));
          revokeRuns.push(await revokeOnce(t, revokeQueue, id));
        }
        if ((i + 1) % 50 === 0) ctx.log(`${i + 1}/${p.operations} pairs`);
      }
      const revoke = revokeRuns.map((r) => r.ms);
      const floor = floorRuns.map((r) => r.ms);
      // The slowest 2 % of each, read from their histories: where the tail's time goes.
      const tail = Math.max(1, Math.round(p.operations / 50));
      const revokeTail = await tailProfile(t.client, revokeRuns, tail);
      const floorTail = await tailProfile(t.client, floorRuns, tail);
      const active = emu.emulator.activeTokens().length;
      if (active !== 0) throw new Error(`${active} tokens still active at the emulator after the run`);
      const r = summarize(revoke);
      const f = summarize(floor);
      const p50 = ratio('single latency p50', 'revokeTokens p50 / floor p50', round(r.p50 / f.p50, 3), {
        op: '<=',
        value: GOAL,
      });
      const p99 = ratio('single latency p99', 'revokeTokens p99 / floor p99', round(r.p99 / f.p99, 3), {
        op: '<=',
        value: GOAL,
      });
      const missed = (x: typeof p50) => (x.met ? '' : ' MISSED');
      const summary = [
        `single latency: p50 ${r.p50} ms vs floor ${f.p50} ms, ratio ${p50.value.toFixed(2)} (goal ≤ ${GOAL})${missed(p50)}; ` +
          `p99 ${r.p99} ms vs floor ${f.p99} ms, ratio ${p99.value.toFixed(2)} (goal ≤ ${GOAL})${missed(p99)}`,
        `  ${p.operations} operations each, interleaved; mean ${r.mean} / ${f.mean} ms, max ${r.max} / ${f.max} ms ` +
          `(revokeTokens against a Yandex emulator answering done in the Revoke reply / floor)`,
        `  slowest ${tail} revokeTokens: ${phaseText(revokeTail)}`,
        `  slowest ${tail} floor:        ${phaseText(floorTail)}`,
      ];
      return {
        summary,
        figures: [
          { name: 'revokeTokens p50', value: r.p50, unit: 'ms' },
          { name: 'revokeTokens p99', value: r.p99, unit: 'ms' },
          { name: 'floor p50', value: f.p50, unit: 'ms' },
          { name: 'floor p99', value: f.p99, unit: 'ms' },
        ],
        ratios: [p50, p99],
        chart: {
          title: `Single revocation latency, ${p.operations} operations each`,
          subtitle: `p50 ratio ${p50.value.toFixed(2)}, p99 ratio ${p99.value.toFixed(2)} (goal ≤ ${GOAL} × floor, dashed)`,
          unit: 'ms',
          bars: [
            { label: 'floor p50', note: 'no-op workflow', value: f.p50, color: '#8c8c8c' },
            {
              label: 'revokeTokens p50',
              note: 'Yandex emulator',
              value: r.p50,
              color: '#4e79a7',
              goal: GOAL * f.p50,
            },
            { label: 'floor p99', note: 'no-op workflow', value: f.p99, color: '#8c8c8c' },
            {
              label: 'revokeTokens p99',
              note: 'Yandex emulator',
              value: r.p99,
              color: '#4e79a7',
              goal: GOAL * f.p99,
            },
          ],
        },
        params: { ...p },
        raw: {
          revoke: summarize(revoke),
          floor: summarize(floor),
          revokeMs: revoke.map((x) => round(x, 1)),
          floorMs: floor.map((x) => round(x, 1)),
          tailProfile: { runs: tail, revokeTokens: revokeTail, floor: floorTail },
        },
      };
    } finally {
      await revokeWorker.stop();
      await floorWorker.stop();
      await emu.emulator.close();
      removeScratch(dir);
    }
  },
};
