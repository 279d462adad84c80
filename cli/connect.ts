import { hostname, userInfo } from 'node:os';
import { RevocationClient } from '../client/revocation-client';

export { TemporalUnreachableError } from '../client/errors';

/** Who runs the CLI, recorded as `createdBy` unless --created-by names someone: user@host. */
export function cliIdentity(env: NodeJS.ProcessEnv): string {
  let user = env.USER || env.USERNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      // No passwd entry (some containers): the host still says where it came from.
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}

/** The CLI's client: everything from the environment (see `RevocationClient.connect`). */
export function connectClient(env: NodeJS.ProcessEnv): Promise<RevocationClient> {
  return RevocationClient.connect({ env, createdBy: cliIdentity(env) });
}
