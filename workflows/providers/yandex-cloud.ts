import { CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities, YandexOperationSnapshot } from '../../activities';
import { yandexRevokeTarget, type YandexCloudRequest } from '../../api';
import { ProviderOperationFailed } from '../failures';
import { callSummary, type ProviderContext, type ProviderResult } from './types';

/**
 * Revoke, then poll the provider's operation on durable timers (capped doubling backoff) until it
 * is done. A cancellation while the provider operation runs asks the provider to cancel it too.
 */
export async function revokeAtYandexCloud(
  r: YandexCloudRequest,
  ctx: ProviderContext,
): Promise<ProviderResult> {
  const { state, timing } = ctx;
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: timing.retryInitialMs, backoffCoefficient: 2, maximumInterval: '30s' },
  });
  const cancelActs = proxyActivities<Activities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: timing.retryInitialMs, maximumAttempts: 3 },
  });

  const summary = (call: string) => callSummary('yandex-cloud', call, r.connection);
  const mirror = (op: YandexOperationSnapshot, patch: { polls?: number } = {}) =>
    state.callSucceeded({
      providerOperationId: op.id,
      ...(op.subjectId ? { subjectId: op.subjectId } : {}),
      ...(op.refreshTokenIds ? { refreshTokenIds: op.refreshTokenIds } : {}),
      ...patch,
    });

  state.phase('REVOKING');
  let op = await acts.yandexRevokeRefreshTokens.executeWithOptions(
    { summary: summary('RefreshTokenService.Revoke') },
    [{ connection: r.connection, target: yandexRevokeTarget(r) }],
  );
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
  mirror(op);

  let interval = timing.pollInitialMs;
  try {
    while (!op.done) {
      state.phase('POLLING');
      const poll = state.metadata.polls + 1;
      state.waitingForPoll(poll, interval);
      await sleep(interval, { summary: `wait before poll ${poll} of provider operation ${op.id}` });
      interval = Math.min(interval * 2, timing.pollMaxMs);
      op = await acts.yandexGetOperation.executeWithOptions(
        { summary: summary(`OperationService.Get #${poll}`) },
        [{ connection: r.connection, operationId: op.id }],
      );
      mirror(op, { polls: state.metadata.polls + 1 });
    }
  } catch (err) {
    if (isCancellation(err)) {
      state.phase('CANCELLING');
      const operationId = op.id;
      await CancellationScope.nonCancellable(() =>
        cancelActs.yandexCancelOperation
          .executeWithOptions({ summary: summary('OperationService.Cancel') }, [
            { connection: r.connection, operationId },
          ])
          .catch(() => undefined),
      );
    }
    throw err;
  }

  if (op.error) throw new ProviderOperationFailed(op.error);
  return {
    provider: 'yandex-cloud',
    connection: r.connection,
    revokedCount: op.refreshTokenIds?.length ?? 0,
    refreshTokenIds: op.refreshTokenIds ?? [],
    ...(op.subjectId ? { subjectId: op.subjectId } : {}),
    providerOperationId: op.id,
  };
}
