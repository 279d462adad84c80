import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { InvalidArgumentError, sha256Hex } from '../api';
import { OperationNotFoundError } from './errors';

const requestIdPattern = /^[\x21-\x7e]{1,256}$/;

/** Thrown when the idempotency key is malformed: InvalidArgumentError on `field`. */
export function checkRequestId(requestId: string | undefined, field = 'requestId'): void {
  if (requestId !== undefined && !requestIdPattern.test(requestId)) {
    throw new InvalidArgumentError([
      { field, description: 'must be 1-256 printable ASCII characters without spaces' },
    ]);
  }
}

/**
 * An operation's workflow id: a hash of the request id when given (ids are visible everywhere and
 * must not echo caller text), else random. `scope` keeps kinds that share a request id apart.
 */
export function operationId(prefix: string, requestId?: string, scope = ''): string {
  return requestId
    ? `${prefix}${sha256Hex(`${scope}${requestId}`).slice(0, 32)}`
    : `${prefix}${randomUUID()}`;
}

/**
 * The start options `startOnce` relies on: a racing start joins the running workflow, and an id a
 * closed run holds is not started again (its operation is returned instead).
 */
export const idempotentStartPolicies = {
  workflowIdConflictPolicy: 'USE_EXISTING',
  workflowIdReusePolicy: 'REJECT_DUPLICATE',
} as const;

/**
 * Starts a workflow at most once per id (AIP-155). With a request id, an operation that already
 * exists is returned as it is; a start that loses a race, or whose id a closed run holds, returns
 * that operation too. Returns undefined when this call started it.
 */
export async function startOnce<T>(o: {
  id: string;
  requestId?: string;
  get: (id: string) => Promise<T>;
  /** Must pass `idempotentStartPolicies` in its start options. */
  start: () => Promise<unknown>;
}): Promise<T | undefined> {
  if (o.requestId) {
    const existing = await o.get(o.id).catch((err: unknown) => {
      if (err instanceof OperationNotFoundError) return undefined;
      throw err;
    });
    if (existing !== undefined) return existing;
  }
  try {
    await o.start();
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return o.get(o.id);
    throw err;
  }
  return undefined;
}
