import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { fingerprint, type GoogleIdentityPlatformRequest } from '../../api';
import { callSummary, type ProviderContext, type ProviderResult } from './types';

/**
 * One `accounts:revokeToken` call, retried by the activity's policy until it succeeds, fails for
 * good, or the operation's deadline passes. Retrying is safe: Google ignores a repeated revocation
 * and answers 200 at once; when an earlier attempt's request may have reached Google, the response
 * says `duplicate: true` and which attempt (the activity keeps that record in its heartbeats). The Firebase ID token expires an hour after it was minted, so a retry
 * long after that fails for good with INVALID_ID_TOKEN (non-retryable) instead of looping.
 */
export async function revokeAtGoogleIdentityPlatform(
  r: GoogleIdentityPlatformRequest,
  ctx: ProviderContext,
): Promise<ProviderResult> {
  const { state, timing } = ctx;
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: timing.retryInitialMs, backoffCoefficient: 2, maximumInterval: '30s' },
  });

  state.phase('REVOKING');
  const result = await acts.googleIdentityPlatformRevokeToken.executeWithOptions(
    { summary: callSummary('google-identity-platform', `accounts:revokeToken ${r.tokenType}`, r.connection) },
    [
      {
        connection: r.connection,
        providerId: r.providerId,
        tokenType: r.tokenType,
        token: r.token,
        idToken: r.idToken,
        ...(r.tenantId !== undefined ? { tenantId: r.tenantId } : {}),
        ...(r.redirectUri !== undefined ? { redirectUri: r.redirectUri } : {}),
      },
    ],
  );
  state.callSucceeded({ httpStatus: result.httpStatus });

  return {
    provider: 'google-identity-platform',
    connection: r.connection,
    // One revocation, whichever attempt Google acted on: a repeat is ignored, not revoked twice.
    revokedCount: 1,
    providerId: r.providerId,
    tokenType: r.tokenType,
    tokenFingerprint: fingerprint(r.token),
    ...(r.tenantId !== undefined ? { tenantId: r.tenantId } : {}),
    ...(result.serviceAccount !== undefined ? { serviceAccount: result.serviceAccount } : {}),
    // Google answers a repeat as it answers a revocation; the engine knows only its own earlier request.
    ...(result.duplicate !== undefined
      ? {
          duplicate: true,
          duplicateOfAttempt: result.duplicate.attempt,
          duplicateEvidence: result.duplicate.evidence,
        }
      : {}),
  };
}
