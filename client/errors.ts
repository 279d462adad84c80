/** Thrown by the start functions when a requestId was used for a different request (ALREADY_EXISTS). */
export { RequestIdConflictError } from '../api/errors';

import type { Operation, Status } from '../api';

/** Thrown by `get`, `wait` and `cancel` when no operation has the id. */
export class OperationNotFoundError extends Error {
  override readonly name = 'OperationNotFoundError';
  readonly code = 5;
  constructor(readonly operationId: string) {
    super(`operation ${operationId} not found`);
  }
}

/** Thrown by `wait` when the operation is not done within the timeout. The operation keeps running. */
export class OperationWaitTimeoutError extends Error {
  override readonly name = 'OperationWaitTimeoutError';
  readonly code = 4;
  constructor(
    readonly operationId: string,
    readonly timeoutMs: number,
  ) {
    super(
      `operation ${operationId} not done after ${timeoutMs} ms (it keeps running; wait again or get it later)`,
    );
  }
}

/** Thrown by `RevocationClient.connect` when the Temporal server cannot be reached within the connect timeout. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
  constructor(
    readonly address: string,
    readonly namespace: string,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`cannot reach Temporal at ${address} (namespace ${namespace}): ${reason}`, options);
  }
}

/**
 * Thrown by the `AuthleteTokens` calls when Authlete (or validation in the workflow) refused the
 * call: `code` is the google.rpc code, `operation` the failed Operation. The message never holds a token.
 */
export class AuthleteCallFailedError extends Error {
  override readonly name = 'AuthleteCallFailedError';
  readonly code: number;
  constructor(readonly operation: Operation & { error: Status }) {
    super(
      `Authlete ${String((operation.metadata as { call?: unknown }).call ?? 'call')} failed: ${operation.error.message}`,
    );
    this.code = operation.error.code;
  }
}
