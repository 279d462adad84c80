import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  TerminatedFailure,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import {
  Code,
  defaultDescription,
  describeTarget,
  InvalidArgumentError,
  isCodeName,
  providerTitle,
  subjectOf,
  TypeUrl,
  WorkflowTypes,
  type RevocationRequest,
  type RevokeTokensOperation,
  type RevokeTokensWorkflowInput,
  type Status,
} from '../api';
import {
  childRequestsOf,
  childWorkflowId,
  defaultSubjectDescription,
  parseRevokeSubjectInput,
  type RevokeSubjectInput,
  type RevokeSubjectOperation,
  type RevokeSubjectWorkflowInput,
} from '../api/revoke-subject-input';
import { revokeTokensDetails, revokeTokensSummary } from '../api/operation-summary';
import { answerConfirmRequest } from './confirm-request';
import { getOperationQuery, operationFailure } from './operation-state';
import { RevokeSubjectState } from './revoke-subject-state';
import { searchAttributePairs, setSearchAttributes } from './search-attributes';

/**
 * Patch: the parent's end writes a signed evidence checkpoint over its children's records (each
 * child records itself, with jobId = the parent's id) and its report names them. Runs before it did not.
 */
export const SUBJECT_EVIDENCE_PATCH = 'subject-evidence';

const { checkpointEvidence } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** The checkpoint at the end of the children; runs even when the operation is being cancelled. */
async function checkpointChildren(state: RevokeSubjectState, parentId: string, count: number): Promise<void> {
  const { recorded } = await CancellationScope.nonCancellable(() =>
    checkpointEvidence.executeWithOptions({ summary: 'evidence checkpoint after the children' }, [
      { reason: `end of revokeSubject ${parentId}` },
    ]),
  );
  state.evidence = { recorded, operationId: parentId, count };
}

function isOperation(value: unknown): value is RevokeTokensOperation {
  const v = value as Partial<RevokeTokensOperation> | undefined;
  return typeof v?.id === 'string' && typeof v.done === 'boolean';
}

/** How a child ended, from what its start or its result threw. */
function childEnd(err: unknown): { state: 'FAILED' | 'CANCELLED'; error: Status } {
  if (isCancellation(err)) {
    return {
      state: 'CANCELLED',
      error: { code: Code.CANCELLED, message: 'operation cancelled', details: [] },
    };
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return {
      state: 'FAILED',
      error: {
        code: Code.ALREADY_EXISTS,
        message: 'a workflow with the child id already exists',
        details: [],
      },
    };
  }
  if (err instanceof ChildWorkflowFailure) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      // A `revokeTokens` child fails with its final Operation as the first detail (see failOperation).
      const op = cause.details?.[0];
      if (isOperation(op) && op.error) return { state: 'FAILED', error: op.error };
      const code = cause.type && isCodeName(cause.type) ? Code[cause.type] : Code.UNKNOWN;
      return { state: 'FAILED', error: { code, message: cause.message, details: [] } };
    }
    if (cause instanceof TerminatedFailure) {
      return { state: 'FAILED', error: { code: Code.ABORTED, message: 'operation terminated', details: [] } };
    }
    if (cause instanceof TimeoutFailure) {
      return {
        state: 'FAILED',
        error: { code: Code.DEADLINE_EXCEEDED, message: 'operation timed out', details: [] },
      };
    }
  }
  return {
    state: 'FAILED',
    error: { code: Code.INTERNAL, message: 'internal error in the revokeSubject workflow', details: [] },
  };
}

interface ChildContext {
  parentId: string;
  input: RevokeSubjectInput;
  createdBy: string;
}

/** The options of child `index`: visible in the Web UI as the parent's child, with the client's memo and attributes. */
function childOptions(r: RevocationRequest, index: number, ctx: ChildContext) {
  const target = describeTarget(r);
  const description = defaultDescription(target, providerTitle(r));
  const args: RevokeTokensWorkflowInput = {
    request: r,
    ...(ctx.input.createdBy !== undefined ? { createdBy: ctx.input.createdBy } : {}),
    ...(ctx.input.timing !== undefined ? { timing: ctx.input.timing } : {}),
  };
  const attributes = searchAttributePairs({
    provider: r.provider,
    connection: r.connection,
    // Explicit token requests name no subject; the incident's subject makes them findable with the rest.
    subject: subjectOf(r) ?? ctx.input.subject,
    outcome: 'RUNNING',
    createdBy: ctx.input.createdBy || undefined,
  });
  const summaryInput = {
    request: r,
    createdBy: ctx.createdBy,
    partOf: { id: ctx.parentId, what: `revocation of everything subject ${ctx.input.subject} holds` },
  };
  return {
    workflowId: childWorkflowId(ctx.parentId, index, r.provider),
    args: [args] as [RevokeTokensWorkflowInput],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    memo: { description, createdBy: ctx.createdBy, provider: r.provider, connection: r.connection, target },
    typedSearchAttributes: attributes,
    staticSummary: revokeTokensSummary(summaryInput),
    staticDetails: revokeTokensDetails(summaryInput),
  };
}

/** The input, or the reason it is invalid: an invalid one still gets an Operation, failed at once. */
function parseInput(raw: RevokeSubjectWorkflowInput): RevokeSubjectInput | InvalidArgumentError {
  try {
    return parseRevokeSubjectInput(raw);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    return err;
  }
}

function newState(input: RevokeSubjectInput | undefined, requests: RevocationRequest[]): RevokeSubjectState {
  const info = workflowInfo();
  return new RevokeSubjectState({
    id: info.workflowId,
    // An invalid input may hold anything, secrets included; describe it without echoing it.
    description: input
      ? input.description || defaultSubjectDescription(input.subject, requests.length)
      : 'Invalid revokeSubject request',
    createdAt: info.startTime,
    createdBy: input?.createdBy ?? 'unknown',
    subject: input?.subject ?? 'invalid request',
    children: requests.map((r, i) => ({
      id: childWorkflowId(info.workflowId, i, r.provider),
      provider: r.provider,
      connection: r.connection,
      target: describeTarget(r),
    })),
  });
}

/** Every child is started at once; each one's end is recorded as it comes. Never throws. */
async function runChildren(state: RevokeSubjectState, requests: RevocationRequest[], ctx: ChildContext) {
  await Promise.all(
    requests.map(async (r, index) => {
      try {
        const handle = await startChild<(i: RevokeTokensWorkflowInput) => Promise<RevokeTokensOperation>>(
          WorkflowTypes.revokeTokens,
          childOptions(r, index, ctx),
        );
        state.childSucceeded(index, await handle.result());
      } catch (err) {
        const end = childEnd(err);
        state.childEnded(index, end.state, end.error);
      }
    }),
  );
}

/** Ends the execution from the children's ends: cancelled, failed with the first failed child's code, or the report. */
function finish(state: RevokeSubjectState): RevokeSubjectOperation {
  const { total, succeeded, failed } = state.counts;
  if (CancellationScope.current().consideredCancelled) {
    state.fail({
      code: Code.CANCELLED,
      message: `operation cancelled; ${succeeded} of ${total} revocations had succeeded`,
      details: [{ ...state.report() }],
    });
    setSearchAttributes({ outcome: 'CANCELLED' });
    throw new CancelledFailure('operation cancelled');
  }
  if (failed > 0) {
    const firstFailed = state.report().children.find((c) => c.outcome !== 'SUCCEEDED');
    const code = firstFailed?.error?.code ?? Code.UNKNOWN;
    const message = `${failed} of ${total} revocations failed`;
    const operation = state.fail({ code, message, details: [{ ...state.report() }] });
    setSearchAttributes({ outcome: 'FAILED' });
    throw operationFailure(operation);
  }
  const operation = state.succeed(state.report());
  setSearchAttributes({ outcome: 'SUCCEEDED' });
  return operation;
}

/**
 * Incident response: revokes everything one subject holds, as one child `revokeTokens` operation per
 * target (a Yandex Cloud subject, an Authlete subject) or explicit token request. A failing child does
 * not stop the others. Ends with the report when every child succeeded; otherwise fails with the code
 * of the first failed child (in index order) and the final Operation, report included, as detail.
 */
export async function revokeSubject(raw: RevokeSubjectWorkflowInput): Promise<RevokeSubjectOperation> {
  const parsed = parseInput(raw);
  const input = parsed instanceof InvalidArgumentError ? undefined : parsed;
  const requests = input ? childRequestsOf(input) : [];
  const state = newState(input, requests);
  setHandler(getOperationQuery, () => state.snapshot());
  answerConfirmRequest('revokeSubject', raw, parseRevokeSubjectInput, () => state.snapshot());
  setSearchAttributes({ subject: input?.subject, createdBy: input?.createdBy, outcome: 'RUNNING' });

  if (parsed instanceof InvalidArgumentError) {
    const operation = state.fail({
      code: Code.INVALID_ARGUMENT,
      message: parsed.message,
      details: [{ '@type': TypeUrl.badRequest, fieldViolations: parsed.violations }],
    });
    setSearchAttributes({ outcome: 'FAILED' });
    throw operationFailure(operation);
  }

  const recording = patched(SUBJECT_EVIDENCE_PATCH);
  const parentId = workflowInfo().workflowId;
  await runChildren(state, requests, { parentId, input: parsed, createdBy: parsed.createdBy ?? 'unknown' });
  if (recording) await checkpointChildren(state, parentId, requests.length);
  return finish(state);
}
