import type { ConnectionRegistry } from '../connection-registry';

/** STUB(oauth2): replaced by the OAuth 2.0 (RFC 7009) implementation. */
export function createOAuth2Activities(_registry: ConnectionRegistry) {
  return {};
}
