import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { OAuth2Request } from '../../api';
import { callSummary, type ProviderContext, type ProviderResult, type VerifyResult } from './types';

/**
 * Asks the authorization server by RFC 7662 introspection whether the revoked token still works,
 * with the revoke's retry options (the activity honours Retry-After and ends at once on permanent
 * failures). RFC 7009 answers 200 for a token it never issued, and a server that keeps the token
 * answers 200 too: only `active` tells a dead token from a live one.
 */
export async function verifyAtOAuth2(
  r: OAuth2Request,
  _result: ProviderResult,
  ctx: ProviderContext,
): Promise<VerifyResult> {
  const { state, timing } = ctx;
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '45s',
    retry: { initialInterval: timing.retryInitialMs, backoffCoefficient: 2, maximumInterval: '30s' },
  });
  const outcome = await acts.oauth2IntrospectToken.executeWithOptions(
    { summary: callSummary('oauth2', 'RFC 7662 introspection request (verify)', r.connection) },
    [
      {
        connection: r.connection,
        token: r.token,
        ...(r.tokenTypeHint !== undefined ? { tokenTypeHint: r.tokenTypeHint } : {}),
      },
    ],
  );
  // Counted as a provider call only when one was made (UNVERIFIABLE asks nothing).
  if (outcome.introspectionEndpoint !== undefined) {
    state.callSucceeded({ introspectionEndpoint: outcome.introspectionEndpoint });
  }
  return outcome.verification;
}
