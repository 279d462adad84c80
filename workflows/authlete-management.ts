import {
  ActivityFailure,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  authleteReissueWireRequest,
  authleteTokenCallDescription,
  authleteTokenCallTarget,
  authleteTokenCalls,
  Code,
  InvalidArgumentError,
  parseAuthleteTokenCallInput,
  TypeUrl,
  type AuthleteTokenCall,
  type AuthleteTokenCallInput,
  type AuthleteTokenCallInputRaw,
  type AuthleteTokenCallOperation,
  type AuthleteTokenCallResults,
  type Status,
} from '../api';
import { AuthleteTokenCallState } from './authlete-token-call-state';
import { statusOf } from './failures';
import { getOperationQuery, operationFailure } from './operation-state';
import { setSearchAttributes } from './search-attributes';

/** list, update and reissue may be repeated; a create (or a value rotation) repeated after a lost reply issues a second token. */
function activityOptions(input: AuthleteTokenCallInput): ActivityOptions {
  const once =
    input.call === 'create' || (input.call === 'update' && input.request.accessTokenValueUpdated === true);
  return {
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '3m',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '30s',
      maximumAttempts: once ? 1 : 5,
    },
  };
}

const paths: Record<AuthleteTokenCall, string> = {
  list: 'GET /auth/token/get/list',
  create: 'POST /auth/token/create',
  update: 'POST /auth/token/update',
  reissue: 'POST /idtoken/reissue',
};

async function callAuthlete(
  input: AuthleteTokenCallInput,
): Promise<AuthleteTokenCallResults[AuthleteTokenCall]> {
  const acts = proxyActivities<Activities>(activityOptions(input));
  const service = { connection: input.connection, serviceId: input.serviceId };
  const summary = { summary: `authlete ${paths[input.call]} (connection ${input.connection})` };
  switch (input.call) {
    case 'list':
      return acts.authleteListTokens.executeWithOptions(summary, [{ ...service, ...input.request }]);
    case 'create':
      return acts.authleteCreateToken.executeWithOptions(summary, [{ ...service, request: input.request }]);
    case 'update':
      return acts.authleteUpdateToken.executeWithOptions(summary, [{ ...service, request: input.request }]);
    case 'reissue':
      return acts.authleteReissueIdToken.executeWithOptions(summary, [
        { ...service, request: authleteReissueWireRequest(input.request) },
      ]);
  }
}

function subjectOfCall(input: AuthleteTokenCallInput): string | undefined {
  if (input.call === 'list' || input.call === 'create') return input.request.subject;
  return undefined;
}

/**
 * One Authlete token-management call (list, create, update, ID-token reissue) as one Operation,
 * run by the worker that holds the connection's credentials. The answer is the response; it holds
 * token values for create, update and reissue, so it lives only in (encrypted) payloads: never in
 * search attributes, memos, summaries or current details.
 */
export async function authleteTokenCall(raw: AuthleteTokenCallInputRaw): Promise<AuthleteTokenCallOperation> {
  const info = workflowInfo();
  let input: AuthleteTokenCallInput | undefined;
  let invalid: InvalidArgumentError | undefined;
  try {
    input = parseAuthleteTokenCallInput(raw);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    invalid = err;
  }
  const rawCall = (raw as { call?: unknown } | undefined)?.call;
  const subjectId = input ? subjectOfCall(input) : undefined;
  const state = new AuthleteTokenCallState({
    id: info.workflowId,
    // An invalid input may hold anything, secrets included; describe it without echoing it.
    description: input ? authleteTokenCallDescription(input) : 'Invalid Authlete token call',
    createdAt: info.startTime,
    createdBy: input?.createdBy ?? 'unknown',
    connection: input?.connection ?? 'unknown',
    serviceId: input?.serviceId ?? 'unknown',
    call:
      input?.call ??
      ((authleteTokenCalls as readonly unknown[]).includes(rawCall)
        ? (rawCall as AuthleteTokenCall)
        : 'unknown'),
    target: input ? authleteTokenCallTarget(input) : 'invalid request',
    ...(subjectId !== undefined ? { subjectId } : {}),
  });
  setHandler(getOperationQuery, () => state.snapshot());
  setSearchAttributes({
    provider: 'authlete',
    connection: input?.connection,
    subject: subjectId,
    createdBy: input?.createdBy,
    outcome: 'RUNNING',
  });

  const failWith = (status: Status, calledProvider: boolean): never => {
    const operation = state.ended(status, calledProvider);
    setSearchAttributes({ outcome: 'FAILED' });
    throw operationFailure(operation);
  };
  if (!input) {
    return failWith(
      {
        code: Code.INVALID_ARGUMENT,
        message: invalid?.message ?? 'invalid argument',
        details: [{ '@type': TypeUrl.badRequest, fieldViolations: invalid?.violations ?? [] }],
      },
      false,
    );
  }
  try {
    const result = await callAuthlete(input);
    const operation = state.answered(input.call, result);
    setSearchAttributes({ outcome: 'SUCCEEDED' });
    return operation;
  } catch (err) {
    if (isCancellation(err)) {
      state.ended({ code: Code.CANCELLED, message: 'operation cancelled', details: [] }, false);
      setSearchAttributes({ outcome: 'CANCELLED' });
      throw err;
    }
    return failWith(statusOf(err), err instanceof ActivityFailure);
  }
}
