import { proxyActivities, sleep } from '@temporalio/workflow';
import type { floorActivities } from './floor-activities';

// The same activity options as the Yandex Revoke call of revokeTokens (workflows/providers/yandex-cloud.ts).
const { yandexBenchNoop } = proxyActivities<typeof floorActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * Temporal's own floor for one revocation: a workflow that runs one activity that does nothing.
 * Bench-only; bundled on its own (bench/floor-worker.ts), never part of the product's workflows.
 */
export async function benchFloor(input: { n: number }): Promise<{ n: number }> {
  return yandexBenchNoop({ connection: 'default', n: input.n });
}

export interface PolledFloorInput {
  n: number;
  /** No-op "polls" after the first call, each after a durable timer. */
  polls: number;
  /** The first timer; each next one doubles, up to `pollMaxMs` (revokeTokens' poll schedule). */
  pollInitialMs: number;
  pollMaxMs: number;
}

/**
 * The floor of a polled Yandex revocation: one no-op activity, then `polls` times a durable timer
 * followed by another no-op activity, on the same doubling schedule as revokeTokens' polling
 * (workflows/providers/yandex-cloud.ts `pollUntilDone`).
 */
export async function benchFloorPolled(input: PolledFloorInput): Promise<{ n: number }> {
  let out = await yandexBenchNoop({ connection: 'default', n: input.n });
  let interval = input.pollInitialMs;
  for (let i = 0; i < input.polls; i++) {
    await sleep(interval);
    interval = Math.min(interval * 2, input.pollMaxMs);
    out = await yandexBenchNoop({ connection: 'default', n: input.n });
  }
  return out;
}
