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
