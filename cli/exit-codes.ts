import { isGrpcServiceError, NamespaceNotFoundError, ServiceError } from '@temporalio/client';
import { CommanderError } from 'commander';
import { InvalidArgumentError, RequestIdConflictError } from '../api';
import { ConfigError } from '../common/config-error';
import { OperationNotFoundError, OperationWaitTimeoutError } from '../client/errors';
import { TemporalUnreachableError } from './connect';

/** The `revoke` CLI's exit codes; scripts depend on them. */
export const ExitCode = {
  /** The operation is done without error, was started, or the command succeeded. */
  ok: 0,
  /** The operation is done with an error (or an unexpected failure in the CLI itself). */
  operationFailed: 1,
  /** Bad input: an invalid field or option, a usage error, a --request-id used for another request; nothing was started. */
  badInput: 2,
  /** Temporal could not be reached, refused the call, or the configuration is wrong. */
  unavailable: 3,
  /** `--wait`, `wait` or `get --watch --timeout` timed out; the operation keeps running. */
  waitTimeout: 4,
  /** No operation has the id. */
  notFound: 5,
} as const;

export type ExitCodeNumber = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodesHelp = `Exit codes:
  0  success: the operation is done without error, or was started (without --wait)
  1  the operation is done with an error (the error code name and message go to stderr)
  2  bad input: an invalid field or option, a usage error, or a --request-id reused for another request; nothing was started
  3  Temporal could not be reached, or the configuration is wrong (codec key, TLS, namespace)
  4  --wait, wait or get --watch timed out; the operation is still running
  5  operation not found`;

// Temporal answers with these when the server is unreachable or refuses this client.
const unavailableGrpcCodes = new Set([
  4 /* DEADLINE_EXCEEDED */, 7 /* PERMISSION_DENIED */, 14 /* UNAVAILABLE */, 16 /* UNAUTHENTICATED */,
]);

function temporalGrpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

/** The exit code for an error thrown while running a command. */
export function exitCodeOf(err: unknown): ExitCodeNumber {
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  if (err instanceof InvalidArgumentError || err instanceof RequestIdConflictError) return ExitCode.badInput;
  if (err instanceof OperationNotFoundError) return ExitCode.notFound;
  if (err instanceof OperationWaitTimeoutError) return ExitCode.waitTimeout;
  if (
    err instanceof ConfigError ||
    err instanceof TemporalUnreachableError ||
    err instanceof NamespaceNotFoundError
  ) {
    return ExitCode.unavailable;
  }
  const code = temporalGrpcCode(err);
  if (err instanceof ServiceError || code !== undefined) {
    if (code === undefined || unavailableGrpcCodes.has(code)) return ExitCode.unavailable;
  }
  return ExitCode.operationFailed;
}

/** One line for stderr. Error messages in this engine never carry secrets; the raw input never reaches here. */
export function errorLine(err: unknown): string {
  if (!(err instanceof Error)) return `error: ${String(err)}`;
  // Name the flag the user typed, as bad input does.
  if (err instanceof RequestIdConflictError) {
    return `error: ALREADY_EXISTS: ${new RequestIdConflictError(err.operationId, '--request-id (requestId)').message}`;
  }
  const code = temporalGrpcCode(err);
  const message = err.message.replace(/\s*\n\s*/g, ' ').trim();
  if (err instanceof ServiceError || code !== undefined) {
    return `error: Temporal call failed${code !== undefined ? ` (gRPC ${code})` : ''}: ${message}`;
  }
  return `error: ${message}`;
}
