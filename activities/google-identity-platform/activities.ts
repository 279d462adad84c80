import type { ConnectionRegistry } from '../connection-registry';

/** STUB(google-identity-platform): replaced by the Google Identity Platform implementation. */
export function createGoogleIdentityPlatformActivities(_registry: ConnectionRegistry) {
  return {};
}
