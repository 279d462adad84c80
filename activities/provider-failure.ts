import { ApplicationFailure } from '@temporalio/common';
import { Code, codeName, isRetryableCode, TypeUrl, type CodeNumber, type Status } from '../api';

export interface ProviderFailureInput {
  provider: string;
  connection: string;
  code: CodeNumber;
  /** Already scrubbed of secrets. */
  message: string;
  /** The provider's own error name or code, kept for operators. */
  reason?: string;
  /** More google.rpc detail messages, e.g. the provider's own error body (already scrubbed). */
  extraDetails?: Status['details'];
  /** Honour a provider's Retry-After instead of the retry policy's backoff. */
  retryAfterMs?: number;
  cause?: Error;
}

/** The google.rpc.Status a provider failure becomes in an Operation. */
export function providerStatus(input: ProviderFailureInput): Status {
  return {
    code: input.code,
    message: input.message,
    details: [
      {
        '@type': TypeUrl.errorInfo,
        reason: input.reason ?? codeName(input.code),
        domain: input.provider,
        metadata: { connection: input.connection },
      },
      ...(input.extraDetails ?? []),
    ],
  };
}

/**
 * An activity failure whose type is the google.rpc code name (`PERMISSION_DENIED`, ...), with the
 * Status as its only detail. Permanent codes are non-retryable; Retry-After becomes nextRetryDelay.
 */
export function providerFailure(input: ProviderFailureInput): ApplicationFailure {
  return ApplicationFailure.create({
    type: codeName(input.code),
    message: input.message,
    nonRetryable: !isRetryableCode(input.code),
    details: [providerStatus(input)],
    nextRetryDelay: input.retryAfterMs,
    cause: input.cause,
  });
}

/** Thrown when a request names a connection the worker has no configuration for. */
export function connectionNotConfigured(
  provider: string,
  connection: string,
  known: string[],
): ApplicationFailure {
  const list = known.length > 0 ? known.join(', ') : 'none';
  return providerFailure({
    provider,
    connection,
    code: Code.FAILED_PRECONDITION,
    reason: 'CONNECTION_NOT_CONFIGURED',
    message: `connection "${connection}" is not configured for provider ${provider} (configured: ${list})`,
  });
}
