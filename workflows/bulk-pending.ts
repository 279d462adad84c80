import {
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BulkJobState } from './bulk-job-state';

/**
 * Patch: pages hand Yandex provider operations that outlive their wait over to the workflow, which
 * polls them on durable timers; runs before it let a page poll in place until done.
 */
export const TARGET_HAND_OVER_PATCH = 'bulk-target-hand-over';

const { bulkPollPending } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** Whether this run's pages hand slow provider operations over. */
export function handsOverOperations(): boolean {
  return patched(TARGET_HAND_OVER_PATCH);
}

async function pollPending(state: BulkJobState): Promise<void> {
  const pending = state.carry.pending ?? [];
  const result = await bulkPollPending.executeWithOptions(
    { summary: `poll ${pending.length} pending provider operation${pending.length === 1 ? '' : 's'}` },
    [{ pending, ...(state.recordsEvidence ? { evidence: state.evidenceContext() } : {}) }],
  );
  state.pendingPolled(result);
}

/** Between pages: one poll of the pending targets when it is due; pages never wait for them. */
export async function pollPendingIfDue(state: BulkJobState): Promise<void> {
  const at = state.nextPendingPollAt();
  if (at === undefined || Date.now() < at) return;
  // Like a page: a poll in flight finishes even when the job is cancelled, so what ended is counted.
  await CancellationScope.nonCancellable(() => pollPending(state));
}

/**
 * After the last page: polls the pending targets on durable timers (doubling, capped) until every
 * one has ended, by its operation finishing or its deadline; `continue` when the history is long
 * enough to continue as new (the next run drains what is left).
 */
export async function drainPending(state: BulkJobState): Promise<'done' | 'cancelled' | 'continue'> {
  for (;;) {
    const at = state.nextPendingPollAt();
    if (at === undefined) return 'done';
    if (workflowInfo().continueAsNewSuggested) return 'continue';
    try {
      await sleep(Math.max(1, at - Date.now()), {
        summary: 'wait before polling pending provider operations',
      });
    } catch (err) {
      if (isCancellation(err)) return 'cancelled';
      throw err;
    }
    await CancellationScope.nonCancellable(() => pollPending(state));
  }
}
