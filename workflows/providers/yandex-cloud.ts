import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  CancelledFailure,
  isCancellation,
  patched,
  proxyActivities,
  sleep,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { Activities, YandexOperationSnapshot } from '../../activities';
import { Code, yandexRevokeTarget, type YandexCloudRequest } from '../../api';
import { ProviderOperationFailed } from '../failures';
import { callSummary, type ProviderContext, type ProviderResult, type Timing } from './types';

/**
 * Patch: a cancel that arrives while Revoke is in flight waits for Revoke's answer and is then
 * forwarded to the provider operation it names; Cancel's answer decides the end (a provider
 * operation that finished anyway ends with its response, marked `cancelTooLate`).
 */
const LATE_CANCEL_PATCH = 'yandex-forward-late-cancel';

/** One revocation's activities and the helpers its steps share. */
interface Steps {
  r: YandexCloudRequest;
  ctx: ProviderContext;
  acts: ActivityInterfaceFor<Activities>;
  cancelActs: ActivityInterfaceFor<Activities>;
  /** Revoke's answer is awaited through a cancel (patched runs): it names the operation to cancel. */
  revokeActs: ActivityInterfaceFor<Activities>;
  lateCancel: boolean;
  summary(call: string): string;
  mirror(op: YandexOperationSnapshot, patch?: { polls?: number }): void;
}

function steps(r: YandexCloudRequest, ctx: ProviderContext): Steps {
  const { state, timing } = ctx;
  const retry = (t: Timing) => ({
    initialInterval: t.retryInitialMs,
    backoffCoefficient: 2,
    maximumInterval: '30s',
  });
  const acts = proxyActivities<Activities>({ startToCloseTimeout: '30s', retry: retry(timing) });
  const lateCancel = patched(LATE_CANCEL_PATCH);
  return {
    r,
    ctx,
    acts,
    cancelActs: proxyActivities<Activities>({
      startToCloseTimeout: '10s',
      retry: { initialInterval: timing.retryInitialMs, maximumAttempts: 3 },
    }),
    revokeActs: lateCancel
      ? proxyActivities<Activities>({
          startToCloseTimeout: '30s',
          retry: retry(timing),
          cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        })
      : acts,
    lateCancel,
    summary: (call) => callSummary('yandex-cloud', call, r.connection),
    mirror: (op, patch = {}) =>
      state.callSucceeded({
        providerOperationId: op.id,
        ...(op.subjectId ? { subjectId: op.subjectId } : {}),
        ...(op.refreshTokenIds ? { refreshTokenIds: op.refreshTokenIds } : {}),
        ...patch,
      }),
  };
}

function resultOf(r: YandexCloudRequest, done: YandexOperationSnapshot): ProviderResult {
  return {
    provider: 'yandex-cloud',
    connection: r.connection,
    revokedCount: done.refreshTokenIds?.length ?? 0,
    refreshTokenIds: done.refreshTokenIds ?? [],
    ...(done.subjectId ? { subjectId: done.subjectId } : {}),
    providerOperationId: done.id,
  };
}

/** OperationService.Cancel, best effort: its answer, or undefined when it could not be asked. */
function cancelAtProvider(s: Steps, operationId: string): Promise<YandexOperationSnapshot | undefined> {
  s.ctx.state.phase('CANCELLING');
  return CancellationScope.nonCancellable(() =>
    s.cancelActs.yandexCancelOperation
      .executeWithOptions({ summary: s.summary('OperationService.Cancel') }, [
        { connection: s.r.connection, operationId },
      ])
      .catch(() => undefined),
  );
}

/**
 * The end after a cancel: what the provider answered, not what was asked (AIP-151, best effort).
 * An operation that finished first ends with its response or its own error; otherwise cancelled.
 */
function afterCancel(s: Steps, answer: YandexOperationSnapshot | undefined, cancel: unknown): ProviderResult {
  if (!answer?.done || answer.error?.code === Code.CANCELLED) throw cancel;
  if (answer.error) throw new ProviderOperationFailed(answer.error);
  s.ctx.state.update({ cancelTooLate: true });
  return {
    ...resultOf(s.r, answer),
    cancelTooLate: true,
    note: 'a cancel (or the deadline) reached the provider after its operation had finished: the tokens are revoked',
  };
}

/** RefreshTokenService.Revoke. In patched runs a cancel waits for its answer instead of dropping it. */
async function revoke(s: Steps): Promise<YandexOperationSnapshot> {
  try {
    return await s.revokeActs.yandexRevokeRefreshTokens.executeWithOptions(
      { summary: s.summary('RefreshTokenService.Revoke') },
      [{ connection: s.r.connection, target: yandexRevokeTarget(s.r) }],
    );
  } catch (err) {
    // A cancel stops the retries of a Revoke that failed: the server ends it with CANCEL_REQUESTED.
    if (s.lateCancel && err instanceof ActivityFailure && err.retryState === 'CANCEL_REQUESTED') {
      throw new CancelledFailure('operation cancelled', [], err);
    }
    throw err;
  }
}

/** Polls on durable timers until done; a cancel meanwhile is forwarded and its answer decides. */
async function pollUntilDone(s: Steps, started: YandexOperationSnapshot): Promise<ProviderResult> {
  const { state, timing } = s.ctx;
  let op = started;
  let interval = timing.pollInitialMs;
  try {
    while (!op.done) {
      state.phase('POLLING');
      const poll = state.metadata.polls + 1;
      state.waitingForPoll(poll, interval);
      await sleep(interval, { summary: `wait before poll ${poll} of provider operation ${op.id}` });
      interval = Math.min(interval * 2, timing.pollMaxMs);
      op = await s.acts.yandexGetOperation.executeWithOptions(
        { summary: s.summary(`OperationService.Get #${poll}`) },
        [{ connection: s.r.connection, operationId: op.id }],
      );
      s.mirror(op, { polls: state.metadata.polls + 1 });
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    const answer = await cancelAtProvider(s, op.id);
    if (!s.lateCancel) throw err;
    if (answer) s.mirror(answer);
    return afterCancel(s, answer, err);
  }
  if (op.error) throw new ProviderOperationFailed(op.error);
  return resultOf(s.r, op);
}

/**
 * Revoke, then poll the provider's operation on durable timers (capped doubling backoff) until it
 * is done. A cancellation while Revoke is in flight or the provider operation runs asks the
 * provider to cancel it too, and ends with what the provider answered.
 */
export async function revokeAtYandexCloud(
  r: YandexCloudRequest,
  ctx: ProviderContext,
): Promise<ProviderResult> {
  const s = steps(r, ctx);
  const scope = CancellationScope.current();

  ctx.state.phase('REVOKING');
  const op = await revoke(s);
  if (op.notFoundOnRetry) {
    return {
      provider: 'yandex-cloud',
      connection: r.connection,
      revokedCount: 0,
      refreshTokenIds: [],
      notFoundOnRetry: true,
      ...(op.mayHaveRevokedOnAttempt !== undefined
        ? { mayHaveRevokedOnAttempt: op.mayHaveRevokedOnAttempt }
        : {}),
      note: op.note ?? 'the token was gone on a retry: an earlier attempt revoked it and its reply was lost',
    };
  }
  s.mirror(op);
  if (s.lateCancel && scope.consideredCancelled) {
    // The cancel came while Revoke was in flight; now that the operation has an id, forward it.
    let answer: YandexOperationSnapshot | undefined = op;
    if (!op.done) {
      answer = await cancelAtProvider(s, op.id);
      if (answer) s.mirror(answer);
    }
    return afterCancel(s, answer, new CancelledFailure('operation cancelled'));
  }
  return pollUntilDone(s, op);
}
