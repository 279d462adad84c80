import { codeFromGrpcStatus, Code, isCodeName, scrubSecrets, type CodeNumber } from '../../api';
import { providerFailure } from '../provider-failure';
import type { ApplicationFailure } from '@temporalio/common';

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

export function yandexFailure(
  err: unknown,
  ctx: { connection: string; rpc: string; secrets: ReadonlyArray<string | undefined> },
): ApplicationFailure {
  const { code, detail } = classifyYandexError(err);
  const message = scrubSecrets(`Yandex Cloud ${ctx.rpc}: ${detail || 'no detail'}`, ctx.secrets);
  // No `cause`: the SDK's error text may echo request fields; only the scrubbed form leaves here.
  return providerFailure({ provider: 'yandex-cloud', connection: ctx.connection, code, message });
}
