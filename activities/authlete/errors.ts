import type { ApplicationFailure } from '@temporalio/common';
import {
  Code,
  codeFromHttpStatus,
  isRetryableCode,
  scrubSecrets,
  type CodeNumber,
  type Status,
} from '../../api';
import { providerFailure } from '../provider-failure';
import type { AuthleteOperationName } from './types';

/** Type URL of the detail that keeps Authlete's own error body in an Operation's error. */
export const AUTHLETE_RESULT_TYPE = 'type.googleapis.com/tokenrevocation.v1.AuthleteResult';

/**
 * Authlete answered, and the answer is an error: a non-2xx status (the body is `{resultCode,
 * resultMessage}`), or a 2xx whose `action` is not `OK` (create, update, ID-token reissue).
 * Texts are already scrubbed of the connection's service access token, not of request secrets.
 */
export class AuthleteApiError extends Error {
  override readonly name = 'AuthleteApiError';
  constructor(
    readonly operation: AuthleteOperationName,
    readonly status: number,
    readonly body: {
      resultCode?: string;
      resultMessage?: string;
      action?: string;
      /** The start of a body that is not Authlete JSON (a proxy's HTML error page, say). */
      text?: string;
    },
    /** Parsed from Retry-After (seconds or an HTTP date). */
    readonly retryAfterMs?: number,
  ) {
    super(
      `Authlete ${operation}: HTTP ${status}${body.action && body.action !== 'OK' ? ` action ${body.action}` : ''}`,
    );
  }
}

/** Authlete could not be reached, or did not answer in time. */
export class AuthleteTransportError extends Error {
  override readonly name = 'AuthleteTransportError';
  constructor(
    readonly operation: AuthleteOperationName,
    readonly timedOut: boolean,
    /** The transport's error code (ECONNREFUSED, UND_ERR_SOCKET, ...), when it had one. */
    readonly errorCode: string | undefined,
    message: string,
  ) {
    super(`Authlete ${operation}: ${message}`);
  }
}

/** Authlete answered 2xx with a body this adapter cannot read (not JSON, or a field missing). */
export class AuthleteResponseError extends Error {
  override readonly name = 'AuthleteResponseError';
  constructor(
    readonly operation: AuthleteOperationName,
    readonly status: number,
    readonly problem: string,
  ) {
    super(`Authlete ${operation}: unexpected response (HTTP ${status}): ${problem}`);
  }
}

/** A 2xx `action` that is not OK → the google.rpc code it means. */
function codeFromAction(action: string): CodeNumber {
  switch (action) {
    case 'BAD_REQUEST':
    case 'CALLER_ERROR':
      return Code.INVALID_ARGUMENT;
    case 'FORBIDDEN':
      return Code.PERMISSION_DENIED;
    case 'NOT_FOUND':
      return Code.NOT_FOUND;
    case 'INTERNAL_SERVER_ERROR':
      return Code.UNAVAILABLE;
    default:
      return Code.UNKNOWN;
  }
}

export interface ClassifiedAuthleteError {
  code: CodeNumber;
  /** Unscrubbed (request secrets may be in it). */
  detail: string;
  reason?: string;
  retryAfterMs?: number;
  /** Authlete's error body, for the Status details. Unscrubbed. */
  result?: Record<string, unknown>;
}

/**
 * Classifies at the adapter boundary: the HTTP status (400/401/403/404 permanent, 429/5xx
 * transient), or the `action` of a 2xx; connection failures are UNAVAILABLE, timeouts
 * DEADLINE_EXCEEDED, unreadable 2xx bodies UNKNOWN (all three retried).
 */
export function classifyAuthleteError(err: unknown): ClassifiedAuthleteError {
  if (err instanceof AuthleteApiError) {
    const { resultCode, resultMessage, action, text } = err.body;
    const code = err.status >= 300 ? codeFromHttpStatus(err.status) : codeFromAction(action ?? '');
    const detail =
      [resultMessage || resultCode, text && `body: ${text}`].filter(Boolean).join('; ') ||
      (action ? `action ${action}` : 'no detail');
    return {
      code,
      detail: `HTTP ${err.status}${action && action !== 'OK' ? ` ${action}` : ''}: ${detail}`,
      ...(resultCode ? { reason: resultCode } : {}),
      ...(err.retryAfterMs !== undefined && isRetryableCode(code) ? { retryAfterMs: err.retryAfterMs } : {}),
      result: {
        httpStatus: err.status,
        ...(resultCode !== undefined ? { resultCode } : {}),
        ...(resultMessage !== undefined ? { resultMessage } : {}),
        ...(action !== undefined ? { action } : {}),
      },
    };
  }
  if (err instanceof AuthleteTransportError) {
    return {
      code: err.timedOut ? Code.DEADLINE_EXCEEDED : Code.UNAVAILABLE,
      detail: err.message.replace(/^Authlete \w+: /, ''),
      ...(err.errorCode ? { reason: err.errorCode } : {}),
    };
  }
  if (err instanceof AuthleteResponseError) {
    return { code: Code.UNKNOWN, detail: `unexpected response (HTTP ${err.status}): ${err.problem}` };
  }
  return { code: Code.UNKNOWN, detail: 'unexpected error' };
}

/** The activity failure for an Authlete call; every text scrubbed of `secrets`. */
export function authleteFailure(
  err: unknown,
  ctx: {
    connection: string;
    serviceId: string;
    operation: AuthleteOperationName;
    secrets: ReadonlyArray<string | undefined>;
  },
): ApplicationFailure {
  const c = classifyAuthleteError(err);
  const scrub = (s: string) => scrubSecrets(s, ctx.secrets);
  const extraDetails: Status['details'] = c.result
    ? [
        {
          '@type': AUTHLETE_RESULT_TYPE,
          serviceId: ctx.serviceId,
          ...Object.fromEntries(
            Object.entries(c.result).map(([k, v]) => [k, typeof v === 'string' ? scrub(v) : v]),
          ),
        },
      ]
    : [];
  // No `cause`: a transport error's own text may quote the URL, which holds a token for delete.
  return providerFailure({
    provider: 'authlete',
    connection: ctx.connection,
    code: c.code,
    message: scrub(`Authlete ${ctx.operation} (service ${ctx.serviceId}): ${c.detail}`),
    ...(c.reason ? { reason: scrub(c.reason) } : {}),
    extraDetails,
    ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}),
  });
}
