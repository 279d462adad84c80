import { Status as SdkStatus } from '@yandex-cloud/nodejs-sdk/google/rpc/status';
import type { ApplicationFailure } from '@temporalio/common';
import { codeFromGrpcStatus, Code, isCodeName, scrubSecrets, type CodeNumber, type Status } from '../../api';
import { providerFailure } from '../provider-failure';
import { statusDetailsJson } from './status-details';

interface Classified {
  code: CodeNumber;
  detail: string;
}

/**
 * The SDK throws two shapes: nice-grpc's ClientError (`code`, `details`) when the server failed
 * before sending headers, and its own ApiError (message only, `/path CODE: details`) when it failed
 * after. Anything else (DNS, TLS, reset) is a transport failure and counts as UNAVAILABLE.
 */
export function classifyYandexError(err: unknown): Classified {
  if (err !== null && typeof err === 'object') {
    const e = err as { code?: unknown; details?: unknown; message?: unknown; name?: unknown };
    if (typeof e.code === 'number' && typeof e.details === 'string') {
      return { code: codeFromGrpcStatus(e.code), detail: e.details };
    }
    if (typeof e.message === 'string') {
      const m = /\s([A-Z_]+):\s?([\s\S]*)$/.exec(e.message);
      const name = m?.[1];
      if (name !== undefined && isCodeName(name)) return { code: Code[name], detail: m?.[2] ?? '' };
      return { code: Code.UNAVAILABLE, detail: e.message };
    }
  }
  return { code: Code.UNKNOWN, detail: String(err) };
}

/** Trailers of failed calls, by the error the SDK threw for them (neither error class keeps them). */
const trailersOf = new WeakMap<object, SdkStatus>();

/** Minimal view of nice-grpc's Metadata, the type of the `onTrailer` argument. */
export interface TrailerMetadata {
  get(key: string): unknown;
}

/**
 * Keeps the google.rpc.Status of a failed call's `grpc-status-details-bin` trailer with the error
 * the SDK threw, so that its details reach the Operation; returns the error itself. A trailer that
 * does not decode is ignored: the code and message still come from the error.
 */
export function withTrailer(err: unknown, trailer: TrailerMetadata | undefined): unknown {
  const bin = trailer?.get('grpc-status-details-bin');
  if (err !== null && typeof err === 'object' && bin instanceof Uint8Array) {
    try {
      trailersOf.set(err, SdkStatus.decode(bin));
    } catch {
      // ignored, as documented
    }
  }
  return err;
}

/** The provider's google.rpc details of a failed call, as JSON (RequestInfo, ErrorInfo, ...). */
export function yandexErrorDetails(
  err: unknown,
  secrets: ReadonlyArray<string | undefined>,
): Status['details'] {
  const status = err !== null && typeof err === 'object' ? trailersOf.get(err) : undefined;
  return statusDetailsJson(status?.details, secrets);
}

export function yandexFailure(
  err: unknown,
  ctx: { connection: string; rpc: string; secrets: ReadonlyArray<string | undefined> },
): ApplicationFailure {
  const { code, detail } = classifyYandexError(err);
  const message = scrubSecrets(`Yandex Cloud ${ctx.rpc}: ${detail || 'no detail'}`, ctx.secrets);
  // No `cause`: the SDK's error text may echo request fields; only the scrubbed form leaves here.
  return providerFailure({
    provider: 'yandex-cloud',
    connection: ctx.connection,
    code,
    message,
    extraDetails: yandexErrorDetails(err, ctx.secrets),
  });
}
