import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { InvalidArgumentError, RequestIdConflictError, sha256Hex } from '../api';
import { requestFingerprint, requestIdentity, type IdempotentKind } from '../api/idempotency';

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

/** The memo field that keeps a request's fingerprint with its operation. */
export const REQUEST_FINGERPRINT_MEMO = 'requestFingerprint';

/** The fingerprint to keep with an operation started under `requestId`; none without one. */
export function fingerprintOf(
  kind: IdempotentKind,
  requestId: string | undefined,
  parsedInput: object,
): string | undefined {
  return requestId ? requestFingerprint(requestId, requestIdentity(kind, parsedInput)) : undefined;
}

/**
 * Whether an operation holds the id, and the fingerprint its start kept. Thrown when it holds a
 * fingerprint other than `fingerprint`: RequestIdConflictError. An operation without one (started
 * raw, or before fingerprints were kept) is taken as the same request.
 */
async function existingMatches(
  temporal: Client,
  id: string,
  fingerprint: string | undefined,
): Promise<boolean> {
  let memo: Record<string, unknown> | undefined;
  try {
    memo = (await temporal.workflow.getHandle(id).describe()).memo;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
  const kept = memo?.[REQUEST_FINGERPRINT_MEMO];
  if (typeof kept === 'string' && fingerprint !== undefined && kept !== fingerprint) {
    throw new RequestIdConflictError(id);
  }
  return true;
}

/**
 * Starts a workflow at most once per id (AIP-155). With a request id, an operation that already
 * exists is returned as it is when it was started with the same request (the same `fingerprint`);
 * a start that loses a race, or whose id a closed run holds, is treated alike. Returns undefined
 * when this call started it.
 * Thrown when the request id was used for a different request: RequestIdConflictError; nothing starts.
 */
export async function startOnce<T>(o: {
  temporal: Client;
  id: string;
  requestId?: string;
  /** `fingerprintOf` this request; the start must keep it in its memo. */
  fingerprint?: string;
  get: (id: string) => Promise<T>;
  /** Must pass `idempotentStartPolicies` in its start options. */
  start: () => Promise<unknown>;
}): Promise<T | undefined> {
  if (o.requestId && (await existingMatches(o.temporal, o.id, o.fingerprint))) return o.get(o.id);
  try {
    await o.start();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // Another caller started it first (or a closed run holds the id); it may hold another request.
    await existingMatches(o.temporal, o.id, o.fingerprint);
    return o.get(o.id);
  }
  return undefined;
}

/** `raw` with `createdBy` filled in when it names none; anything but an object is left for the parser to refuse. */
export function withCreatedBy<T>(raw: T, createdBy: string): T {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const r = raw as { createdBy?: unknown };
  return r.createdBy === undefined ? { ...raw, createdBy } : raw;
}
