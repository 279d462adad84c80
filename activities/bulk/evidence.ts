import {
  bulkTargetKey,
  Code,
  codeName,
  describeTarget,
  evidenceRecordId,
  fingerprint,
  isCodeName,
  secretsOf,
  subjectOf,
  type BulkCounts,
  type BulkFailure,
  type CodeNumber,
  type EvidenceRecord,
  type EvidenceSink,
  type EvidenceStatus,
  type ProviderReference,
  type RevocationRequest,
  type Status,
} from '../../api';

/**
 * What a job's records share: the job's operation id (its workflow id, which is also every
 * record's jobId), when it was requested and by whom. Pages of runs that predate the
 * `bulk-evidence` patch carry none and write no records.
 */
export interface BulkEvidenceContext {
  operationId: string;
  requestedAt: string;
  requestedBy: string;
}

/** A settled target's outcome as a report counts it (pending ones are not settled yet). */
export type SettledCount = Exclude<keyof BulkCounts, 'processed'>;

/** What a page keeps of a settled target (in its heartbeat checkpoint) to write its record. */
export interface SettledTarget {
  position: number;
  outcome: SettledCount;
  attempts: number;
  revokedAt?: string;
  errorCode?: string;
  providerReference?: ProviderReference;
}

/** The record's fields that describe the target: from the request, or a placeholder for an invalid line. */
export type TargetFields = Pick<
  EvidenceRecord,
  'provider' | 'connection' | 'target' | 'tokenFingerprint' | 'subject'
>;

const statusOfOutcome: Record<SettledCount, EvidenceStatus> = {
  succeeded: 'REVOKED',
  alreadyRevoked: 'ALREADY_REVOKED',
  notFound: 'NOT_FOUND',
  failed: 'FAILED',
  skipped: 'SKIPPED',
};

const outcomeOfStatus: Partial<Record<EvidenceStatus, SettledCount>> = {
  REVOKED: 'succeeded',
  ALREADY_REVOKED: 'alreadyRevoked',
  NOT_FOUND: 'notFound',
  FAILED: 'failed',
  CANCELLED: 'failed',
  SKIPPED: 'skipped',
};

/** A stored record's outcome, as the page that wrote it counted it. */
export const outcomeOfRecord = (r: EvidenceRecord): SettledCount => outcomeOfStatus[r.status] ?? 'failed';

export const bulkRecordId = (ctx: BulkEvidenceContext, position: number): string =>
  evidenceRecordId(ctx.operationId, bulkTargetKey(position));

/** A valid request's target fields: described without secrets, its token by fingerprint only. */
export function requestFields(r: RevocationRequest): TargetFields {
  const token = secretsOf(r).find((s) => typeof s === 'string' && s.length > 0);
  return {
    provider: r.provider,
    connection: r.connection,
    target: describeTarget(r),
    tokenFingerprint: token ? fingerprint(token) : null,
    subject: subjectOf(r) ?? null,
  };
}

/** An entry that failed validation: nothing of it is repeated (it may hold anything, secrets included). */
export function invalidFields(raw: unknown, position: number): TargetFields {
  const p = (raw as { provider?: unknown } | null)?.provider;
  const c = (raw as { connection?: unknown } | null)?.connection;
  const known = (v: unknown) => (typeof v === 'string' && /^[a-z0-9:_-]{1,64}$/.test(v) ? v : 'unknown');
  return {
    provider: known(p),
    connection: known(c),
    target: `invalid target at position ${position}`,
    tokenFingerprint: null,
    subject: null,
  };
}

/** The errorCode of a failed target: the google.rpc code name. */
export const errorCodeOf = (status: Status): string => codeName(status.code);

/** The one record of a settled target of a job. */
export function bulkRecord(ctx: BulkEvidenceContext, fields: TargetFields, t: SettledTarget): EvidenceRecord {
  const targetKey = bulkTargetKey(t.position);
  return {
    recordId: evidenceRecordId(ctx.operationId, targetKey),
    operationId: ctx.operationId,
    jobId: ctx.operationId,
    targetKey,
    ...fields,
    requestedBy: ctx.requestedBy,
    requestedAt: ctx.requestedAt,
    revokedAt: t.revokedAt ?? null,
    providerReference: t.providerReference ?? {},
    // Bulk targets are not verified one by one (docs/contract.md, "Evidence").
    verification: null,
    attempts: t.attempts,
    status: statusOfOutcome[t.outcome],
    errorCode: t.outcome === 'failed' ? (t.errorCode ?? 'UNKNOWN') : null,
  };
}

/** The failure a report lists for a target whose record an earlier attempt of the page wrote. */
export function failureFromRecord(r: EvidenceRecord, position: number): BulkFailure {
  const fp = `${r.tokenFingerprint ?? 'sha256:-'} ${r.target}`;
  const code = codeOfName(r.errorCode);
  return {
    position,
    fingerprint: fp,
    provider: r.provider,
    error: {
      code,
      message: `${r.errorCode ?? 'UNKNOWN'}, recorded by an earlier attempt of this page (evidence ${r.recordId})`,
      details: [],
    },
  };
}

function codeOfName(name: string | null): CodeNumber {
  return name && isCodeName(name) ? Code[name] : Code.UNKNOWN;
}

/**
 * Writes records in one append (one transaction). `recorded`: a ledger took them; `existing`: the
 * ones whose ids were already stored, as stored (an earlier write of the same target wins).
 */
export async function appendRecords(
  sink: EvidenceSink | undefined,
  records: readonly EvidenceRecord[],
): Promise<{ recorded: boolean; existing: EvidenceRecord[] }> {
  if (!sink) return { recorded: false, existing: [] };
  if (records.length === 0) return { recorded: true, existing: [] };
  const { existing } = await sink.append(records);
  return { recorded: true, existing };
}
