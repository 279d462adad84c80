import { randomUUID } from 'node:crypto';
import { durationMs } from '../api/duration';
import { defaultTiming } from '../workflows/providers/types';
import { removeScratch, scratchDir, seededEmulator, type SeededEmulator } from './fixtures';
import { startFloorWorker, type FloorKind } from './floor-worker';
import type { PolledFloorInput } from './floor-workflows';
import {
  envChoice,
  envInt,
  ratio,
  round,
  type BenchContext,
  type Benchmark,
  type BenchResult,
  type Goal,
  type Ratio,
} from './harness';
import { mean, percentile } from './stats';
import { tailProfile, type LatencyPhases } from './latency-profile';
import { ProviderTimer } from './provider-timing';
import type { BenchTemporal } from './temporal';

/** Issue 18: at or under the floor at the median, within 15 % at p99 (same interceptors and codec). */
const GOAL_P50 = 1.0;
const GOAL_P99 = 1.15;
/** The polled variant: within 20 % of a floor that sleeps the same two poll intervals. */
const GOAL_POLLED = 1.2;

const LIGHT_CHOICES = ['before', 'activity', 'workflow', 'off'] as const;
const LIGHT_TEXT = {
  before: 'before issue 18: attemptFailureReporter only, no workflow interceptors',
  activity: 'both activity interceptors, no workflow interceptor module',
  workflow: 'the workflow interceptor module, attemptFailureReporter only',
} as const;

interface Params {
  operations: number;
  warmup: number;
  pollOperations: number;
  pollWarmup: number;
  polls: number;
  pollInitialMs: number;
  pollMaxMs: number;
  /** A second floor (`FLOOR_KINDS`, `before` by default) interleaved with the other two, or none. */
  lightFloor: Exclude<FloorKind, 'full'> | 'off';
}

interface Run {
  id: string;
  /** Client start → result. */
  ms: number;
  /** The provider calls' own time inside it (bench/provider-timing.ts); 0 for the floor. */
  providerMs: number;
  providerCalls: number;
}

/** Client start → result, milliseconds. */
async function timed(
  start: () => Promise<{ workflowId: string; result(): Promise<unknown> }>,
  timer?: ProviderTimer,
): Promise<Run> {
  timer?.take();
  const started = performance.now();
  const handle = await start();
  await handle.result();
  const ms = performance.now() - started;
  const provider = timer?.take() ?? { ms: 0, calls: 0 };
  return { id: handle.workflowId, ms, providerMs: provider.ms, providerCalls: provider.calls };
}

const phaseText = (x: LatencyPhases) =>
  `client ${x.client}, first task ${x.firstTask}, activity dispatch ${x.activityDispatch}, ` +
  `activity body ${x.activityBody}, closing ${x.closing} ms; ${x.events} events`;

const summarize = (xs: number[]) => ({
  p50: round(percentile(xs, 50), 1),
  p99: round(percentile(xs, 99), 1),
  mean: round(mean(xs), 1),
  min: round(Math.min(...xs), 1),
  max: round(Math.max(...xs), 1),
});
type Summary = ReturnType<typeof summarize>;

/** The nominal timer time of `polls` polls on the doubling schedule. */
function sleptMs(p: Params, polls: number): number {
  let total = 0;
  let interval = p.pollInitialMs;
  for (let i = 0; i < polls; i++) {
    total += interval;
    interval = Math.min(interval * 2, p.pollMaxMs);
  }
  return total;
}

interface Pairs {
  revoke: Run[];
  floor: Run[];
  /** The second floor's runs (`Params.lightFloor`). */
  light: Run[];
}

/**
 * `n` rounds after `warmup` of each arm, interleaved, the first arm of each round rotating, so drift
 * in load hits all alike.
 */
async function pairs(
  ctx: BenchContext,
  label: string,
  n: number,
  warmup: number,
  revoke: () => Promise<Run>,
  floor: (i: number) => Promise<Run>,
  light?: (i: number) => Promise<Run>,
): Promise<Pairs> {
  const out: Pairs = { revoke: [], floor: [], light: [] };
  const arms: Array<[Run[], (i: number) => Promise<Run>]> = [
    [out.revoke, revoke],
    [out.floor, floor],
    ...(light ? [[out.light, light] as [Run[], (i: number) => Promise<Run>]] : []),
  ];
  for (let i = 0; i < warmup; i++) for (const [, run] of arms) await run(i);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < arms.length; k++) {
      const [runs, run] = arms[(i + k) % arms.length] as [Run[], (i: number) => Promise<Run>];
      runs.push(await run(i));
    }
    if ((i + 1) % 50 === 0 || i + 1 === n) ctx.log(`${label}: ${i + 1}/${n} rounds`);
  }
  return out;
}

function revokeStart(
  t: BenchTemporal,
  taskQueue: string,
  refreshTokenId: string,
  p: Params,
  polled: boolean,
) {
  const timing =
    polled && p.pollInitialMs !== durationMs(defaultTiming.pollInitialInterval)
      ? { timing: { pollInitialInterval: `${p.pollInitialMs}ms` } }
      : {};
  return () =>
    t.client.workflow.start('revokeTokens', {
      taskQueue,
      workflowId: `bench-latency-revoke-${randomUUID()}`,
      args: [
        {
          request: { provider: 'yandex-cloud', connection: 'default', refreshTokenId },
          createdBy: 'bench',
          ...timing,
        },
      ],
    });
}

function floorStart(t: BenchTemporal, taskQueue: string, n: number, p: Params, polled: boolean) {
  const input: PolledFloorInput = {
    n,
    polls: p.polls,
    pollInitialMs: p.pollInitialMs,
    pollMaxMs: p.pollMaxMs,
  };
  return () =>
    polled
      ? t.client.workflow.start('benchFloorPolled', {
          taskQueue,
          workflowId: `bench-latency-floor-polled-${randomUUID()}`,
          args: [input],
        })
      : t.client.workflow.start('benchFloor', {
          taskQueue,
          workflowId: `bench-latency-floor-${randomUUID()}`,
          args: [{ n }],
        });
}

interface VariantResult {
  pairs: Pairs;
  revoke: Summary;
  floor: Summary;
  /** Start to done minus the provider calls' own time (and, polled, minus the nominal timers). */
  revokeOverhead: Summary;
  floorOverhead: Summary;
  provider: Summary;
  providerCalls: number;
  p50: Ratio;
  p99: Ratio;
}

function analyse(pr: Pairs, name: string, slept: number, goals: { p50: Goal; p99: Goal }): VariantResult {
  const revoke = summarize(pr.revoke.map((r) => r.ms));
  const floor = summarize(pr.floor.map((r) => r.ms));
  const p50 = ratio(
    `${name} p50`,
    'revokeTokens p50 / floor p50',
    round(revoke.p50 / floor.p50, 3),
    goals.p50,
  );
  const p99 = ratio(
    `${name} p99`,
    'revokeTokens p99 / floor p99',
    round(revoke.p99 / floor.p99, 3),
    goals.p99,
  );
  return {
    pairs: pr,
    revoke,
    floor,
    revokeOverhead: summarize(pr.revoke.map((r) => r.ms - r.providerMs - slept)),
    floorOverhead: summarize(pr.floor.map((r) => r.ms - slept)),
    provider: summarize(pr.revoke.map((r) => r.providerMs)),
    providerCalls: Math.max(...pr.revoke.map((r) => r.providerCalls)),
    p50,
    p99,
  };
}

const missed = (x: Ratio) => (x.met === false ? ' MISSED' : '');
const goalOf = (x: Ratio) =>
  x.goal && x.goal.op !== 'within' ? `${x.goal.op === '<=' ? '≤' : x.goal.op} ${x.goal.value}` : '';

function headline(label: string, v: VariantResult, floorName: string): string {
  return (
    `${label}: p50 ${v.revoke.p50} ms vs ${floorName} ${v.floor.p50} ms, ratio ${v.p50.value.toFixed(2)} (goal ${goalOf(v.p50)})${missed(v.p50)}; ` +
    `p99 ${v.revoke.p99} ms vs ${floorName} ${v.floor.p99} ms, ratio ${v.p99.value.toFixed(2)} (goal ${goalOf(v.p99)})${missed(v.p99)}`
  );
}

function overheadLine(v: VariantResult, minus: string): string {
  return (
    `  engine overhead (start to done minus ${minus}): revokeTokens p50 ${v.revokeOverhead.p50} / p99 ${v.revokeOverhead.p99} ms, ` +
    `floor p50 ${v.floorOverhead.p50} / p99 ${v.floorOverhead.p99} ms; ` +
    `provider calls (${v.providerCalls} per operation) p50 ${v.provider.p50} / p99 ${v.provider.p99} ms`
  );
}

async function withRevokeWorker<T>(
  t: BenchTemporal,
  emu: SeededEmulator,
  timer: ProviderTimer,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `bench-latency-revoke-${randomUUID()}`;
  const worker = await t.startWorker(taskQueue, emu.connections, (r) => timer.wrap(r));
  try {
    return await fn(taskQueue);
  } finally {
    await worker.stop();
  }
}

export const singleLatency: Benchmark = {
  name: 'single-latency',
  title: 'Single revocation latency: revokeTokens vs a no-op workflow with the same worker interceptors',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const p: Params = {
      operations: envInt(ctx.env, 'BENCH_LATENCY_OPERATIONS', 200),
      warmup: envInt(ctx.env, 'BENCH_LATENCY_WARMUP', 20, 0),
      pollOperations: envInt(ctx.env, 'BENCH_LATENCY_POLL_OPERATIONS', 30, 0),
      pollWarmup: envInt(ctx.env, 'BENCH_LATENCY_POLL_WARMUP', 3, 0),
      polls: 2,
      pollInitialMs: envInt(ctx.env, 'BENCH_POLL_INITIAL_MS', durationMs(defaultTiming.pollInitialInterval)),
      pollMaxMs: durationMs(defaultTiming.pollMaxInterval),
      lightFloor: envChoice(ctx.env, 'BENCH_LATENCY_LIGHT_FLOOR', LIGHT_CHOICES, 'before'),
    };
    ctx.log(
      `${p.operations} sequential operations each way, interleaved, after ${p.warmup} warm-up each; ` +
        `then ${p.pollOperations} 2-poll operations each way after ${p.pollWarmup}`,
    );
    const t = await ctx.temporal();
    const dir = scratchDir();
    // Done in the Revoke reply: the provider adds one gRPC round trip and no polling.
    const emu = await seededEmulator(p.operations + p.warmup, 'latency', dir);
    // Done in the answer to the second OperationService.Get: Revoke, two timers, two polls.
    const polledEmu =
      p.pollOperations > 0
        ? await seededEmulator(p.pollOperations + p.pollWarmup, 'latency-polled', dir, p.polls)
        : undefined;
    const floorQueue = `bench-latency-floor-${randomUUID()}`;
    const floorWorker = await startFloorWorker(t, floorQueue, emu.connections);
    const lightQueue = `bench-latency-light-floor-${randomUUID()}`;
    const lightWorker =
      p.lightFloor !== 'off'
        ? await startFloorWorker(t, lightQueue, emu.connections, p.lightFloor)
        : undefined;
    const timer = new ProviderTimer();
    try {
      const ids = [...emu.ids];
      const done = await withRevokeWorker(t, emu, timer, (queue) =>
        pairs(
          ctx,
          'done in the Revoke reply',
          p.operations,
          p.warmup,
          () => timed(revokeStart(t, queue, ids.shift() as string, p, false), timer),
          (i) => timed(floorStart(t, floorQueue, i, p, false)),
          lightWorker ? (i) => timed(floorStart(t, lightQueue, i, p, false)) : undefined,
        ),
      );
      const active = emu.emulator.activeTokens().length;
      if (active !== 0) throw new Error(`${active} tokens still active at the emulator after the run`);
      const d = analyse(done, 'single latency', 0, {
        p50: { op: '<=', value: GOAL_P50 },
        p99: { op: '<=', value: GOAL_P99 },
      });
      const light = done.light.length ? summarize(done.light.map((r) => r.ms)) : undefined;
      // The slowest 2 % of each, read from their histories: where the tail's time goes.
      const tail = Math.max(1, Math.round(p.operations / 50));
      const revokeTail = await tailProfile(t.client, done.revoke, tail);
      const floorTail = await tailProfile(t.client, done.floor, tail);

      let polled: VariantResult | undefined;
      const slept = sleptMs(p, p.polls);
      if (polledEmu) {
        const polledIds = [...polledEmu.ids];
        const pr = await withRevokeWorker(t, polledEmu, timer, (queue) =>
          pairs(
            ctx,
            `${p.polls} polls`,
            p.pollOperations,
            p.pollWarmup,
            () => timed(revokeStart(t, queue, polledIds.shift() as string, p, true), timer),
            (i) => timed(floorStart(t, floorQueue, i, p, true)),
          ),
        );
        const left = polledEmu.emulator.activeTokens().length;
        if (left !== 0) throw new Error(`${left} tokens still active at the polled emulator after the run`);
        const gets = polledEmu.emulator.callsOf('Get').length;
        const expected = (p.pollOperations + p.pollWarmup) * p.polls;
        if (gets !== expected)
          throw new Error(`the polled emulator saw ${gets} OperationService.Get calls, expected ${expected}`);
        polled = analyse(pr, 'single latency 2 polls', slept, {
          p50: { op: '<=', value: GOAL_POLLED },
          p99: { op: '<=', value: GOAL_POLLED },
        });
      }

      const summary = [
        headline('single latency', d, 'floor'),
        `  ${p.operations} operations each, interleaved; mean ${d.revoke.mean} / ${d.floor.mean} ms, max ${d.revoke.max} / ${d.floor.max} ms ` +
          `(revokeTokens against a Yandex emulator answering done in the Revoke reply / floor with the same interceptors and codec)`,
        overheadLine(d, "the provider call's own time"),
        ...(light
          ? [
              `  light floor (${LIGHT_TEXT[p.lightFloor as keyof typeof LIGHT_TEXT]}), same rounds: ` +
                `p50 ${light.p50} ms, p99 ${light.p99} ms; revokeTokens / light floor p50 ${(d.revoke.p50 / light.p50).toFixed(2)}, ` +
                `p99 ${(d.revoke.p99 / light.p99).toFixed(2)}; floor / light floor p50 ${(d.floor.p50 / light.p50).toFixed(2)}, ` +
                `p99 ${(d.floor.p99 / light.p99).toFixed(2)}`,
            ]
          : []),
        `  slowest ${tail} revokeTokens: ${phaseText(revokeTail)}`,
        `  slowest ${tail} floor:        ${phaseText(floorTail)}`,
        ...(polled
          ? [
              headline(`single latency, ${p.polls}-poll Yandex`, polled, 'polled floor'),
              `  ${p.pollOperations} operations each, interleaved; timers ${p.pollInitialMs} + ${slept - p.pollInitialMs} ms in both; ` +
                `mean ${polled.revoke.mean} / ${polled.floor.mean} ms, max ${polled.revoke.max} / ${polled.floor.max} ms`,
              overheadLine(polled, `the provider calls and the ${slept} ms of timers`),
            ]
          : []),
      ];
      const bar = (label: string, note: string, value: number, color: string, goal?: number) => ({
        label,
        note,
        value,
        color,
        ...(goal !== undefined ? { goal } : {}),
      });
      return {
        summary,
        figures: [
          { name: 'revokeTokens p50', value: d.revoke.p50, unit: 'ms' },
          { name: 'revokeTokens p99', value: d.revoke.p99, unit: 'ms' },
          { name: 'floor p50', value: d.floor.p50, unit: 'ms' },
          { name: 'floor p99', value: d.floor.p99, unit: 'ms' },
          { name: 'engine overhead p50', value: d.revokeOverhead.p50, unit: 'ms' },
          { name: 'engine overhead p99', value: d.revokeOverhead.p99, unit: 'ms' },
          ...(polled
            ? [
                { name: 'revokeTokens 2 polls p50', value: polled.revoke.p50, unit: 'ms' },
                { name: 'revokeTokens 2 polls p99', value: polled.revoke.p99, unit: 'ms' },
                { name: 'polled floor p50', value: polled.floor.p50, unit: 'ms' },
                { name: 'polled floor p99', value: polled.floor.p99, unit: 'ms' },
                { name: 'engine overhead 2 polls p50', value: polled.revokeOverhead.p50, unit: 'ms' },
                { name: 'engine overhead 2 polls p99', value: polled.revokeOverhead.p99, unit: 'ms' },
              ]
            : []),
        ],
        ratios: [d.p50, d.p99, ...(polled ? [polled.p50, polled.p99] : [])],
        chart: {
          title: `Single revocation latency, ${p.operations} operations each${polled ? ` (+${p.pollOperations} with ${p.polls} polls)` : ''}`,
          subtitle:
            `p50 ${d.p50.value.toFixed(2)}, p99 ${d.p99.value.toFixed(2)} × floor (goals ${GOAL_P50} / ${GOAL_P99}, dashed)` +
            (polled
              ? `; 2 polls: ${polled.p50.value.toFixed(2)} / ${polled.p99.value.toFixed(2)} (goal ${GOAL_POLLED})`
              : ''),
          unit: 'ms',
          bars: [
            bar('floor p50', 'no-op workflow', d.floor.p50, '#8c8c8c'),
            bar('revokeTokens p50', 'Yandex emulator', d.revoke.p50, '#4e79a7', GOAL_P50 * d.floor.p50),
            bar('floor p99', 'no-op workflow', d.floor.p99, '#8c8c8c'),
            bar('revokeTokens p99', 'Yandex emulator', d.revoke.p99, '#4e79a7', GOAL_P99 * d.floor.p99),
            ...(polled
              ? [
                  bar('overhead p50', 'minus provider', d.revokeOverhead.p50, '#a0cbe8'),
                  bar('2-poll overhead p50', 'minus provider, timers', polled.revokeOverhead.p50, '#a0cbe8'),
                  bar('2-poll floor overhead', 'minus timers', polled.floorOverhead.p50, '#8c8c8c'),
                ]
              : [bar('overhead p50', 'minus provider', d.revokeOverhead.p50, '#a0cbe8')]),
          ],
        },
        params: { ...p },
        raw: {
          revoke: d.revoke,
          floor: d.floor,
          revokeOverhead: d.revokeOverhead,
          floorOverhead: d.floorOverhead,
          provider: d.provider,
          revokeMs: done.revoke.map((x) => round(x.ms, 1)),
          floorMs: done.floor.map((x) => round(x.ms, 1)),
          ...(light ? { lightFloor: light, lightFloorMs: done.light.map((x) => round(x.ms, 1)) } : {}),
          providerMs: done.revoke.map((x) => round(x.providerMs, 2)),
          tailProfile: { runs: tail, revokeTokens: revokeTail, floor: floorTail },
          ...(polled
            ? {
                polled: {
                  revoke: polled.revoke,
                  floor: polled.floor,
                  revokeOverhead: polled.revokeOverhead,
                  floorOverhead: polled.floorOverhead,
                  provider: polled.provider,
                  sleptMs: slept,
                  revokeMs: polled.pairs.revoke.map((x) => round(x.ms, 1)),
                  floorMs: polled.pairs.floor.map((x) => round(x.ms, 1)),
                  providerMs: polled.pairs.revoke.map((x) => round(x.providerMs, 2)),
                },
              }
            : {}),
        },
      };
    } finally {
      await floorWorker.stop();
      await lightWorker?.stop();
      await emu.emulator.close();
      await polledEmu?.emulator.close();
      removeScratch(dir);
    }
  },
};
