import { Code, codeName, type CodeNumber } from '../../api';
import type { DeliveryEvidence } from '../delivery-evidence';
import { classifyYandexError } from './errors';

/** gRPC's own words for a call that failed before a connection existed (grpc-js, as the SDK uses it). */
const NO_CONNECTION =
  /^(No connection established|Name resolution failed|Failed to connect|Failed to resolve)/;

/**
 * Whether a failed Yandex call may have taken effect. Only two kinds of failure show that it did
 * not: no connection was ever established (refused, DNS, TLS handshake: grpc-js says "No connection
 * established" or "Name resolution failed"), or Yandex refused the call before handling it
 * (RESOURCE_EXHAUSTED, or a permanent refusal). A server-sent UNAVAILABLE is not such proof: gRPC
 * documents it as not always safe to retry, and a reset or a proxy's error looks the same.
 */
export function yandexDelivery(err: unknown): DeliveryEvidence {
  const { code, detail } = classifyYandexError(err);
  const raw = err as { code?: unknown } | null;
  const fromClientError = raw !== null && typeof raw === 'object' && typeof raw.code === 'number';
  if (code === Code.UNAVAILABLE && fromClientError && NO_CONNECTION.test(detail)) {
    return {
      mayHaveTakenEffect: false,
      reason: 'no connection to Yandex Cloud was established (refused, DNS or TLS)',
    };
  }
  const refusedBeforeHandling: readonly CodeNumber[] = [
    Code.RESOURCE_EXHAUSTED,
    Code.INVALID_ARGUMENT,
    Code.UNAUTHENTICATED,
    Code.PERMISSION_DENIED,
    Code.FAILED_PRECONDITION,
  ];
  if (refusedBeforeHandling.includes(code)) {
    return {
      mayHaveTakenEffect: false,
      reason: `Yandex Cloud refused it before handling (${codeName(code)})`,
    };
  }
  return {
    mayHaveTakenEffect: true,
    reason: `${codeName(code)} after the request may have reached Yandex Cloud`,
  };
}
