import type { Verification } from './verification';

/**
 * What became of one target of one operation, as the evidence ledger keeps it (docs/evidence.md).
 * Never a token or a credential: tokens appear only as fingerprints.
 */
export const evidenceStatuses = [
  'REVOKED',
  'ALREADY_REVOKED',
  'NOT_FOUND',
  'FAILED',
  'CANCELLED',
  'SKIPPED',
] as const;
export type EvidenceStatus = (typeof evidenceStatuses)[number];

/** The provider's own reference for what it did: its operation id, the count, the ids it names. */
export interface ProviderReference {
  operationId?: string;
  count?: number;
  ids?: string[];
}

/** One evidence record as activities hand it to the ledger (the ledger adds its chain fields). */
export interface EvidenceRecord {
  /** `${operationId}/${targetKey}`: the idempotency key; a second write of it is a no-op. */
  recordId: string;
  operationId: string;
  /** The bulk job, or the revokeSubject operation, this operation's target belongs to. */
  jobId: string | null;
  /** Unique within the operation: `request` for a single revocation, `target/<position>` in a job. */
  targetKey: string;
  provider: string;
  connection: string;
  /** What was revoked, described without secrets (ids, filters, fingerprints). */
  target: string;
  tokenFingerprint: string | null;
  subject: string | null;
  requestedBy: string;
  /** When the operation was requested (ISO 8601). */
  requestedAt: string;
  /** When the provider confirmed the revoke (ISO 8601), or null when it did not. */
  revokedAt: string | null;
  providerReference: ProviderReference;
  verification: Verification | null;
  /** Provider calls made for this target, retries included. */
  attempts: number;
  status: EvidenceStatus;
  /** google.rpc code name when status is FAILED or CANCELLED (`DEADLINE_EXCEEDED`, ...). */
  errorCode: string | null;
}

/** The record id of a target; the same inputs always give the same id. */
export function evidenceRecordId(operationId: string, targetKey: string): string {
  return `${operationId}/${targetKey}`;
}

/** The target key of a single revocation's one target. */
export const SINGLE_TARGET_KEY = 'request';

/** The target key of a bulk job's target at `position` (0-based line or list index of the source). */
export function bulkTargetKey(position: number): string {
  return `target/${position}`;
}

/** Where an Operation's evidence is: its record ids, or for a job the operation id and the count. */
export interface EvidenceReference {
  /** False when the worker runs without a ledger (LEDGER=off): nothing was recorded. */
  recorded: boolean;
  recordIds?: string[];
  /** A job's records: every record with this jobId (or operationId); `count` of them. */
  operationId?: string;
  count?: number;
}

/**
 * What activities write evidence through (the worker injects the ledger, activities/ stays free of
 * storage code). `append` writes all records in one transaction; a record whose id is already
 * stored is left as it is (idempotent retries and replays) and returned as existing.
 */
export interface EvidenceSink {
  append(records: readonly EvidenceRecord[]): Promise<{ written: number; existing: EvidenceRecord[] }>;
  /** The stored records among these ids (a retried bulk page reads what its earlier attempt wrote). */
  find(recordIds: readonly string[]): Promise<EvidenceRecord[]>;
  /** Writes a signed checkpoint of every chain's head now (ends of jobs call it). */
  checkpoint(reason: string): Promise<void>;
}

/**
 * The activity id of a single operation's evidence write: it names the provider, so the worker's
 * log lines about it (the SDK's own "Activity started" included) carry the operation's provider.
 */
export function evidenceActivityId(provider: string): string {
  return `evidence:${provider}`;
}

/** The provider an evidence write's activity id names, if any. */
export function providerOfEvidenceActivity(activityId: string): string | undefined {
  return activityId.startsWith('evidence:') ? activityId.slice('evidence:'.length) : undefined;
}
