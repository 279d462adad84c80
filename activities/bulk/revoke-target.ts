import { ApplicationFailure } from '@temporalio/common';
import { Code, yandexRevokeTarget, type RevocationRequest, type Status } from '../../api';
import type { createAuthleteActivities } from '../authlete/activities';
import type { createGoogleIdentityPlatformActivities } from '../google-identity-platform/activities';
import type { createOAuth2Activities } from '../oauth2/activities';
import type { createOpenPaymentsActivities } from '../open-payments/activities';
import type { createYandexCloudActivities } from '../yandex-cloud/activities';

/** The provider activities a bulk page calls in-process, one call per target. */
export type ProviderCalls = ReturnType<typeof createYandexCloudActivities> &
  ReturnType<typeof createAuthleteActivities> &
  ReturnType<typeof createGoogleIdentityPlatformActivities> &
  ReturnType<typeof createOpenPaymentsActivities> &
  ReturnType<typeof createOAuth2Activities>;

export type TargetOutcome =
  { outcome: 'succeeded' | 'alreadyRevoked' } | { outcome: 'failed'; error: Status };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One provider call for one request, reduced to an outcome; throws the provider's ApplicationFailure. */
async function callOnce(r: RevocationRequest, calls: ProviderCalls): Promise<TargetOutcome> {
  switch (r.provider) {
    case 'yandex-cloud': {
      let op = await calls.yandexRevokeRefreshTokens({
        connection: r.connection,
        target: yandexRevokeTarget(r),
      });
      let wait = 100;
      // Yandex answers with an operation; a bulk page polls it in place, briefly, with backoff.
      while (!op.done) {
        await sleep(wait);
        wait = Math.min(wait * 2, 2000);
        op = await calls.yandexGetOperation({ connection: r.connection, operationId: op.id });
      }
      if (op.error)
        return op.error.code === Code.NOT_FOUND
          ? { outcome: 'alreadyRevoked' }
          : { outcome: 'failed', error: op.error };
      return { outcome: 'succeeded' };
    }
    case 'authlete': {
      const { provider: _p, connection, serviceId, action, ...ids } = r;
      if (action === 'delete') {
        const res = await calls.authleteDelete({
          connection,
          serviceId,
          accessTokenIdentifier: ids.accessTokenIdentifier as string,
        });
        return { outcome: res.deleted && !res.notFoundOnRetry ? 'succeeded' : 'alreadyRevoked' };
      }
      const res = await calls.authleteRevoke({ connection, serviceId, ...ids });
      return { outcome: res.count > 0 ? 'succeeded' : 'alreadyRevoked' };
    }
    case 'google-identity-platform': {
      const { provider: _p, ...rest } = r;
      await calls.googleIdentityPlatformRevokeToken(
        rest as Parameters<ProviderCalls['googleIdentityPlatformRevokeToken']>[0],
      );
      return { outcome: 'succeeded' };
    }
    case 'open-payments': {
      const res =
        r.action === 'cancelGrant'
          ? await calls.openPaymentsCancelGrant({
              connection: r.connection,
              continueUri: r.continueUri,
              continueToken: r.continueToken,
            })
          : await calls.openPaymentsRevokeToken({
              connection: r.connection,
              manageUrl: r.manageUrl,
              accessToken: r.accessToken,
            });
      return {
        outcome: (res as { alreadyRevoked?: boolean }).alreadyRevoked ? 'alreadyRevoked' : 'succeeded',
      };
    }
    case 'oauth2':
      await calls.oauth2RevokeToken({
        connection: r.connection,
        token: r.token,
        ...(r.tokenTypeHint ? { tokenTypeHint: r.tokenTypeHint } : {}),
      });
      return { outcome: 'succeeded' };
  }
}

function statusOf(err: unknown): { status: Status; retryable: boolean; retryAfterMs?: number } {
  if (err instanceof ApplicationFailure) {
    const detail = err.details?.[0] as Status | undefined;
    const status =
      detail && typeof detail.code === 'number'
        ? detail
        : { code: Code.UNKNOWN, message: err.message, details: [] };
    const delay = err.nextRetryDelay;
    return {
      status,
      retryable: !err.nonRetryable,
      ...(typeof delay === 'number' ? { retryAfterMs: delay } : {}),
    };
  }
  return {
    status: { code: Code.UNKNOWN, message: 'provider call failed unexpectedly', details: [] },
    retryable: true,
  };
}

/**
 * Revokes one target. Transient failures are retried here a few times (a page is one activity, so
 * a target cannot have an activity retry policy of its own); a target that still fails is reported
 * failed and the job goes on. NOT_FOUND means nothing is left to revoke.
 */
export async function revokeTarget(
  r: RevocationRequest,
  calls: ProviderCalls,
  options: { attempts: number; backoffMs: number },
): Promise<TargetOutcome> {
  let wait = options.backoffMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(r, calls);
    } catch (err) {
      const { status, retryable, retryAfterMs } = statusOf(err);
      if (status.code === Code.NOT_FOUND) return { outcome: 'alreadyRevoked' };
      if (!retryable || attempt >= options.attempts) return { outcome: 'failed', error: status };
      await sleep(Math.min(retryAfterMs ?? wait, 30_000));
      wait = Math.min(wait * 2, 30_000);
    }
  }
}
