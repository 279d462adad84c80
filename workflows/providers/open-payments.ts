import { proxyActivities } from '@temporalio/workflow';
import type { Activities, OpenPaymentsDeleteOutcome } from '../../activities';
import { fingerprint, type OpenPaymentsRequest } from '../../api';
import { callSummary, type ProviderContext, type ProviderResult } from './types';

function note(outcome: OpenPaymentsDeleteOutcome, what: string): Record<string, unknown> {
  if (!outcome.alreadyRevoked) return {};
  return {
    note:
      `the auth server answered ${outcome.httpStatus} on attempt ${outcome.attempt}: it no longer holds an active ${what}; ` +
      'an earlier attempt revoked it and its response was lost' +
      (outcome.keyPublicationChecked
        ? ' (our key is published in the client JWKS, so it was not a signature failure)'
        : ''),
  };
}

/**
 * One signed DELETE at the auth server. Temporal owns the retries (unlimited attempts, bounded by
 * the operation deadline); the activity signs each attempt afresh and honours Retry-After.
 */
export async function revokeAtOpenPayments(
  r: OpenPaymentsRequest,
  ctx: ProviderContext,
): Promise<ProviderResult> {
  const { state, timing } = ctx;
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '60s',
    retry: { initialInterval: timing.retryInitialMs, backoffCoefficient: 2, maximumInterval: '30s' },
  });
  state.phase('REVOKING');

  if (r.action === 'revokeToken') {
    const outcome = await acts.openPaymentsRevokeToken.executeWithOptions(
      { summary: callSummary('open-payments', 'DELETE manage URL', r.connection) },
      [{ connection: r.connection, manageUrl: r.manageUrl, accessToken: r.accessToken }],
    );
    state.callSucceeded();
    return {
      provider: 'open-payments',
      connection: r.connection,
      revokedCount: 1,
      action: 'revokeToken',
      manageUrl: r.manageUrl,
      accessTokenFingerprint: fingerprint(r.accessToken),
      alreadyRevoked: outcome.alreadyRevoked,
      httpStatus: outcome.httpStatus,
      ...note(outcome, 'token at this manage URL'),
    };
  }

  const outcome = await acts.openPaymentsCancelGrant.executeWithOptions(
    { summary: callSummary('open-payments', 'DELETE continue URI (cancel grant)', r.connection) },
    [{ connection: r.connection, continueUri: r.continueUri, continueToken: r.continueToken }],
  );
  state.callSucceeded();
  return {
    provider: 'open-payments',
    connection: r.connection,
    // One grant; the auth server revokes its tokens too but does not say how many.
    revokedCount: 1,
    action: 'cancelGrant',
    continueUri: r.continueUri,
    continueTokenFingerprint: fingerprint(r.continueToken),
    grantCanceled: true,
    alreadyRevoked: outcome.alreadyRevoked,
    httpStatus: outcome.httpStatus,
    ...note(outcome, 'grant at this continue URI'),
  };
}
