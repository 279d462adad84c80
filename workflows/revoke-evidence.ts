import { CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  codeName,
  Code,
  evidenceActivityId,
  evidenceRecordId,
  SINGLE_TARGET_KEY,
  type EvidenceRecord,
  type EvidenceReference,
  type EvidenceStatus,
  type RevokeTokensOperation,
  type RevokeTokensResponseFields,
  type Status,
} from '../api';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** The end of a single revocation, as its evidence record says it. */
export type RevokeEnd =
  | { kind: 'revoked'; response: RevokeTokensResponseFields }
  | { kind: 'failed'; status: Status }
  | { kind: 'cancelled' };

function statusOfEnd(end: RevokeEnd): { status: EvidenceStatus; errorCode: string | null } {
  if (end.kind === 'revoked') {
    return { status: end.response.notFoundOnRetry === true ? 'ALREADY_REVOKED' : 'REVOKED', errorCode: null };
  }
  if (end.kind === 'cancelled') return { status: 'CANCELLED', errorCode: 'CANCELLED' };
  if (end.status.code === Code.NOT_FOUND) return { status: 'NOT_FOUND', errorCode: 'NOT_FOUND' };
  return { status: 'FAILED', errorCode: codeName(end.status.code) };
}

/** The one evidence record of a `revokeTokens` operation, from its Operation as it ends. */
export function singleRecord(op: RevokeTokensOperation, end: RevokeEnd): EvidenceRecord {
  const info = workflowInfo();
  const md = op.metadata;
  const r = end.kind === 'revoked' ? end.response : undefined;
  const ids = r?.refreshTokenIds ?? md.refreshTokenIds;
  const providerOperationId = r?.providerOperationId ?? md.providerOperationId;
  const fp = r?.tokenFingerprint ?? md.tokenFingerprint;
  return {
    recordId: evidenceRecordId(op.id, SINGLE_TARGET_KEY),
    operationId: op.id,
    jobId: info.parent?.workflowId ?? null,
    targetKey: SINGLE_TARGET_KEY,
    provider: md.provider,
    connection: md.connection,
    target: md.target,
    tokenFingerprint: typeof fp === 'string' ? fp : null,
    subject: r?.subjectId ?? md.subjectId ?? null,
    requestedBy: op.createdBy,
    requestedAt: op.createdAt,
    revokedAt: r ? new Date().toISOString() : null,
    providerReference: {
      ...(providerOperationId !== undefined ? { operationId: providerOperationId } : {}),
      ...(r ? { count: r.revokedCount } : {}),
      ...(ids !== undefined ? { ids } : {}),
    },
    verification: r?.verification ?? null,
    attempts: md.attempts,
    ...statusOfEnd(end),
  };
}

/**
 * Writes the operation's evidence record (idempotent by record id). Runs even when the operation is
 * being cancelled: the record of a cancelled operation is evidence too.
 */
export function recordSingleEvidence(record: EvidenceRecord): Promise<EvidenceReference> {
  return CancellationScope.nonCancellable(() =>
    acts.recordEvidence.executeWithOptions(
      {
        summary: `evidence record ${record.recordId}`,
        // The worker's log lines about this call name the operation's provider (worker/telemetry-interceptor.ts).
        activityId: evidenceActivityId(record.provider),
      },
      [{ records: [record] }],
    ),
  );
}
