import { zeroCounts, type BulkCounts, type BulkFailure } from '../../api';
import type { PendingTarget } from './activities';
import {
  expireYandex,
  statusOf,
  yandexDoneOutcome,
  type ProviderCalls,
  type SettledOutcome,
} from './revoke-target';

export interface PendingPollResult {
  /** The targets that ended in this poll, counted as a page counts them. */
  counts: BulkCounts;
  /** Every one of them that failed (the workflow keeps as many as the report wants). */
  failures: BulkFailure[];
  /** Still running and within their deadline, in the order given. */
  stillPending: PendingTarget[];
}

async function pollOne(t: PendingTarget, calls: ProviderCalls): Promise<SettledOutcome | undefined> {
  try {
    const op = await calls.yandexGetOperation({ connection: t.connection, operationId: t.operationId });
    if (op.done) return yandexDoneOutcome(op, t.earlierMayHaveTakenEffect);
  } catch (err) {
    const { status, retryable } = statusOf(err);
    if (!retryable) return { outcome: 'failed', error: status };
  }
  if (Date.now() < t.deadlineAt) return undefined;
  return expireYandex(t.connection, t.operationId, calls, t.earlierMayHaveTakenEffect);
}

/**
 * One OperationService.Get per pending target. A target ends when its operation is done (its outcome
 * as in a page), when a poll fails for good, or at its deadline (DEADLINE_EXCEEDED); a transient
 * poll failure leaves it pending. Polls are reads, so a retried activity repeats none with effect.
 */
export async function pollPendingTargets(
  pending: readonly PendingTarget[],
  calls: ProviderCalls,
): Promise<PendingPollResult> {
  const outcomes = await Promise.all(pending.map((t) => pollOne(t, calls)));
  const result: PendingPollResult = { counts: zeroCounts(), failures: [], stillPending: [] };
  pending.forEach((t, i) => {
    const o = outcomes[i];
    if (!o) return void result.stillPending.push(t);
    result.counts[o.outcome] = (result.counts[o.outcome] ?? 0) + 1;
    result.counts.processed++;
    if (o.outcome === 'failed') {
      result.failures.push({
        position: t.position,
        fingerprint: t.fingerprint,
        provider: 'yandex-cloud',
        error: o.error,
      });
    }
  });
  return result;
}
