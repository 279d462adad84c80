import type { SearchAttributePair } from '@temporalio/common';
import { describeTarget, QueryNames, SearchAttributes, type Operation, WorkflowTypes } from '../api';
import {
  childRequestsOf,
  childWorkflowId,
  defaultSubjectDescription,
  isRevokeSubjectOperation,
  newRevokeSubjectOperation,
  parseRevokeSubjectInput,
  REVOKE_SUBJECT_ID_PREFIX,
  type RevokeSubjectOperation,
  type RevokeSubjectWorkflowInput,
} from '../api/revoke-subject-input';
import { revokeSubjectDetails, revokeSubjectSummary } from '../api/operation-summary';
import {
  checkRequestId,
  fingerprintOf,
  idempotentStartPolicies,
  operationId,
  REQUEST_FINGERPRINT_MEMO,
  startOnce,
  withCreatedBy,
} from './idempotent-start';
import type { RevocationClient } from './revocation-client';

/** The workflow type's name (api/contract.ts WorkflowTypes.revokeSubject, once registered there). */
export const REVOKE_SUBJECT_WORKFLOW = WorkflowTypes.revokeSubject;

export interface RevokeSubjectOptions {
  /**
   * Idempotency key (AIP-155): a repeated call with the same key and input returns the same
   * operation; the same key with a different input is refused (RequestIdConflictError).
   */
  requestId?: string;
}

/** The id a `revokeSubject` operation gets: from the request id when given, never from the input. */
export function revokeSubjectId(requestId?: string): string {
  return operationId(REVOKE_SUBJECT_ID_PREFIX, requestId, 'revokeSubject:');
}

const QUERY_DEADLINE_MS = 5_000;

interface SubjectMemo {
  description?: string;
  createdBy?: string;
  subject?: string;
  target?: string;
}

/**
 * The parent's Operation when `client.get` could only synthesize one (a cancelled, terminated or
 * timed-out run, or no worker): the query first (closed runs answer it while a worker runs), else
 * the memo with `client.get`'s verdict; the children are then unknown (empty).
 */
async function subjectOperation(
  client: RevocationClient,
  id: string,
  op: Operation,
): Promise<RevokeSubjectOperation> {
  if (isRevokeSubjectOperation(op)) return op;
  const handle = client.temporal.workflow.getHandle(id);
  try {
    const queried = await client.temporal.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
      handle.query<Operation>(QueryNames.getOperation),
    );
    if (isRevokeSubjectOperation(queried)) return queried;
  } catch {
    // No worker answered in time; fall back on what the server knows.
  }
  const d = await handle.describe();
  const memo = (d.memo ?? {}) as SubjectMemo;
  const synthesized = newRevokeSubjectOperation({
    id,
    description: memo.description ?? op.description,
    createdAt: d.startTime,
    createdBy: memo.createdBy ?? op.createdBy,
    subject: memo.subject ?? '',
    children: [],
  });
  synthesized.modifiedAt = op.modifiedAt;
  synthesized.done = op.done;
  if (op.error) synthesized.error = op.error;
  return synthesized;
}

/**
 * Starts `revokeSubject`: one child `revokeTokens` operation per target and explicit request, and
 * returns the parent Operation, not done yet. `client.get`, `client.wait` and `client.cancel` take its id.
 * Thrown when the input is invalid: InvalidArgumentError naming each bad field; when `requestId` was
 * used for a different input: RequestIdConflictError. Nothing starts. `createdBy` defaults to the client's.
 */
export async function revokeSubject(
  client: RevocationClient,
  raw: RevokeSubjectWorkflowInput,
  options: RevokeSubjectOptions = {},
): Promise<RevokeSubjectOperation> {
  checkRequestId(options.requestId);
  const input = parseRevokeSubjectInput(withCreatedBy(raw, client.createdBy));
  const requests = childRequestsOf(input);
  const id = revokeSubjectId(options.requestId);
  const description = input.description || defaultSubjectDescription(input.subject, requests.length);
  const createdBy = input.createdBy ?? 'unknown';
  const target = `everything ${input.subject} holds (${requests.length} revocations)`;
  const attributes: SearchAttributePair[] = [
    { key: SearchAttributes.subject, value: input.subject },
    { key: SearchAttributes.outcome, value: 'RUNNING' },
  ];
  if (input.createdBy) attributes.push({ key: SearchAttributes.createdBy, value: input.createdBy });
  const fingerprint = fingerprintOf('revokeSubject', options.requestId, input);

  const summaryInput = { input, requests, id, requestId: options.requestId };
  const existing = await startOnce({
    temporal: client.temporal,
    id,
    requestId: options.requestId,
    fingerprint,
    get: (x) => getRevokeSubject(client, x),
    start: () =>
      client.temporal.workflow.start(REVOKE_SUBJECT_WORKFLOW, {
        taskQueue: client.taskQueue,
        workflowId: id,
        // The parsed input: defaults filled in, so the workflow sees what was validated here.
        args: [input satisfies RevokeSubjectWorkflowInput],
        ...idempotentStartPolicies,
        memo: {
          ...({ description, createdBy, subject: input.subject, target } satisfies SubjectMemo),
          ...(fingerprint ? { [REQUEST_FINGERPRINT_MEMO]: fingerprint } : {}),
        },
        typedSearchAttributes: attributes,
        staticSummary: revokeSubjectSummary(summaryInput),
        staticDetails: revokeSubjectDetails(summaryInput),
      }),
  });
  if (existing) return existing;
  return newRevokeSubjectOperation({
    id,
    description,
    createdAt: new Date(),
    createdBy,
    subject: input.subject,
    children: requests.map((r, i) => ({
      id: childWorkflowId(id, i, r.provider),
      provider: r.provider,
      connection: r.connection,
      target: describeTarget(r),
    })),
  });
}

/**
 * The `revokeSubject` operation as it is now (`client.get`, typed; a cancelled one too).
 * Thrown when unknown: OperationNotFoundError.
 */
export async function getRevokeSubject(
  client: RevocationClient,
  id: string,
): Promise<RevokeSubjectOperation> {
  return subjectOperation(client, id, await client.get(id));
}

/**
 * Waits until the `revokeSubject` operation is done (`client.wait`, typed).
 * Thrown when not done within `timeout` ms: OperationWaitTimeoutError.
 */
export async function waitRevokeSubject(
  client: RevocationClient,
  id: string,
  options: { timeout?: number } = {},
): Promise<RevokeSubjectOperation> {
  return subjectOperation(client, id, await client.wait(id, options));
}
