import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { Code, isCodeName, type Status } from '../api';

/** The provider reported a final failure for its operation (not a failed call). */
export class ProviderOperationFailed extends Error {
  override readonly name = 'ProviderOperationFailed';
  constructor(readonly status: Status) {
    super(status.message);
  }
}

function isStatus(value: unknown): value is Status {
  const v = value as Partial<Status> | undefined;
  return typeof v?.code === 'number' && typeof v.message === 'string' && Array.isArray(v.details);
}

/** The google.rpc Status that ends an operation, from whatever its provider step threw. */
export function statusOf(err: unknown): Status {
  if (err instanceof ProviderOperationFailed) return err.status;
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      const detail = cause.details?.[0];
      if (isStatus(detail)) return detail;
      const code = cause.type && isCodeName(cause.type) ? Code[cause.type] : Code.UNKNOWN;
      return { code, message: cause.message, details: [] };
    }
    if (cause instanceof TimeoutFailure) {
      return {
        code: Code.DEADLINE_EXCEEDED,
        message: `provider call timed out (${cause.timeoutType})`,
        details: [],
      };
    }
    return { code: Code.UNKNOWN, message: cause?.message ?? err.message, details: [] };
  }
  // Anything else is a bug in the engine, not the provider; say so without leaking internals.
  return { code: Code.INTERNAL, message: 'internal error in the revocation workflow', details: [] };
}
