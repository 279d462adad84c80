import { proxyActivities } from '@temporalio/workflow';
import type { floorActivities } from './floor-activities';

// The same activity options as the Yandex Revoke call of revokeTokens (workflows/providers/yandex-cloud.ts).
const { benchNoop } = proxyActivities<typeof floorActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * Temporal's own floor for one revocation: a workflow that runs one activity that does nothing.
 * Bench-only; bundled on its own (bench/floor-worker.ts), never part of the product's workflows.
 */
export async function benchFloor(input: { n: number }): Promise<{ n: number }> {
  return benchNoop(input);
}
