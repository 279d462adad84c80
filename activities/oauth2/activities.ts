import { ApplicationFailure } from '@temporalio/common';
import { Code, scrubSecrets, type OAuth2TokenTypeHint } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import { providerFailure } from '../provider-failure';
import type { OAuth2Adapter, OAuth2RevokeResult } from './adapter';
import { oauth2Failure } from './errors';

export type { OAuth2RevokeResult } from './adapter';

export interface OAuth2RevokeInput {
  connection: string;
  /** The token to revoke; activity payloads are encrypted by the worker's codec. */
  token: string;
  tokenTypeHint?: OAuth2TokenTypeHint;
}

export function createOAuth2Activities(registry: ConnectionRegistry) {
  /** The adapter, or a non-retryable failure: a connection that cannot be built stays broken until the worker restarts. */
  function adapterFor(connection: string, secrets: string[]): OAuth2Adapter {
    try {
      return requireAdapter(registry, 'oauth2', connection);
    } catch (err) {
      if (err instanceof ApplicationFailure) throw err;
      // ConfigError names the field and file, never the value (worker/connections/oauth2.ts).
      const detail = err instanceof Error ? err.message : 'cannot be built';
      throw providerFailure({
        provider: 'oauth2',
        connection,
        code: Code.FAILED_PRECONDITION,
        reason: 'CONNECTION_MISCONFIGURED',
        message: scrubSecrets(`oauth2 connection "${connection}" is misconfigured: ${detail}`, secrets),
      });
    }
  }

  return {
    /**
     * One RFC 7009 revocation request (after discovery, when the connection uses it). Resolves on
     * HTTP 200; throws an ApplicationFailure typed by the google.rpc code otherwise.
     */
    async oauth2RevokeToken(input: OAuth2RevokeInput): Promise<OAuth2RevokeResult> {
      const adapter = adapterFor(input.connection, [input.token]);
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
