import type { ApplicationFailure } from '@temporalio/common';
import * as oauth from 'oauth4webapi';
import {
  Code,
  codeFromHttpStatus,
  isRetryableCode,
  scrubSecrets,
  type CodeNumber,
  type Status,
} from '../../api';
import { providerFailure } from '../provider-failure';

import { parseRetryAfter } from '../retry-after';

/** The step of a revocation (or of its verification) that failed. */
export type OAuth2Phase = 'discovery' | 'revocation' | 'introspection';

/** The connection cannot work as configured (a key that does not fit its algorithm, ...). */
export class OAuth2ConfigError extends Error {
  override readonly name = 'OAuth2ConfigError';
}

/**
 * A failed HTTP exchange with the authorization server, as the adapter throws it: the phase, the
 * URL it called (no query, no credentials) and oauth4webapi's or undici's error as `cause`.
 */
export class OAuth2CallError extends Error {
  override readonly name = 'OAuth2CallError';
  constructor(
    readonly phase: OAuth2Phase,
    readonly url: string | undefined,
    options: { cause: unknown },
  ) {
    super(`OAuth 2.0 ${phase}${url ? ` at ${url}` : ''} failed`, options);
  }
}

/** The OAuth error body of RFC 6749 §5.2, as the server sent it. */
export interface OAuth2ErrorBody {
  error: string;
  error_description?: string;
  error_uri?: string;
}

/** What a failure means for the engine. */
export interface OAuth2Classified {
  code: CodeNumber;
  /** Unscrubbed; scrubbed by oauth2Failure before it leaves. */
  detail: string;
  /** The OAuth `error` code, or what went wrong (`HTTP_503`, `NETWORK_ERROR`, ...). */
  reason: string;
  httpStatus?: number;
  retryAfterMs?: number;
  body?: OAuth2ErrorBody;
  /** Parsed WWW-Authenticate challenges (scheme and parameters). */
  challenges?: Array<{ scheme: string; parameters: Record<string, string | undefined> }>;
}

export const OAuth2TypeUrl = {
  errorResponse: 'type.googleapis.com/tokenrevocation.v1.OAuth2ErrorResponse',
  retryInfo: 'type.googleapis.com/google.rpc.RetryInfo',
} as const;

function isResponse(value: unknown): value is Response {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.prototype.toString.call(value) === '[object Response]' &&
    typeof (value as Response).status === 'number'
  );
}

const maxBodyChars = 64 * 1024;
const maxFieldChars = 1000;

/** The OAuth error fields of a JSON body, if it has them; strings only, bounded. */
export function oauthErrorBody(json: unknown): OAuth2ErrorBody | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const record = json as Record<string, unknown>;
  if (typeof record.error !== 'string' || record.error.length === 0) return undefined;
  const field = (v: unknown) => (typeof v === 'string' ? v.slice(0, maxFieldChars) : undefined);
  return {
    error: record.error.slice(0, 100),
    ...(field(record.error_description) !== undefined
      ? { error_description: field(record.error_description) }
      : {}),
    ...(field(record.error_uri) !== undefined ? { error_uri: field(record.error_uri) } : {}),
  };
}

async function readErrorBody(response: Response): Promise<OAuth2ErrorBody | undefined> {
  if (response.bodyUsed) return undefined;
  try {
    const text = (await response.text()).slice(0, maxBodyChars);
    return oauthErrorBody(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** What an HTTP status means; `invalid_client` on any 4xx is an authentication failure (RFC 6749 §5.2). */
function codeOf(status: number, error: string | undefined): CodeNumber {
  if (error === 'invalid_client' && status >= 400 && status < 500 && status !== 429)
    return Code.UNAUTHENTICATED;
  // A redirect means the configured or discovered URL is not the endpoint; retrying cannot help.
  if (status >= 300 && status < 400) return Code.FAILED_PRECONDITION;
  // Only a non-conforming 2xx gets here (a discovery document that is not JSON, a 204).
  if (status < 300) return Code.FAILED_PRECONDITION;
  return codeFromHttpStatus(status);
}

function describeHttp(status: number, body: OAuth2ErrorBody | undefined, response?: Response): string {
  let text = `HTTP ${status}`;
  if (body) text += ` ${body.error}${body.error_description ? `: ${body.error_description}` : ''}`;
  if (status >= 300 && status < 400) {
    const location = response?.headers.get('location');
    text += location ? ` (redirects to ${safeUrl(location)}; configure the final URL)` : ' (redirect)';
  }
  return text;
}

/** A URL for messages: scheme, host and path; never a query string or userinfo. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function httpClassified(
  status: number,
  response: Response | undefined,
  body: OAuth2ErrorBody | undefined,
  now: number,
): OAuth2Classified {
  const code = codeOf(status, body?.error);
  const retryAfterMs = isRetryableCode(code)
    ? parseRetryAfter(response?.headers.get('retry-after'), now)
    : undefined;
  return {
    code,
    detail: describeHttp(status, body, response),
    reason: body?.error ?? `HTTP_${status}`,
    httpStatus: status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(body ? { body } : {}),
  };
}

function networkReason(err: Error): string {
  const cause = err.cause as { code?: unknown; name?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.name === 'string') return cause.name;
  return err.name;
}

/**
 * Maps what the adapter threw onto a google.rpc code (design.md's HTTP mapping):
 * - ResponseBodyError (a 4xx with an OAuth JSON body): by status, `invalid_client` always
 *   UNAUTHENTICATED; 429 RESOURCE_EXHAUSTED with Retry-After.
 * - WWWAuthenticateChallengeError (any non-200 with WWW-Authenticate, which oauth4webapi checks
 *   first): UNAUTHENTICATED, except 403 (PERMISSION_DENIED) and 429/5xx (by status, retryable).
 * - OperationProcessingError with the Response as cause (503, other 5xx, non-JSON 4xx, 3xx): by
 *   status; Retry-After read from its headers. Without a Response (http:// not allowed, no
 *   revocation_endpoint in the metadata, issuer mismatch): FAILED_PRECONDITION.
 * - Timeouts: DEADLINE_EXCEEDED; fetch/network failures: UNAVAILABLE (both retryable).
 */
export async function classifyOAuth2Error(err: unknown, now = Date.now()): Promise<OAuth2Classified> {
  const inner = err instanceof OAuth2CallError ? err.cause : err;

  if (inner instanceof oauth.ResponseBodyError) {
    return httpClassified(inner.status, inner.response, oauthErrorBody(inner.cause), now);
  }
  if (inner instanceof oauth.WWWAuthenticateChallengeError) {
    const body = await readErrorBody(inner.response);
    const status = inner.status;
    const byStatus = httpClassified(status, inner.response, body, now);
    const code =
      status === 429 || status >= 500
        ? byStatus.code
        : status === 403
          ? Code.PERMISSION_DENIED
          : Code.UNAUTHENTICATED;
    const challenges = inner.cause.map((c) => ({ scheme: c.scheme, parameters: { ...c.parameters } }));
    const first = challenges[0];
    const challengeText = first
      ? ` (WWW-Authenticate: ${first.scheme}${first.parameters.error ? ` error="${first.parameters.error}"` : ''})`
      : '';
    return {
      ...byStatus,
      code,
      detail: `${byStatus.detail}${challengeText}`,
      reason: body?.error ?? first?.parameters.error ?? byStatus.reason,
      challenges,
    };
  }
  if (inner instanceof oauth.OperationProcessingError) {
    if (isResponse(inner.cause)) {
      const response = inner.cause;
      const body = await readErrorBody(response);
      return httpClassified(response.status, response, body, now);
    }
    return { code: Code.FAILED_PRECONDITION, detail: inner.message, reason: inner.code ?? 'OAUTH_ERROR' };
  }
  if (inner instanceof OAuth2ConfigError) {
    return { code: Code.FAILED_PRECONDITION, detail: inner.message, reason: 'CONNECTION_MISCONFIGURED' };
  }
  if (inner instanceof Error) {
    if (inner.name === 'TimeoutError' || inner.name === 'AbortError') {
      return { code: Code.DEADLINE_EXCEEDED, detail: 'no response in time', reason: 'TIMEOUT' };
    }
    const code = (inner as { code?: unknown }).code;
    // oauth4webapi's own argument checks (a bug or a bad setting, not the server).
    if (typeof code === 'string' && code.startsWith('ERR_INVALID_ARG')) {
      return { code: Code.FAILED_PRECONDITION, detail: inner.message, reason: code };
    }
    if (inner instanceof TypeError || typeof code === 'string') {
      const reason = networkReason(inner);
      return { code: Code.UNAVAILABLE, detail: `network error (${reason})`, reason: 'NETWORK_ERROR' };
    }
    return { code: Code.UNKNOWN, detail: `unexpected ${inner.name}: ${inner.message}`, reason: 'UNKNOWN' };
  }
  return { code: Code.UNKNOWN, detail: 'unexpected failure', reason: 'UNKNOWN' };
}

function scrubBody(body: OAuth2ErrorBody, secrets: ReadonlyArray<string | undefined>): OAuth2ErrorBody {
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? scrubSecrets(v, secrets) : v]),
  ) as unknown as OAuth2ErrorBody;
}

function retryDelay(ms: number): string {
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

/**
 * The activity failure for a classified error: typed by the google.rpc code, non-retryable for
 * permanent codes, Retry-After as nextRetryDelay, and the server's OAuth error body (scrubbed) plus
 * a google.rpc.RetryInfo in the Status details. No `cause`: oauth4webapi's errors carry the raw
 * body and Response, which may echo the token.
 */
export async function oauth2Failure(
  err: unknown,
  ctx: { connection: string; secrets: ReadonlyArray<string | undefined> },
): Promise<ApplicationFailure> {
  const c = await classifyOAuth2Error(err);
  const where =
    err instanceof OAuth2CallError ? `OAuth 2.0 ${err.phase}${err.url ? ` at ${err.url}` : ''}` : 'OAuth 2.0';
  const extraDetails: Status['details'] = [];
  if (c.httpStatus !== undefined) {
    extraDetails.push({
      '@type': OAuth2TypeUrl.errorResponse,
      httpStatus: c.httpStatus,
      ...(c.body ? scrubBody(c.body, ctx.secrets) : {}),
      ...(c.challenges
        ? {
            wwwAuthenticate: c.challenges.map((ch) => ({
              scheme: ch.scheme,
              parameters: Object.fromEntries(
                Object.entries(ch.parameters).map(([k, v]) => [k, scrubSecrets(String(v), ctx.secrets)]),
              ),
            })),
          }
        : {}),
    });
  }
  if (c.retryAfterMs !== undefined) {
    extraDetails.push({ '@type': OAuth2TypeUrl.retryInfo, retryDelay: retryDelay(c.retryAfterMs) });
  }
  const retryNote =
    c.retryAfterMs !== undefined ? ` (server asked to retry after ${retryDelay(c.retryAfterMs)})` : '';
  return providerFailure({
    provider: 'oauth2',
    connection: ctx.connection,
    code: c.code,
    reason: c.reason,
    message: scrubSecrets(`${where}: ${c.detail}${retryNote}`, ctx.secrets),
    extraDetails,
    // 0 would mean "retry at once", which is what the server asked; undefined keeps the backoff.
    ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}),
  });
}
