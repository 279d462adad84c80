import type { ConnectionRegistry } from '../connection-registry';

/** STUB(authlete): replaced by the Authlete implementation. */
export function createAuthleteActivities(_registry: ConnectionRegistry) {
  return {};
}
