import {
  zeroCounts,
  type BulkCounts,
  type BulkFailure,
  type EvidenceRecord,
  type EvidenceSink,
} from '../../api';
import type { PageEvidence, PendingTarget } from './activities';
import {
  appendRecords,
  bulkRecord,
  errorCodeOf,
  type BulkEvidenceContext,
  type SettledTarget,
} from './evidence';
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
  /** Set when the poll was given an evidence context: the records of the targets that ended. */
  evidence?: PageEvidence;
}

/** The record of a handed-over target that ended (handed over by a page of an older run: from what it kept). */
function pendingRecord(ctx: BulkEvidenceContext, t: PendingTarget, s: Omit<SettledTarget, 'position'>) {
  const fields = t.evidence?.fields ?? {
    provider: 'yandex-cloud',
    connection: t.connection,
    target: t.fingerprint.slice(t.fingerprint.indexOf(' ') + 1),
    tokenFingerprint: null,
    subject: null,
  };
  const position = t.evidence?.keyPosition ?? t.position;
  return bulkRecord(ctx, fields, { position, ...s, attempts: t.evidence?.attempts ?? s.attempts });
}

/** Records, FAILED with `errorCode`, the handed-over targets a job ended without (cancelled, source failed). */
export async function recordUnsettled(
  ctx: BulkEvidenceContext,
  pending: readonly PendingTarget[],
  errorCode: string,
  sink: EvidenceSink | undefined,
): Promise<PageEvidence> {
  const records = pending.map((t) => pendingRecord(ctx, t, { outcome: 'failed', attempts: 1, errorCode }));
  return { recorded: (await appendRecords(sink, records)).recorded, count: records.length };
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
  evidence?: { ctx: BulkEvidenceContext; sink: EvidenceSink | undefined },
): Promise<PendingPollResult> {
  const outcomes = await Promise.all(pending.map((t) => pollOne(t, calls)));
  const result: PendingPollResult = { counts: zeroCounts(), failures: [], stillPending: [] };
  const records: EvidenceRecord[] = [];
  pending.forEach((t, i) => {
    const o = outcomes[i];
    if (!o) return void result.stillPending.push(t);
    if (evidence) {
      records.push(
        pendingRecord(evidence.ctx, t, {
          outcome: o.outcome,
          attempts: 1,
          ...(o.reference ? { providerReference: o.reference } : {}),
          ...(o.outcome === 'succeeded' ? { revokedAt: new Date().toISOString() } : {}),
          ...(o.outcome === 'failed' ? { errorCode: errorCodeOf(o.error) } : {}),
        }),
      );
    }
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
  // One append for the poll; a retried poll writes the same ids again, which the ledger keeps as they are.
  if (evidence) {
    result.evidence = {
      recorded: (await appendRecords(evidence.sink, records)).recorded,
      count: records.length,
    };
  }
  return result;
}
