import type { ApplicationFailure } from '@temporalio/common';
import {
  Code,
  codeFromHttpStatus,
  codeName,
  isCodeName,
  isRetryableCode,
  scrubSecrets,
  type CodeNumber,
  type Status,
} from '../../api';
import { providerFailure } from '../provider-failure';
import { parseRetryAfter } from '../retry-after';

/** `@type` of the Status detail that keeps Google's error body (scrubbed). */
export const GOOGLE_ERROR_TYPE_URL = 'type.googleapis.com/tokenrevocation.v1.GoogleIdentityPlatformError';

const RPC = 'accounts:revokeToken';
const PREFIX = `Google Identity Platform ${RPC}`;
/** Enough for any Identity Toolkit message; a proxy's HTML page is cut. */
const MAX_TEXT = 1000;
const MAX_GOOGLE_DETAILS = 10;

/**
 * Replaces secrets (API key, tokens) in provider text by fingerprints. The API key travels in the
 * query string, so any `key=` parameter is blanked too, whatever its value, in case a URL is echoed.
 */
export class Scrubber {
  private readonly secrets: string[];

  constructor(secrets: ReadonlyArray<string | undefined>) {
    const all = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
    // Longest first, so a secret containing another is replaced whole; URL-encoded forms too.
    this.secrets = [...new Set(all.flatMap((s) => [s, encodeURIComponent(s)]))].sort(
      (a, b) => b.length - a.length,
    );
  }

  text(value: string): string {
    return scrubSecrets(value, this.secrets).replace(/([?&]key=)[^&#\s"'<>]*/gi, '$1[redacted]');
  }

  /** A JSON value with every string scrubbed; objects deeper than a few levels are dropped. */
  json(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value.slice(0, MAX_TEXT));
    if (value === null || typeof value !== 'object') return value;
    if (depth > 6) return '[dropped: nested too deep]';
    if (Array.isArray(value)) return value.slice(0, 50).map((v) => this.json(v, depth + 1));
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        this.text(k),
        this.json(v, depth + 1),
      ]),
    );
  }
}

/**
 * Whether a failed attempt's revokeToken request may have reached Google: `no` when it never left
 * (no connection, the OAuth token could not be had) or Google answered that it did not act (4xx,
 * 429, 503); `maybe` when it was sent and no answer says what happened (reset, timeout, 500/502/504).
 */
export type Reached = 'no' | 'maybe';

/**
 * A failed `accounts:revokeToken` call, already classified and scrubbed of every secret the adapter
 * knows (API key, private key, access token, token, idToken). `code` is the google.rpc code; `reason`
 * the Identity Toolkit error code (`INVALID_ID_TOKEN`), Google's ErrorInfo reason (`API_KEY_INVALID`,
 * `ACCESS_TOKEN_SCOPE_INSUFFICIENT`), the OAuth error of the token endpoint or the status name.
 */
export class GoogleIdentityPlatformError extends Error {
  override readonly name = 'GoogleIdentityPlatformError';
  constructor(
    message: string,
    readonly code: CodeNumber,
    readonly reason: string,
    readonly details: Status['details'],
    readonly httpStatus?: number,
    readonly retryAfterMs?: number,
    readonly reached: Reached = 'no',
  ) {
    super(message);
  }

  get retryable(): boolean {
    return isRetryableCode(this.code);
  }
}

interface GoogleErrorBody {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  errors?: unknown;
  details?: unknown;
}

function googleErrorOf(text: string): GoogleErrorBody | undefined {
  try {
    const json = JSON.parse(text) as { error?: unknown };
    const e = json?.error;
    return e !== null && typeof e === 'object' && !Array.isArray(e) ? (e as GoogleErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The google.rpc code of an HTTP failure. Google's `status` name refines the code, but the HTTP
 * status decides retryability (400/401/403/404 never, 5xx/429 always): a status name that disagrees
 * with its HTTP status about that is not trusted, and the HTTP mapping wins.
 */
export function codeOfHttpFailure(httpStatus: number, statusName: string | undefined): CodeNumber {
  const fromHttp = codeFromHttpStatus(httpStatus);
  if (statusName === undefined || !isCodeName(statusName)) return fromHttp;
  const named = Code[statusName];
  return named !== Code.OK && isRetryableCode(named) === isRetryableCode(fromHttp) ? named : fromHttp;
}

const identityToolkitCode = /^([A-Z][A-Z0-9_]+)(?:\s*:\s*[\s\S]*)?$/;

/** A non-2xx answer → GoogleIdentityPlatformError, with Google's body kept (scrubbed) in `details`. */
export function httpFailure(
  httpStatus: number,
  text: string,
  retryAfter: string | string[] | undefined,
  scrub: Scrubber,
): GoogleIdentityPlatformError {
  if (httpStatus >= 300 && httpStatus < 400) {
    return new GoogleIdentityPlatformError(
      `${PREFIX}: answered with a redirect (HTTP ${httpStatus}); check the connection's baseUrl`,
      Code.FAILED_PRECONDITION,
      'UNEXPECTED_REDIRECT',
      [{ '@type': GOOGLE_ERROR_TYPE_URL, httpStatus }],
      httpStatus,
    );
  }
  const body = googleErrorOf(text);
  const statusName = typeof body?.status === 'string' ? body.status : undefined;
  const code = codeOfHttpFailure(httpStatus, statusName);
  const googleMessage = typeof body?.message === 'string' ? scrub.text(body.message.slice(0, MAX_TEXT)) : '';
  const googleDetails = (Array.isArray(body?.details) ? body.details : [])
    .filter((d): d is Record<string, unknown> & { '@type': string } => typeof d?.['@type'] === 'string')
    .slice(0, MAX_GOOGLE_DETAILS)
    .map((d) => scrub.json(d) as Record<string, unknown> & { '@type': string });
  const errorInfoReason = googleDetails.find((d) => d['@type'].endsWith('google.rpc.ErrorInfo'))?.reason;
  const reason =
    identityToolkitCode.exec(googleMessage)?.[1] ??
    (typeof errorInfoReason === 'string' ? errorInfoReason : undefined) ??
    statusName ??
    codeName(code);

  const kept: Record<string, unknown> & { '@type': string } = body
    ? {
        '@type': GOOGLE_ERROR_TYPE_URL,
        httpStatus,
        ...(typeof body.code === 'number' ? { code: body.code } : {}),
        ...(googleMessage ? { message: googleMessage } : {}),
        ...(statusName ? { status: scrub.text(statusName.slice(0, 100)) } : {}),
        ...(Array.isArray(body.errors) ? { errors: scrub.json(body.errors) } : {}),
      }
    : {
        '@type': GOOGLE_ERROR_TYPE_URL,
        httpStatus,
        ...(text ? { body: scrub.text(text.slice(0, 500)) } : {}),
      };

  const label = statusName
    ? `HTTP ${httpStatus} ${scrub.text(statusName.slice(0, 100))}`
    : `HTTP ${httpStatus}`;
  const message = `${PREFIX} failed (${label}): ${googleMessage || 'no error message'}`;
  const after = isRetryableCode(code) ? parseRetryAfter(retryAfter) : undefined;
  const delay = after !== undefined && after > 0 ? after : undefined;
  // Only a 5xx that is not "unavailable" may come from a server that acted before it failed.
  const reached: Reached = httpStatus >= 500 && httpStatus !== 503 ? 'maybe' : 'no';
  return new GoogleIdentityPlatformError(
    message,
    code,
    reason,
    [kept, ...googleDetails],
    httpStatus,
    delay,
    reached,
  );
}

const timeoutCodes = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** Failures before a request could be written: it cannot have reached the server. */
const unsentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The first well-formed error code along a cause chain (fetch wraps the socket error). */
function errorCodeOf(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    if (typeof e.code === 'string' && /^[A-Z0-9_]+$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/**
 * A call that got no HTTP answer (refused, reset, DNS, TLS, timeout). Only the error's code or class
 * name is used: transport messages can quote addresses and, in some layers, the URL with its key.
 * `reached` is decided from the code unless the caller knows (a token fetch never reaches revokeToken).
 */
export function transportFailure(err: unknown, reached?: Reached): GoogleIdentityPlatformError {
  const e = err as { name?: unknown } | undefined;
  const code = errorCodeOf(err);
  const name = typeof e?.name === 'string' && /^\w+$/.test(e.name) ? e.name : 'Error';
  const what = code ?? name;
  const timedOut = code !== undefined && timeoutCodes.has(code);
  const unsent = code !== undefined && (unsentCodes.has(code) || /^(ERR_TLS|CERT_|ERR_SSL)/.test(code));
  return new GoogleIdentityPlatformError(
    `${PREFIX}: no answer from the server (${what})`,
    timedOut ? Code.DEADLINE_EXCEEDED : Code.UNAVAILABLE,
    timedOut ? 'TIMEOUT' : unsent ? 'CONNECTION_FAILED' : 'CONNECTION_LOST',
    [],
    undefined,
    undefined,
    reached ?? (unsent ? 'no' : 'maybe'),
  );
}

/**
 * The OAuth 2.0 token endpoint refused the service account's assertion (or failed): the revokeToken
 * call was never made. A 4xx is the credential's fault (UNAUTHENTICATED, not retried: a wrong key,
 * an unknown account, no scope); 429 and 5xx are retried. Only `error` and `error_description` of
 * the RFC 6749 body are kept, scrubbed of the private key and tokens.
 */
export function tokenEndpointFailure(
  httpStatus: number,
  body: unknown,
  secrets: ReadonlyArray<string>,
): GoogleIdentityPlatformError {
  const scrub = new Scrubber(secrets);
  // The assertion (a signed JWT, exchangeable for tokens) and access tokens are unknown to the
  // scrubber here; blank anything shaped like them.
  const blank = (t: string) =>
    scrub
      .text(t)
      .replace(/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, '[redacted JWT]')
      .replace(/\bya29\.[\w.-]+/g, '[redacted token]');
  const b = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const error = typeof b.error === 'string' && /^[\w.-]{1,64}$/.test(b.error) ? b.error : undefined;
  const description =
    typeof b.error_description === 'string' ? blank(b.error_description).slice(0, MAX_TEXT) : '';
  const code =
    httpStatus === 200
      ? Code.UNKNOWN
      : httpStatus >= 400 && httpStatus < 500 && httpStatus !== 429
        ? Code.UNAUTHENTICATED
        : codeFromHttpStatus(httpStatus);
  const what =
    httpStatus === 200 ? 'no access_token in its answer' : `HTTP ${httpStatus}${error ? ` ${error}` : ''}`;
  return new GoogleIdentityPlatformError(
    `Google OAuth 2.0 token endpoint refused the service account (${what})${description ? `: ${description}` : ''}`,
    code,
    error ?? (httpStatus === 200 ? 'TOKEN_RESPONSE_INVALID' : codeName(code)),
    [
      {
        '@type': GOOGLE_ERROR_TYPE_URL,
        httpStatus,
        endpoint: 'token',
        ...(error ? { error } : {}),
        ...(description ? { error_description: description } : {}),
      },
    ],
    httpStatus,
  );
}

/** The activity failure for any error from the adapter; nothing unscrubbed leaves here. */
export function googleIdentityPlatformFailure(
  err: unknown,
  ctx: { connection: string; scrub: Scrubber },
): ApplicationFailure {
  const e =
    err instanceof GoogleIdentityPlatformError
      ? err
      : new GoogleIdentityPlatformError(
          `${PREFIX}: unexpected ${err instanceof Error && /^\w+$/.test(err.name) ? err.name : 'error'}`,
          Code.UNKNOWN,
          'UNKNOWN',
          [],
        );
  // No `cause`: nothing but the scrubbed, classified form leaves the activity.
  return providerFailure({
    provider: 'google-identity-platform',
    connection: ctx.connection,
    code: e.code,
    message: ctx.scrub.text(e.message),
    reason: e.reason,
    extraDetails: ctx.scrub.json(e.details) as Status['details'],
    ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  });
}
