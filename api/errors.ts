/** One bad field: its dotted path from the top of the input, and what is wrong with it. */
export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * Thrown when an input fails validation. The message names every bad field; `violations` holds
 * them as google.rpc.BadRequest field violations. Never carries the offending value.
 */
export class InvalidArgumentError extends Error {
  override readonly name = 'InvalidArgumentError';
  readonly code = 3;
  constructor(readonly violations: readonly FieldViolation[]) {
    super(`invalid argument: ${violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`);
  }
}

/**
 * Thrown when a request id (AIP-155 idempotency key) was already used for a different request:
 * google.rpc ALREADY_EXISTS. The message names `field`; nothing new was started.
 */
export class RequestIdConflictError extends Error {
  override readonly name = 'RequestIdConflictError';
  readonly code = 6;
  constructor(
    readonly operationId: string,
    readonly field = 'requestId',
  ) {
    super(
      `${field}: already used for a different request (operation ${operationId}); a new request needs a new ${field}`,
    );
  }
}
