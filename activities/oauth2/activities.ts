import type { OAuth2TokenTypeHint, Verification } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import type { OAuth2IntrospectResult, OAuth2RevokeResult } from './adapter';
import { oauth2Failure } from './errors';

export type { OAuth2IntrospectResult, OAuth2RevokeResult } from './adapter';

export interface OAuth2RevokeInput {
  connection: string;
  /** The token to revoke; activity payloads are encrypted by the worker's codec. */
  token: string;
  tokenTypeHint?: OAuth2TokenTypeHint;
}

/** The method every oauth2 verification names. */
export const OAUTH2_VERIFY_METHOD = 'RFC 7662 token introspection';

/** The detail of an UNVERIFIABLE verification on a connection with `verify: false` (every provider). */
export { VERIFY_OFF_DETAIL } from '../../api/verification';
import { VERIFY_OFF_DETAIL } from '../../api/verification';

/** What `oauth2IntrospectToken` reports: the verification, and where it asked (no secrets). */
export interface OAuth2IntrospectOutcome {
  verification: Verification;
  introspectionEndpoint?: string;
}

function describeActive(claims: Extract<OAuth2IntrospectResult, { active: boolean }>['claims']): string {
  const parts = [
    claims.token_type !== undefined ? `token_type ${claims.token_type}` : undefined,
    claims.client_id !== undefined ? `client_id ${claims.client_id}` : undefined,
    claims.exp !== undefined ? `exp ${new Date(claims.exp * 1000).toISOString()}` : undefined,
  ].filter((p) => p !== undefined);
  return parts.length > 0 ? `active: true (${parts.join(', ')})` : 'active: true';
}

/** The Verification for what the adapter found; checkedAt is when the answer arrived. */
export function oauth2Verification(result: OAuth2IntrospectResult, checkedAt: Date): OAuth2IntrospectOutcome {
  const at = checkedAt.toISOString();
  if ('skipped' in result) {
    const detail =
      result.skipped === 'verify-off'
        ? VERIFY_OFF_DETAIL
        : result.discovery
          ? `the authorization server's metadata (${result.discovery} discovery) has no introspection_endpoint and the connection configures no introspectionEndpoint`
          : 'no introspection endpoint: the connection configures no introspectionEndpoint (and does not use discovery)';
    return { verification: { state: 'UNVERIFIABLE', method: 'none', checkedAt: at, detail } };
  }
  return {
    introspectionEndpoint: result.introspectionEndpoint,
    verification: {
      state: result.active ? 'STILL_ACTIVE' : 'VERIFIED',
      method: OAUTH2_VERIFY_METHOD,
      checkedAt: at,
      detail: result.active ? describeActive(result.claims) : 'active: false',
    },
  };
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

    /**
     * Whether a revoked token still works: one RFC 7662 introspection request with the revocation's
     * client authentication. VERIFIED on `active: false`, STILL_ACTIVE on `active: true`,
     * UNVERIFIABLE (no request) when the connection has `verify: false` or no introspection
     * endpoint. Failures are classified as the revoke's are (Retry-After, permanent 4xx).
     */
    async oauth2IntrospectToken(input: OAuth2RevokeInput): Promise<OAuth2IntrospectOutcome> {
      const adapter = requireAdapter(registry, 'oauth2', input.connection);
      try {
        const result = await adapter.introspect(input.token, input.tokenTypeHint);
        return oauth2Verification(result, new Date());
      } catch (err) {
        throw await oauth2Failure(err, {
          connection: input.connection,
          secrets: [input.token, ...adapter.secrets()],
        });
      }
    },
  };
}
