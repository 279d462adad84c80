import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  defineQuery,
  isCancellation,
  ParentClosePolicy,
  setCurrentDetails,
  setHandler,
  startChild,
  TerminatedFailure,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  WorkflowExecutionAlreadyStartedError,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
} from '@temporalio/common';
import {
  Code,
  codeName,
  defaultDescription,
  describeTarget,
  InvalidArgumentError,
  isCodeName,
  providerTitle,
  QueryNames,
  SearchAttributes,
  subjectOf,
  TypeUrl,
  WorkflowTypes,
  type Outcome,
  type RevocationRequest,
  type RevokeTokensOperation,
  type RevokeTokensWorkflowInput,
  type Status,
} from '../api';
import {
  childRequestsOf,
  childWorkflowId,
  defaultSubjectDescription,
  newRevokeSubjectOperation,
  parseRevokeSubjectInput,
  RevokeSubjectTypeUrl,
  type ChildState,
  type RevokeSubjectChildOutcome,
  type RevokeSubjectInput,
  type RevokeSubjectOperation,
  type RevokeSubjectResponse,
  type RevokeSubjectWorkflowInput,
} from '../api/revoke-subject-input';
import { revokeTokensDetails, revokeTokensSummary } from '../api/operation-summary';
import { subjectCurrentDetails } from './current-details';

/**
 * Answers with the operation as it is now. The same query name as `revokeTokens`' (`getOperation`),
 * so the client's `get` and `wait` serve both; typed here with this workflow's Operation.
 */
export const getRevokeSubjectOperationQuery = defineQuery<RevokeSubjectOperation>(QueryNames.getOperation);

/**
 * The Operation a `revokeSubject` workflow keeps. Every mutation goes through here so `modifiedAt`,
 * the counters and the Web UI's current details follow each child's end.
 */
class SubjectOperationState {
  private readonly op: RevokeSubjectOperation;
  private readonly outcomes = new Map<number, RevokeSubjectChildOutcome>();

  constructor(init: Parameters<typeof newRevokeSubjectOperation>[0]) {
    this.op = newRevokeSubjectOperation(init);
    this.touch();
  }

  get counts(): { total: number; succeeded: number; failed: number; cancelled: number } {
    const { total, succeeded, failed, cancelled } = this.op.metadata;
    return { total, succeeded, failed, cancelled };
  }

  snapshot(): RevokeSubjectOperation {
    return JSON.parse(JSON.stringify(this.op)) as RevokeSubjectOperation;
  }

  childSucceeded(index: number, child: RevokeTokensOperation): void {
    this.settle(index, 'SUCCEEDED', child.response ? { response: child.response } : {});
  }

  childEnded(index: number, state: 'FAILED' | 'CANCELLED', error: Status): void {
    this.settle(index, state, { error });
  }

  /** The report, in child index order: the response of a success, the error detail otherwise. */
  report(): RevokeSubjectResponse {
    const md = this.op.metadata;
    return {
      '@type': RevokeSubjectTypeUrl.response,
      subject: md.subject,
      total: md.total,
      succeeded: md.succeeded,
      failed: md.failed,
      cancelled: md.cancelled,
      children: md.children.map((_, i) => this.outcomes.get(i)).filter((o) => o !== undefined),
    };
  }

  succeed(): RevokeSubjectOperation {
    delete this.op.error;
    this.op.response = this.report();
    this.op.done = true;
    this.touch();
    return this.snapshot();
  }

  fail(status: Status): RevokeSubjectOperation {
    delete this.op.response;
    this.op.error = status;
    this.op.done = true;
    this.touch();
    return this.snapshot();
  }

  private settle(
    index: number,
    state: Exclude<ChildState, 'RUNNING'>,
    extra: Partial<RevokeSubjectChildOutcome>,
  ) {
    const md = this.op.metadata;
    const child = md.children[index];
    if (!child || child.state !== 'RUNNING') return;
    child.state = state;
    if (extra.error) child.error = extra.error;
    md.running -= 1;
    if (state === 'SUCCEEDED') md.succeeded += 1;
    else md.failed += 1;
    if (state === 'CANCELLED') md.cancelled += 1;
    this.outcomes.set(index, {
      id: child.id,
      provider: child.provider,
      connection: child.connection,
      target: child.target,
      outcome: state,
      ...extra,
    });
    this.touch();
  }

  private touch(): void {
    this.op.modifiedAt = new Date().toISOString();
    setCurrentDetails(subjectCurrentDetails(this.op.metadata, this.op));
  }
}

function setAttributes(pairs: Partial<Record<keyof typeof SearchAttributes, string>>): void {
  const updates: SearchAttributeUpdatePair[] = [];
  for (const [name, value] of Object.entries(pairs)) {
    const key = SearchAttributes[name as keyof typeof SearchAttributes];
    if (value !== undefined) updates.push({ key, value } as SearchAttributeUpdatePair);
  }
  if (updates.length > 0) upsertSearchAttributes(updates);
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
  const attributes: SearchAttributePair[] = [
    { key: SearchAttributes.provider, value: r.provider },
    { key: SearchAttributes.connection, value: r.connection },
    // Explicit token requests name no subject; the incident's subject makes them findable with the rest.
    { key: SearchAttributes.subject, value: subjectOf(r) ?? ctx.input.subject },
    { key: SearchAttributes.outcome, value: 'RUNNING' },
  ];
  if (ctx.input.createdBy) attributes.push({ key: SearchAttributes.createdBy, value: ctx.input.createdBy });
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

/**
 * Incident response: revokes everything one subject holds, as one child `revokeTokens` operation per
 * target (a Yandex Cloud subject, an Authlete subject) or explicit token request. A failing child does
 * not stop the others. Ends with the report when every child succeeded; otherwise fails with the code
 * of the first failed child (in index order) and the final Operation, report included, as detail.
 */
export async function revokeSubject(raw: RevokeSubjectWorkflowInput): Promise<RevokeSubjectOperation> {
  const info = workflowInfo();
  let input: RevokeSubjectInput | undefined;
  let invalid: InvalidArgumentError | undefined;
  try {
    input = parseRevokeSubjectInput(raw);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    invalid = err;
  }

  const requests = input ? childRequestsOf(input) : [];
  const createdBy = input?.createdBy ?? 'unknown';
  const state = new SubjectOperationState({
    id: info.workflowId,
    // An invalid input may hold anything, secrets included; describe it without echoing it.
    description: input
      ? input.description || defaultSubjectDescription(input.subject, requests.length)
      : 'Invalid revokeSubject request',
    createdAt: info.startTime,
    createdBy,
    subject: input?.subject ?? 'invalid request',
    children: requests.map((r, i) => ({
      id: childWorkflowId(info.workflowId, i, r.provider),
      provider: r.provider,
      connection: r.connection,
      target: describeTarget(r),
    })),
  });
  setHandler(getRevokeSubjectOperationQuery, () => state.snapshot());
  setAttributes({
    subject: input?.subject,
    createdBy: input?.createdBy,
    outcome: 'RUNNING' satisfies Outcome,
  });

  if (!input) {
    const operation = state.fail({
      code: Code.INVALID_ARGUMENT,
      message: invalid?.message ?? 'invalid argument',
      details: [{ '@type': TypeUrl.badRequest, fieldViolations: invalid?.violations ?? [] }],
    });
    setAttributes({ outcome: 'FAILED' satisfies Outcome });
    throw ApplicationFailure.create({
      type: codeName(Code.INVALID_ARGUMENT),
      message: operation.error?.message ?? 'invalid argument',
      nonRetryable: true,
      details: [operation],
    });
  }

  const ctx: ChildContext = { parentId: info.workflowId, input, createdBy };
  // Every child is started at once; each one's end is recorded as it comes. None ever throws here.
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

  const { total, succeeded, failed } = state.counts;
  if (CancellationScope.current().consideredCancelled) {
    state.fail({
      code: Code.CANCELLED,
      message: `operation cancelled; ${succeeded} of ${total} revocations had succeeded`,
      details: [{ ...state.report() }],
    });
    setAttributes({ outcome: 'CANCELLED' satisfies Outcome });
    throw new CancelledFailure('operation cancelled');
  }
  if (failed > 0) {
    const firstFailed = state.report().children.find((c) => c.outcome !== 'SUCCEEDED');
    const code = firstFailed?.error?.code ?? Code.UNKNOWN;
    const message = `${failed} of ${total} revocations failed`;
    const operation = state.fail({ code, message, details: [{ ...state.report() }] });
    setAttributes({ outcome: 'FAILED' satisfies Outcome });
    throw ApplicationFailure.create({
      type: codeName(code),
      message,
      nonRetryable: true,
      details: [operation],
    });
  }
  const operation = state.succeed();
  setAttributes({ outcome: 'SUCCEEDED' satisfies Outcome });
  return operation;
}
