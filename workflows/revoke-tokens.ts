import {
  ActivityFailure,
  CancellationScope,
  defineSignal,
  isCancellation,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import {
  Code,
  defaultDescription,
  describeTarget,
  durationMs,
  InvalidArgumentError,
  parseRevokeTokensInput,
  providerKeys,
  providerTitle,
  SignalNames,
  subjectOf,
  TypeUrl,
  type RevokeTokensInput,
  type RevokeTokensOperation,
  type RevokeTokensWorkflowInput,
  type Status,
} from '../api';
import { answerConfirmRequest } from './confirm-request';
import { statusOf } from './failures';
import { getOperationQuery, operationFailure } from './operation-state';
import { defaultTiming, revokeAtProvider, type Timing } from './providers';
import { recordSingleEvidence, singleRecord, type RevokeEnd } from './revoke-evidence';
import { RevokeTokensState } from './revoke-tokens-state';
import { setSearchAttributes } from './search-attributes';
import { revokeAndVerify } from './verify-revocation';

/** Runs from this patch on verify after the revoke and write an evidence record (docs/contract.md). */
export const VERIFY_AND_RECORD_PATCH = 'verify-and-record-evidence';

/** Sent by the worker when a provider call failed and will be retried (see worker/attempt-failure-reporter). */
export interface AttemptFailedSignal {
  activityType: string;
  attempt: number;
  status: Status;
}
export const attemptFailedSignal = defineSignal<[AttemptFailedSignal]>(SignalNames.attemptFailed);

function resolveTiming(input: RevokeTokensInput): Timing {
  const t = { ...defaultTiming, ...input.timing };
  return {
    pollInitialMs: durationMs(t.pollInitialInterval),
    pollMaxMs: durationMs(t.pollMaxInterval),
    retryInitialMs: durationMs(t.retryInitialInterval),
    deadlineMs: durationMs(t.deadline),
  };
}

/** Writes the operation's evidence record (runs from VERIFY_AND_RECORD_PATCH on). */
function record(state: RevokeTokensState, end: RevokeEnd) {
  return recordSingleEvidence(singleRecord(state.snapshot(), end));
}

function endFailed(state: RevokeTokensState, status: Status): never {
  const operation = state.ended(status);
  setSearchAttributes({ outcome: 'FAILED' });
  throw operationFailure(operation);
}

/**
 * Ends the execution as failed, with the final Operation as the failure's detail. Runs that predate
 * the patch end synchronously, as they did: an await here would reorder their commands on replay.
 */
function failOperation(state: RevokeTokensState, status: Status, recording: boolean): Promise<never> {
  if (!recording) endFailed(state, status);
  return record(state, { kind: 'failed', status }).then(() => endFailed(state, status));
}

/**
 * One revocation as one Operation. Validates again (callers in other languages skip the client),
 * calls the provider through activities, and ends failed with the google.rpc code when it fails.
 */
export async function revokeTokens(raw: RevokeTokensWorkflowInput): Promise<RevokeTokensOperation> {
  const info = workflowInfo();
  let input: RevokeTokensInput | undefined;
  let invalid: InvalidArgumentError | undefined;
  try {
    input = parseRevokeTokensInput(raw);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    invalid = err;
  }

  const request = input?.request;
  const state = new RevokeTokensState({
    id: info.workflowId,
    // An invalid input may hold anything, secrets included; describe it without echoing it.
    description: input
      ? input.description || defaultDescription(describeTarget(input.request), providerTitle(input.request))
      : 'Invalid revocation request',
    createdAt: info.startTime,
    createdBy: input?.createdBy ?? 'unknown',
    provider: request?.provider ?? 'unknown',
    connection: request?.connection ?? 'unknown',
    target: request ? describeTarget(request) : 'invalid request',
  });
  setHandler(getOperationQuery, () => state.snapshot());
  setHandler(attemptFailedSignal, (signal) => state.attemptFailed(signal.status, signal.attempt));
  answerConfirmRequest('revokeTokens', raw, parseRevokeTokensInput, () => state.snapshot());

  const rawProvider = typeof raw?.request?.provider === 'string' ? raw.request.provider : undefined;
  setSearchAttributes({
    provider: (providerKeys as string[]).includes(rawProvider ?? '') ? rawProvider : undefined,
    connection: request?.connection,
    subject: request ? subjectOf(request) : undefined,
    createdBy: input?.createdBy,
    outcome: 'RUNNING',
  });

  const recording = patched(VERIFY_AND_RECORD_PATCH);
  if (!input || !request) {
    return failOperation(
      state,
      {
        code: Code.INVALID_ARGUMENT,
        message: invalid?.message ?? 'invalid argument',
        details: [{ '@type': TypeUrl.badRequest, fieldViolations: invalid?.violations ?? [] }],
      },
      recording,
    );
  }

  const timing = resolveTiming(input);
  const work = new CancellationScope();
  const deadlineScope = new CancellationScope();
  let deadlinePassed = false;
  deadlineScope
    .run(() => sleep(timing.deadlineMs, { summary: 'operation deadline' }))
    .then(() => {
      deadlinePassed = true;
      work.cancel();
    })
    .catch(() => undefined);

  try {
    const ctx = { state, timing };
    const result = await work.run(() =>
      recording ? revokeAndVerify(request, ctx) : revokeAtProvider(request, ctx),
    );
    deadlineScope.cancel();
    const evidence = recording ? await record(state, { kind: 'revoked', response: result }) : undefined;
    const operation = state.revoked(evidence ? { ...result, evidence } : result);
    setSearchAttributes({ outcome: 'SUCCEEDED', subject: result.subjectId });
    return operation;
  } catch (err) {
    deadlineScope.cancel();
    if (isCancellation(err)) {
      if (deadlinePassed) {
        return failOperation(
          state,
          {
            code: Code.DEADLINE_EXCEEDED,
            message: `operation did not finish within its deadline of ${timing.deadlineMs} ms`,
            details: [],
          },
          recording,
        );
      }
      if (recording) await record(state, { kind: 'cancelled' });
      state.ended({ code: Code.CANCELLED, message: 'operation cancelled', details: [] });
      setSearchAttributes({ outcome: 'CANCELLED' });
      throw err;
    }
    // A provider call that failed for good was a call too; retried ones were counted by their signal.
    if (err instanceof ActivityFailure) state.update({ attempts: state.metadata.attempts + 1 });
    return failOperation(state, statusOf(err), recording);
  }
}
