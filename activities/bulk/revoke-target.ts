import { ApplicationFailure } from '@temporalio/common';
import {
  Code,
  yandexRevokeTarget,
  type ProviderReference,
  type RevocationRequest,
  type Status,
} from '../../api';
import type { createAuthleteActivities } from '../authlete/activities';
import { AttemptLog } from '../delivery-evidence';
import type { createGoogleIdentityPlatformActivities } from '../google-identity-platform/activities';
import type { createOAuth2Activities } from '../oauth2/activities';
import type { createOpenPaymentsActivities } from '../open-payments/activities';
import type { createYandexCloudActivities } from '../yandex-cloud/activities';
import type { YandexOperationSnapshot } from '../yandex-cloud/adapter';

/** The provider activities a bulk page calls in-process, one call per target. */
export type ProviderCalls = ReturnType<typeof createYandexCloudActivities> &
  ReturnType<typeof createAuthleteActivities> &
  ReturnType<typeof createGoogleIdentityPlatformActivities> &
  ReturnType<typeof createOpenPaymentsActivities> &
  ReturnType<typeof createOAuth2Activities>;

/** A Yandex provider operation that outlived the page's wait: the workflow polls it on durable timers. */
export interface PendingOperation {
  connection: string;
  operationId: string;
  /** The target's deadline (epoch ms): not done by then, it fails DEADLINE_EXCEEDED. */
  deadlineAt: number;
  /** Whether a Revoke attempt before the one that started it may have taken effect (for a NOT_FOUND end). */
  earlierMayHaveTakenEffect: boolean;
}

export type SettledOutcome = (
  { outcome: 'succeeded' | 'alreadyRevoked' | 'notFound' } | { outcome: 'failed'; error: Status }
) & {
  /** What the provider named of what it did (its operation id, count, ids), for the evidence record. */
  reference?: ProviderReference;
};

export type TargetOutcome = SettledOutcome | { outcome: 'pending'; operation: PendingOperation };

export interface TargetOptions {
  /** In-process tries of a failing call. */
  attempts: number;
  backoffMs: number;
  /** When the target must have ended (epoch ms). */
  deadlineAt: number;
  /**
   * How long the page polls a Yandex operation in place before handing it over; undefined: poll in
   * place until done (pages of runs that predate the hand-over).
   */
  inPageWaitMs?: number;
  /**
   * The page is a retry: an earlier page attempt may have sent this target's request (its last
   * checkpoint cannot show what happened after it), so its attempt 1 counts as one that may have
   * taken effect.
   */
  pageRetried: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Nothing found to revoke: already revoked only when an earlier attempt of ours may have done it. */
function goneOutcome(log: AttemptLog): SettledOutcome {
  return { outcome: log.mayHaveTakenEffect() ? 'alreadyRevoked' : 'notFound' };
}

/** The outcome of a finished Yandex provider operation. */
export function yandexDoneOutcome(
  op: YandexOperationSnapshot,
  earlierMayHaveTakenEffect: boolean,
): SettledOutcome {
  const ids = op.refreshTokenIds ?? [];
  const reference = { operationId: op.id, ...(op.error ? {} : { count: ids.length, ids }) };
  if (op.error) {
    if (op.error.code !== Code.NOT_FOUND) return { outcome: 'failed', error: op.error, reference };
    return { outcome: earlierMayHaveTakenEffect ? 'alreadyRevoked' : 'notFound', reference };
  }
  if (ids.length > 0) return { outcome: 'succeeded', reference };
  return { outcome: earlierMayHaveTakenEffect ? 'alreadyRevoked' : 'notFound', reference };
}

/**
 * A Yandex operation not done by its target's deadline: asked to cancel, as revokeTokens does at its
 * deadline. One that finished anyway ends with its outcome; otherwise the target fails
 * DEADLINE_EXCEEDED, saying whether the provider confirmed the cancel.
 */
export async function expireYandex(
  connection: string,
  operationId: string,
  calls: ProviderCalls,
  earlierMayHaveTakenEffect: boolean,
): Promise<SettledOutcome> {
  let confirmed = false;
  try {
    const op = await calls.yandexCancelOperation({ connection, operationId });
    if (op.done && op.error?.code !== Code.CANCELLED) return yandexDoneOutcome(op, earlierMayHaveTakenEffect);
    confirmed = op.done;
  } catch {
    // Best effort: the deadline has passed either way.
  }
  const message = `provider operation ${operationId} not done by the target deadline; ${
    confirmed ? 'cancelled at the provider' : 'cancel not confirmed: it may still complete'
  }`;
  return { outcome: 'failed', error: { code: Code.DEADLINE_EXCEEDED, message, details: [] } };
}

/**
 * Polls a Yandex provider operation in place, with backoff, for at most the page's wait and never
 * past the target's deadline; one still running then is handed over (pending). Transient poll
 * failures are polled through; a permanent one fails the target.
 */
async function settleYandex(
  connection: string,
  started: YandexOperationSnapshot,
  calls: ProviderCalls,
  log: AttemptLog,
  o: TargetOptions,
): Promise<TargetOutcome> {
  const earlier = log.mayHaveTakenEffect() !== undefined;
  const handOverAt =
    o.inPageWaitMs === undefined ? Infinity : Math.min(Date.now() + o.inPageWaitMs, o.deadlineAt);
  let op = started;
  let wait = 100;
  while (!op.done) {
    if (Date.now() + wait >= handOverAt) {
      if (Date.now() + wait >= o.deadlineAt) return expireYandex(connection, op.id, calls, earlier);
      const operation = {
        connection,
        operationId: op.id,
        deadlineAt: o.deadlineAt,
        earlierMayHaveTakenEffect: earlier,
      };
      return { outcome: 'pending', operation };
    }
    await sleep(wait);
    wait = Math.min(wait * 2, 2000);
    try {
      op = await calls.yandexGetOperation({ connection, operationId: op.id });
    } catch (err) {
      const { status, retryable } = statusOf(err);
      if (!retryable) return { outcome: 'failed', error: status };
    }
  }
  return yandexDoneOutcome(op, earlier);
}

/** One provider call for one request, reduced to an outcome; throws the provider's ApplicationFailure. */
async function callOnce(
  r: RevocationRequest,
  calls: ProviderCalls,
  log: AttemptLog,
  o: TargetOptions,
): Promise<TargetOutcome> {
  switch (r.provider) {
    case 'yandex-cloud': {
      const target = yandexRevokeTarget(r);
      const op = await calls.yandexRevokeRefreshTokens({ connection: r.connection, target }, log);
      if (op.notFoundOnRetry) return { outcome: 'alreadyRevoked', reference: { operationId: op.id } };
      return settleYandex(r.connection, op, calls, log, o);
    }
    case 'authlete': {
      const { provider: _p, connection, serviceId, action, ...ids } = r;
      if (action === 'delete') {
        const input = { connection, serviceId, accessTokenIdentifier: ids.accessTokenIdentifier as string };
        const res = await calls.authleteDelete(input, log);
        if (res.notFoundOnRetry) return { outcome: 'alreadyRevoked' };
        return res.deleted ? { outcome: 'succeeded', reference: { count: 1 } } : goneOutcome(log);
      }
      const res = await calls.authleteRevoke({ connection, serviceId, ...ids }, log);
      if (res.notFoundOnRetry) return { outcome: 'alreadyRevoked' };
      return res.count > 0 ? { outcome: 'succeeded', reference: { count: res.count } } : goneOutcome(log);
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

export function statusOf(err: unknown): { status: Status; retryable: boolean; retryAfterMs?: number } {
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
 * Revokes one target by its deadline. Transient failures are retried here a few times (a page is
 * one activity, so a target cannot have an activity retry policy of its own); a target that still
 * fails is reported failed and the job goes on. A NOT_FOUND is `alreadyRevoked` only when an
 * earlier attempt of ours may have taken effect (the same evidence as a single operation's
 * notFoundOnRetry), else `notFound`. A Yandex operation still running after the page's wait is
 * returned `pending`, for the workflow to follow up.
 */
export async function revokeTarget(
  r: RevocationRequest,
  calls: ProviderCalls,
  o: TargetOptions,
): Promise<TargetOutcome & { attempts: number }> {
  const log = new AttemptLog(o.pageRetried ? 2 : 1);
  let wait = o.backoffMs;
  for (let tries = 1; ; tries++) {
    try {
      return { ...(await callOnce(r, calls, log, o)), attempts: tries };
    } catch (err) {
      const { status, retryable, retryAfterMs } = statusOf(err);
      if (status.code === Code.NOT_FOUND) return { ...goneOutcome(log), attempts: tries };
      // Providers that keep no log of their own (only Yandex and Authlete do) leave this attempt
      // unrecorded, which counts as "may have taken effect".
      const left = o.deadlineAt - Date.now();
      if (!retryable || tries >= o.attempts || left <= 0)
        return { outcome: 'failed', error: status, attempts: tries };
      await sleep(Math.min(retryAfterMs ?? wait, 30_000, left));
      wait = Math.min(wait * 2, 30_000);
      log.next();
    }
  }
}
