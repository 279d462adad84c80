import type { GoogleIdentityPlatformRequest } from '../../api';
import type { ProviderContext, ProviderResult, VerifyResult } from './types';

/** Why a Google Identity Platform revocation is never VERIFIED (docs/providers/google-identity-platform.md). */
export const GOOGLE_UNVERIFIABLE_DETAIL =
  'Google has no way to ask: accounts:revokeToken has no read-back (it answers {} to a revocation and to an ignored repeat alike), and Google documents no API that tells whether a revoked token still works';

/**
 * Never pretends: there is nothing to ask, so no activity runs and no provider call is made. The
 * time is the workflow's (deterministic), the moment the engine concluded it.
 */
export function verifyAtGoogleIdentityPlatform(
  _r: GoogleIdentityPlatformRequest,
  _result: ProviderResult,
  _ctx: ProviderContext,
): Promise<VerifyResult> {
  return Promise.resolve({
    state: 'UNVERIFIABLE',
    method: 'none',
    checkedAt: new Date().toISOString(),
    detail: GOOGLE_UNVERIFIABLE_DETAIL,
  });
}
