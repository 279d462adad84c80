import type { DeliveryEvidence } from '../delivery-evidence';
import { AuthleteApiError, AuthleteTransportError } from './errors';

/**
 * undici and Node codes of a request that never left: no connection (refused, unreachable, DNS,
 * connect timeout) or a TLS handshake that failed before any byte of the request was written.
 */
const NOT_CONNECTED =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT|ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/;

/**
 * Whether a failed Authlete call may have taken effect. It did not when no connection was made,
 * or when the answer itself says the request was not handled: 429, 503 (RFC 9110: the server "is
 * currently unable to handle the request", also what a proxy that never forwarded answers) and the
 * other 4xx. Timeouts, resets after the request was written, 500, 502, 504 and unreadable 2xx
 * answers may have followed the effect.
 */
export function authleteDelivery(err: unknown): DeliveryEvidence {
  if (err instanceof AuthleteTransportError && NOT_CONNECTED.test(err.errorCode ?? '')) {
    return { mayHaveTakenEffect: false, reason: `no connection to Authlete was made (${err.errorCode})` };
  }
  if (err instanceof AuthleteApiError && err.status >= 400 && (err.status < 500 || err.status === 503)) {
    return { mayHaveTakenEffect: false, reason: `Authlete answered HTTP ${err.status} without handling it` };
  }
  if (err instanceof AuthleteTransportError) {
    return {
      mayHaveTakenEffect: true,
      reason: err.timedOut
        ? 'no answer in time after the request was sent'
        : `the connection failed after the request was sent${err.errorCode ? ` (${err.errorCode})` : ''}`,
    };
  }
  if (err instanceof AuthleteApiError) {
    return {
      mayHaveTakenEffect: true,
      reason: `Authlete answered HTTP ${err.status}, which may follow the effect`,
    };
  }
  return { mayHaveTakenEffect: true, reason: 'an unreadable answer, which may follow the effect' };
}
