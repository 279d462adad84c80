import type { OAuth2TokenTypeHint } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import type { OAuth2RevokeResult } from './adapter';
import { oauth2Failure } from './errors';

export type { OAuth2RevokeResult } from './adapter';

export interface OAuth2RevokeInput {
  connection: string;
  /** The token to revoke; activity payloads are encrypted by the worker's codec. */
  token: string;
  tokenTypeHint?: OAuth2TokenTypeHint;
}

export function createOAuth2Activities(registry: ConnectionRegistry) {
  return {
    /**
     * One RFC 7009 revocation request (after discovery, when the connection uses it). Resolves on
     * HTTP 200; throws an ApplicationFailure typed by the google.rpc code otherwise.
     */
    async oauth2RevokeToken(input: OAuth2RevokeInput): Promise<OAuth2RevokeResult> {
      const adapter = requireAdapter(registry, 'oauth2', input.connection);
      try {
        return await adapter.revoke(input.token, input.tokenTypeHint);
      } catch (err) {
        throw await oauth2Failure(err, {
          connection: input.connection,
          secrets: [input.token, ...adapter.secrets()],
        });
      }
    },
  };
}
