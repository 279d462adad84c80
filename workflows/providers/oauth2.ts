import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { fingerprint, type OAuth2Request } from '../../api';
import { callSummary, type ProviderContext, type ProviderResult } from './types';

/**
 * One RFC 7009 revocation request, retried by the activity's policy: transient failures (5xx,
 * 429, network) back off, or wait as long as the server's Retry-After asked (nextRetryDelay);
 * permanent ones (400, 401, 403, invalid_client, unsupported_token_type) end the operation at once.
 *
 * RFC 7009 §2.2 answers 200 for a token the server does not know, so the response says
 * `revoked: true` in the only sense the protocol allows: the server no longer accepts the token. It
 * does not claim that the token existed.
 */
export async function revokeAtOAuth2(r: OAuth2Request, ctx: ProviderContext): Promise<ProviderResult> {
  const { state, timing } = ctx;
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '45s',
    retry: { initialInterval: timing.retryInitialMs, backoffCoefficient: 2, maximumInterval: '30s' },
  });
  const tokenFingerprint = fingerprint(r.token);

  state.phase('REVOKING');
  const result = await acts.oauth2RevokeToken.executeWithOptions(
    { summary: callSummary('oauth2', 'RFC 7009 revocation request', r.connection) },
    [
      {
        connection: r.connection,
        token: r.token,
        ...(r.tokenTypeHint !== undefined ? { tokenTypeHint: r.tokenTypeHint } : {}),
      },
    ],
  );
  state.callSucceeded({
    tokenFingerprint,
    revocationEndpoint: result.revocationEndpoint,
    clientAuthMethod: result.clientAuthMethod,
  });

  return {
    provider: 'oauth2',
    connection: r.connection,
    revokedCount: 1,
    revoked: true,
    tokenTypeHint: r.tokenTypeHint ?? null,
    tokenFingerprint,
    revocationEndpoint: result.revocationEndpoint,
    clientAuthMethod: result.clientAuthMethod,
    ...(result.discovery ? { discovery: result.discovery, issuer: result.issuer } : {}),
  };
}
