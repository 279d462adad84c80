import type { EvidenceReference } from './evidence';
import type { CodeNumber } from './status-codes';
import type { Verification } from './verification';

/** google.rpc.Status */
export interface Status {
  code: CodeNumber;
  message: string;
  details: Array<Record<string, unknown> & { '@type': string }>;
}

/**
 * A long-running operation, shaped like Yandex Cloud's `Operation` and Google AIP-151.
 * When `done` is false, `error` may hold the latest transient failure while a retry is pending.
 * When `done` is true, exactly one of `error` and `response` is set.
 */
export interface Operation<M extends TypedMessage = TypedMessage, R extends TypedMessage = TypedMessage> {
  id: string;
  description: string;
  createdAt: string;
  createdBy: string;
  modifiedAt: string;
  done: boolean;
  metadata: M;
  error?: Status;
  response?: R;
}

/** A message tagged with its type URL, like a JSON-encoded protobuf Any. */
export interface TypedMessage {
  '@type': string;
}

const typePrefix = 'type.googleapis.com/tokenrevocation.v1.';

export const TypeUrl = {
  revokeTokensMetadata: `${typePrefix}RevokeTokensMetadata`,
  revokeTokensResponse: `${typePrefix}RevokeTokensResponse`,
  errorInfo: 'type.googleapis.com/google.rpc.ErrorInfo',
  badRequest: 'type.googleapis.com/google.rpc.BadRequest',
} as const;

/** Phases of a `revokeTokens` operation, in the order they normally occur. */
export type RevokePhase = 'VALIDATING' | 'REVOKING' | 'POLLING' | 'VERIFYING' | 'CANCELLING' | 'DONE';

export interface RevokeTokensMetadataFields {
  provider: string;
  connection: string;
  phase: RevokePhase;
  /** What is revoked, without secrets (ids, filters, fingerprints). */
  target: string;
  /** Provider calls made so far, retries included. */
  attempts: number;
  /** Provider operation polls made so far. */
  polls: number;
  providerOperationId?: string;
  subjectId?: string;
  refreshTokenIds?: string[];
  /** Set when a cancel (or the deadline) reached the provider after its operation had finished. */
  cancelTooLate?: boolean;
  /** Provider-specific progress fields (no secrets). */
  [field: string]: unknown;
}

export interface RevokeTokensMetadata extends RevokeTokensMetadataFields {
  '@type': typeof TypeUrl.revokeTokensMetadata;
}

export interface RevokeTokensResponseFields {
  provider: string;
  connection: string;
  revokedCount: number;
  refreshTokenIds?: string[];
  subjectId?: string;
  providerOperationId?: string;
  /**
   * The operation was cancelled (or its deadline passed) but the provider had already finished:
   * this response is what happened (AIP-151: cancellation is best effort). `note` says so in words.
   */
  cancelTooLate?: boolean;
  /** The provider's answer, after the revoke, to whether the token still works (api/verification.ts). */
  verification?: Verification;
  /** Where this operation's evidence records are (api/evidence.ts). */
  evidence?: EvidenceReference;
  /** Provider-specific results, named as the provider names them (`count`, `resultCode`, ...; no secrets). */
  [field: string]: unknown;
}

export interface RevokeTokensResponse extends RevokeTokensResponseFields {
  '@type': typeof TypeUrl.revokeTokensResponse;
}

export type RevokeTokensOperation = Operation<RevokeTokensMetadata, RevokeTokensResponse>;
