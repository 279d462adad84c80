import type { ApplicationFailure } from '@temporalio/common';
import { Code, codeFromHttpStatus, scrubSecrets, type CodeNumber, type Status } from '../../api';
import { providerFailure } from '../provider-failure';

/** The Open Payments error body `{"error":{"code","description"}}`, or GNAP's string form `{"error":"code"}`. */
export interface OpenPaymentsErrorBody {
  code?: string;
  description?: string;
}

/** Thrown when the auth server answers with a non-2xx status. */
export class OpenPaymentsHttpError extends Error {
  override readonly name = 'OpenPaymentsHttpError';
  constructor(
    readonly status: number,
    readonly error: OpenPaymentsErrorBody,
    /** The raw response body (may echo request data; scrub before showing). */
    readonly body: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(
      `HTTP ${status}${error.code ? ` ${error.code}` : ''}${error.description ? `: ${error.description}` : ''}`,
    );
  }
}

/** Thrown when no HTTP response arrived: connection refused or reset, TLS failure, timeout. */
export class OpenPaymentsTransportError extends Error {
  override readonly name = 'OpenPaymentsTransportError';
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/** Thrown before any request when the connection's policy forbids the target (plain http, foreign origin). */
export class OpenPaymentsPolicyError extends Error {
  override readonly name = 'OpenPaymentsPolicyError';
}

/** Thrown when a 2xx answer is not what the protocol says (an introspection without `active`). */
export class OpenPaymentsResponseError extends Error {
  override readonly name = 'OpenPaymentsResponseError';
}

/**
 * Thrown when a 401 could mean "already revoked" but the client's published JWKS does not hold our
 * key: the 401 is then about our signature, not about the token.
 */
export class OpenPaymentsKeyNotPublishedError extends Error {
  override readonly name = 'OpenPaymentsKeyNotPublishedError';
}

/** The detail type carrying the auth server's own error body in an Operation error. */
export const openPaymentsErrorBodyType = 'type.googleapis.com/tokenrevocation.v1.OpenPaymentsErrorBody';

function errorBodyDetail(err: OpenPaymentsHttpError, secrets: ReadonlyArray<string | undefined>) {
  const detail: Status['details'][number] = {
    '@type': openPaymentsErrorBodyType,
    httpStatus: err.status,
  };
  if (err.error.code !== undefined) detail.code = scrubSecrets(err.error.code, secrets);
  if (err.error.description !== undefined) detail.description = scrubSecrets(err.error.description, secrets);
  if (err.error.code === undefined && err.body) detail.body = scrubSecrets(err.body.slice(0, 1024), secrets);
  return detail;
}

function classify(err: unknown): { code: CodeNumber; reason?: string; detail: string } {
  if (err instanceof OpenPaymentsHttpError) {
    // A redirect is not followed: the signature covers the URL, and a moved manage URL is a config issue.
    const code =
      err.status >= 300 && err.status < 400 ? Code.FAILED_PRECONDITION : codeFromHttpStatus(err.status);
    return { code, ...(err.error.code ? { reason: err.error.code } : {}), detail: err.message };
  }
  if (err instanceof OpenPaymentsTransportError) {
    return { code: err.timedOut ? Code.DEADLINE_EXCEEDED : Code.UNAVAILABLE, detail: err.message };
  }
  if (err instanceof OpenPaymentsPolicyError) {
    return { code: Code.FAILED_PRECONDITION, reason: 'CONNECTION_POLICY', detail: err.message };
  }
  if (err instanceof OpenPaymentsResponseError) {
    // The configured endpoint does not speak the protocol; asking again will not change that.
    return { code: Code.FAILED_PRECONDITION, reason: 'INVALID_RESPONSE', detail: err.message };
  }
  if (err instanceof OpenPaymentsKeyNotPublishedError) {
    return { code: Code.UNAUTHENTICATED, reason: 'KEY_NOT_PUBLISHED', detail: err.message };
  }
  return { code: Code.UNKNOWN, detail: err instanceof Error ? err.message : 'unexpected failure' };
}

/**
 * The activity failure for an adapter error: typed by google.rpc code name, non-retryable for
 * permanent codes, Retry-After as the next retry delay, the auth server's body as a detail. Every
 * text is scrubbed of the request's secrets; no `cause`, since undici's errors are not scrubbed.
 */
export function openPaymentsFailure(
  err: unknown,
  ctx: { connection: string; what: string; secrets: ReadonlyArray<string | undefined> },
): ApplicationFailure {
  const { code, reason, detail } = classify(err);
  const http = err instanceof OpenPaymentsHttpError ? err : undefined;
  return providerFailure({
    provider: 'open-payments',
    connection: ctx.connection,
    code,
    message: scrubSecrets(`Open Payments ${ctx.what}: ${detail}`, ctx.secrets),
    ...(reason !== undefined ? { reason: scrubSecrets(reason, ctx.secrets) } : {}),
    ...(http ? { extraDetails: [errorBodyDetail(http, ctx.secrets)] } : {}),
    ...(http?.retryAfterMs !== undefined ? { retryAfterMs: http.retryAfterMs } : {}),
  });
}
