import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { OpenPaymentsRequest } from '../../api';
import { callSummary, type ProviderContext, type ProviderResult, type VerifyResult } from './types';

/** Why a cancelled grant is UNVERIFIABLE: said once, here. */
export const CANCEL_GRANT_UNVERIFIABLE =
  'a cancelled grant cannot be checked: GNAP introspection (RFC 9767) asks about an access token, ' +
  "and a cancelGrant request names only the grant's continue URI and continue token, not its access tokens";

/**
 * Asks the auth server by GNAP token introspection (RFC 9767, the endpoint resource servers use)
 * whether the revoked access token still works, with the revoke's retry options. A cancelled grant
 * is UNVERIFIABLE (CANCEL_GRANT_UNVERIFIABLE) without a call.
 */
export async function verifyAtOpenPayments(
  r: OpenPaymentsRequest,
  _result: ProviderResult,
  ctx: ProviderContext,
): Promise<VerifyResult> {
  if (r.action !== 'revokeToken') {
    return {
      state: 'UNVERIFIABLE',
      method: 'none',
      checkedAt: new Date().toISOString(),
      detail: CANCEL_GRANT_UNVERIFIABLE,
    };
  }
  const { state, timing } = ctx;
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '60s',
    retry: { initialInterval: timing.retryInitialMs, backoffCoefficient: 2, maximumInterval: '30s' },
  });
  const outcome = await acts.openPaymentsIntrospectToken.executeWithOptions(
    { summary: callSummary('open-payments', 'GNAP token introspection (verify)', r.connection) },
    [{ connection: r.connection, accessToken: r.accessToken }],
  );
  // Counted as a provider call only when one was made (UNVERIFIABLE asks nothing).
  if (outcome.introspectionEndpoint !== undefined) {
    state.callSucceeded({ introspectionEndpoint: outcome.introspectionEndpoint });
  }
  return outcome.verification;
}
