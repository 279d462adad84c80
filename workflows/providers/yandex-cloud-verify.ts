import { ActivityFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities, YandexVerifyInput } from '../../activities';
import { yandexRevokeTarget, type YandexCloudRequest } from '../../api';
import { callSummary, type ProviderContext, type ProviderResult, type VerifyResult } from './types';

/**
 * Lists the subject's refresh tokens once the revoke's operation is done (RefreshTokenService.List,
 * every page): none of the ids the operation names may remain, and after a filter revoke no token
 * matching the filter. Same retry options as the revoke's calls.
 *
 * A cancel (or the deadline) that came after the provider had finished leaves the operation ending
 * with its response (`cancelTooLate`) in a cancelled scope: the check then runs outside it, with the
 * bounded retries of the provider Cancel call, and a failure there is UNVERIFIABLE, not a failed
 * revocation.
 */
export async function verifyAtYandexCloud(
  r: YandexCloudRequest,
  result: ProviderResult,
  ctx: ProviderContext,
): Promise<VerifyResult> {
  const { state, timing } = ctx;
  const input: YandexVerifyInput = {
    connection: r.connection,
    target: yandexRevokeTarget(r),
    ...(result.subjectId ? { subjectId: result.subjectId } : {}),
    refreshTokenIds: result.refreshTokenIds ?? [],
    // Workflow time: deterministic, and after the revoke's operation finished.
    createdBefore: new Date().toISOString(),
  };
  const summary = { summary: callSummary('yandex-cloud', 'RefreshTokenService.List (verify)', r.connection) };
  let verification: VerifyResult;
  if (!CancellationScope.current().consideredCancelled) {
    const acts = proxyActivities<Activities>({
      startToCloseTimeout: '30s',
      retry: { initialInterval: timing.retryInitialMs, backoffCoefficient: 2, maximumInterval: '30s' },
    });
    verification = await acts.yandexVerifyRevocation.executeWithOptions(summary, [input]);
  } else {
    const acts = proxyActivities<Activities>({
      startToCloseTimeout: '10s',
      retry: { initialInterval: timing.retryInitialMs, maximumAttempts: 3 },
    });
    try {
      verification = await CancellationScope.nonCancellable(() =>
        acts.yandexVerifyRevocation.executeWithOptions(summary, [input]),
      );
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      return {
        state: 'UNVERIFIABLE',
        method: 'none',
        checkedAt: new Date().toISOString(),
        detail: `the operation was cancelled after the provider had finished, and RefreshTokenService.List failed: ${err.cause?.message ?? err.message}`,
      };
    }
  }
  if (verification.method !== 'none') state.callSucceeded();
  return verification;
}
