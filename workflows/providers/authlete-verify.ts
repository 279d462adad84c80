import { proxyActivities } from '@temporalio/workflow';
import type { Activities, AuthleteVerifyInput } from '../../activities';
import { authleteSelector, type AuthleteRequest } from '../../api';
import { callSummary, type ProviderContext, type ProviderResult, type VerifyResult } from './types';

/** What the revoke selected, in Authlete's precedence (the fields Authlete ignored are not asked about). */
function verifyInput(r: AuthleteRequest): AuthleteVerifyInput {
  const base = { connection: r.connection, serviceId: r.serviceId };
  const selector = r.action === 'delete' ? 'accessToken' : authleteSelector(r);
  switch (selector) {
    case 'accessToken':
      return { ...base, accessTokenIdentifier: r.accessTokenIdentifier ?? '' };
    case 'refreshToken':
      return { ...base, refreshTokenIdentifier: r.refreshTokenIdentifier ?? '' };
    default:
      return {
        ...base,
        ...(r.clientIdentifier !== undefined ? { clientIdentifier: r.clientIdentifier } : {}),
        ...(r.subject !== undefined ? { subject: r.subject } : {}),
      };
  }
}

/**
 * Asks Authlete whether what was revoked is gone: `/auth/introspection` of the access token, or the
 * token list of the client and/or subject (nothing matching may remain). Same retry options as the
 * revoke; the activity classifies failures the same way.
 */
export async function verifyAtAuthlete(
  r: AuthleteRequest,
  _result: ProviderResult,
  ctx: ProviderContext,
): Promise<VerifyResult> {
  const { state, timing } = ctx;
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: timing.retryInitialMs, backoffCoefficient: 2, maximumInterval: '30s' },
  });
  const input = verifyInput(r);
  const call =
    input.accessTokenIdentifier !== undefined
      ? 'POST /auth/introspection (verify)'
      : 'GET /auth/token/get/list (verify)';
  const verification = await acts.authleteVerifyRevocation.executeWithOptions(
    { summary: callSummary('authlete', call, `${r.connection}, service ${r.serviceId}`) },
    [input],
  );
  // A provider call was made unless the connection switched verification off or nothing could be asked.
  if (verification.method !== 'none') state.callSucceeded();
  return verification;
}
