import { ApplicationFailure } from '@temporalio/common';
import { Code } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import { providerFailure } from '../provider-failure';
import type {
  GoogleIdentityPlatformAdapter,
  GoogleRevokeTokenRequest,
  GoogleRevokeTokenResult,
} from './adapter';
import { googleIdentityPlatformFailure } from './errors';

/** The activity's input; `token` and `idToken` reach history only through the payload codec. */
export interface GoogleIdentityPlatformRevokeInput extends GoogleRevokeTokenRequest {
  connection: string;
}

/**
 * Adapters are built on first use, so a connection whose key file or variable is missing fails
 * here. That does not heal by retrying: non-retryable FAILED_PRECONDITION naming the config field.
 */
function adapterFor(registry: ConnectionRegistry, connection: string): GoogleIdentityPlatformAdapter {
  try {
    return requireAdapter(registry, 'google-identity-platform', connection);
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    const why = err instanceof Error && err.name === 'ConfigError' ? `: ${err.message}` : '';
    throw providerFailure({
      provider: 'google-identity-platform',
      connection,
      code: Code.FAILED_PRECONDITION,
      reason: 'CONNECTION_MISCONFIGURED',
      message: `connection "${connection}" of google-identity-platform cannot be used${why}`,
    });
  }
}

export function createGoogleIdentityPlatformActivities(registry: ConnectionRegistry) {
  return {
    /** Identity Toolkit v2 `accounts:revokeToken`, one attempt; failures are classified for the retry policy. */
    async googleIdentityPlatformRevokeToken(
      input: GoogleIdentityPlatformRevokeInput,
    ): Promise<GoogleRevokeTokenResult> {
      const { connection, ...req } = input;
      const adapter = adapterFor(registry, connection);
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
