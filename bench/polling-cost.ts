import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RevokeTokensOperation } from '../api';
import { startYandexEmulator, type YandexEmulator } from '../emulators/yandex-cloud';
import type { ConnectionsConfig } from '../worker/connections';
import { removeScratch, scratchDir, SUBJECT } from './fixtures';
import { ratio, round, type BenchContext, type Benchmark, type BenchResult } from './harness';

const GOAL = 1;
/** The workflow's default schedule (workflows/providers/types.ts defaultTiming). */
const FIRST_WAIT_S = 1;
const MAX_WAIT_S = 30;

/** The bound the issue holds polling to, for an operation that takes `t` seconds. */
export const pollBound = (t: number): number => Math.ceil(Math.log2(t)) + t / 30 + 2;

/** Polls the capped doubling schedule makes before the first one at or after `t` seconds. */
export function scheduledPolls(t: number): number {
  let at = 0;
  let wait = FIRST_WAIT_S;
  let polls = 0;
  while (at < t) {
    at += wait;
    wait = Math.min(wait * 2, MAX_WAIT_S);
    polls++;
  }
  return polls;
}

function parseDurations(text: string | undefined): number[] {
  const raw = text === undefined || text === '' ? '5,15,30,60,120,240' : text;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (!values.length || values.some((v) => !Number.isInteger(v) || v < 2))
    throw new Error(`BENCH_POLL_SECONDS must be a comma-separated list of whole seconds ≥ 2, got "${raw}"`);
  return values;
}

interface Row {
  seconds: number;
  polls: number;
  /** Provider calls in all: Revoke and the polls. */
  calls: number;
  scheduled: number;
  bound: number;
  ratio: number;
  /** Start to result, seconds. */
  elapsedS: number;
  workflowId: string;
}

export const pollingCost: Benchmark = {
  name: 'polling-cost',
  // Six workflows sleeping on durable timers for up to 4 minutes: nothing to wait for in turn.
  beside: true,
  title: 'Polling cost: OperationService.Get calls per Yandex operation of duration T vs ⌈log2 T⌉ + T/30 + 2',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const durations = parseDurations(ctx.env.BENCH_POLL_SECONDS);
    ctx.log(
      `one revokeTokens operation per T = ${durations.join(', ')} s, all at once; default timing (1 s doubling to 30 s)`,
    );
    const t = await ctx.temporal();
    const dir = scratchDir();
    const emulators = new Map<number, YandexEmulator>();
    const taskQueue = `bench-polling-${randomUUID()}`;
    let worker: Awaited<ReturnType<typeof t.startWorker>> | undefined;
    try {
      // One emulator per T: operation timing is captured per emulator at Revoke time.
      const connections: ConnectionsConfig = { 'yandex-cloud': {} };
      for (const s of durations) {
        const emu = await startYandexEmulator({
          tokens: [{ id: `poll-${s}`, subjectId: SUBJECT, clientId: 'bench-client' }],
          pollsUntilDone: 0,
          operationDelayMs: s * 1000,
        });
        emulators.set(s, emu);
        const rootCertFile = join(dir, `poll-${s}-ca.pem`);
        writeFileSync(rootCertFile, emu.rootCert);
        (connections['yandex-cloud'] as Record<string, unknown>)[`delay-${s}s`] = {
          endpoint: emu.endpoint,
          iamToken: emu.iamToken,
          rootCertFile,
        };
      }
      worker = await t.startWorker(taskQueue, connections);
      const rows = await Promise.all(
        durations.map(async (s): Promise<Row> => {
          const emu = emulators.get(s) as YandexEmulator;
          const workflowId = `bench-polling-${s}s-${randomUUID()}`;
          const started = performance.now();
          const handle = await t.client.workflow.start('revokeTokens', {
            taskQueue,
            workflowId,
            args: [
              {
                request: { provider: 'yandex-cloud', connection: `delay-${s}s`, refreshTokenId: `poll-${s}` },
                createdBy: 'bench',
              },
            ],
          });
          const op = (await handle.result()) as RevokeTokensOperation;
          const elapsedS = (performance.now() - started) / 1000;
          if (!op.done || op.error) throw new Error(`operation of T=${s}s ended ${JSON.stringify(op.error)}`);
          const polls = emu.callsOf('Get').length;
          if (polls !== op.metadata.polls)
            throw new Error(
              `T=${s}s: the emulator saw ${polls} Get calls, the Operation counts ${op.metadata.polls}`,
            );
          const bound = pollBound(s);
          ctx.log(`T=${s}s: ${polls} polls (bound ${bound.toFixed(2)}), done after ${elapsedS.toFixed(1)} s`);
          return {
            seconds: s,
            polls,
            calls: emu.calls.length,
            scheduled: scheduledPolls(s),
            bound: round(bound, 3),
            ratio: round(polls / bound, 3),
            elapsedS: round(elapsedS, 2),
            workflowId,
          };
        }),
      );
      const worst = rows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      const r = ratio('polling cost', 'max over T of polls / (⌈log2 T⌉ + T/30 + 2)', worst.ratio, {
        op: '<=',
        value: GOAL,
      });
      const summary = [
        `polling cost: worst polls/bound = ${r.value.toFixed(2)} at T=${worst.seconds}s (goal ≤ ${GOAL})${r.met ? '' : ' MISSED'}`,
        `  T (s) → polls / bound: ${rows.map((x) => `${x.seconds} → ${x.polls} / ${x.bound.toFixed(1)}`).join(', ')}; ` +
          `the 1 s doubling to 30 s schedule predicts ${rows.map((x) => x.scheduled).join(', ')}`,
      ];
      return {
        summary,
        figures: rows.map((x) => ({ name: `polls at T=${x.seconds}s`, value: x.polls, unit: 'polls' })),
        ratios: [
          r,
          ...rows.map((x) =>
            ratio(`polling cost T=${x.seconds}s`, 'polls / (⌈log2 T⌉ + T/30 + 2)', x.ratio, {
              op: '<=',
              value: GOAL,
            }),
          ),
        ],
        chart: {
          title: 'Polls per Yandex operation of duration T',
          subtitle: `polls / (⌈log2 T⌉ + T/30 + 2), worst ${r.value.toFixed(2)} (goal ≤ ${GOAL}, dashed)`,
          unit: 'polls / bound',
          bars: rows.map((x) => ({
            label: `T = ${x.seconds} s`,
            note: `${x.polls} / ${x.bound.toFixed(1)}`,
            value: x.ratio,
            color: '#4e79a7',
          })),
          reference: { value: GOAL, label: `goal: ≤ ${GOAL}` },
        },
        params: { durationsSeconds: durations, pollInitialInterval: '1s', pollMaxInterval: '30s' },
        raw: { rows },
      };
    } finally {
      await worker?.stop();
      for (const emu of emulators.values()) await emu.close();
      removeScratch(dir);
    }
  },
};
