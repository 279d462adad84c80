import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import type { GoogleRevokeTokenRequest, GoogleRevokeTokenResult } from './adapter';
import { googleIdentityPlatformFailure } from './errors';

/** The activity's input; `token` and `idToken` reach history only through the payload codec. */
export interface GoogleIdentityPlatformRevokeInput extends GoogleRevokeTokenRequest {
  connection: string;
}

export function createGoogleIdentityPlatformActivities(registry: ConnectionRegistry) {
  return {
    /** Identity Toolkit v2 `accounts:revokeToken`, one attempt; failures are classified for the retry policy. */
    async googleIdentityPlatformRevokeToken(
      input: GoogleIdentityPlatformRevokeInput,
    ): Promise<GoogleRevokeTokenResult> {
      const { connection, ...req } = input;
      const adapter = requireAdapter(registry, 'google-identity-platform', connection);
      try {
        return await adapter.revokeToken(req);
      } catch (err) {
        throw googleIdentityPlatformFailure(err, {
          connection,
          scrub: adapter.scrubber([req.token, req.idToken]),
        });
      }
    },
  };
}
