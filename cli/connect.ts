import { RevocationClient } from '../client/revocation-client';

export { TemporalUnreachableError } from '../client/errors';

/** The CLI's client: everything from the environment (see `RevocationClient.connect`). */
export function connectClient(env: NodeJS.ProcessEnv): Promise<RevocationClient> {
  return RevocationClient.connect({ env });
}
