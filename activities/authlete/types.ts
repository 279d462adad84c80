import type { AuthleteOperationName as TokenManagementOperation } from '../../api/authlete-types';

/** The wire shapes live in the contract (api/authlete-types.ts), so the client library shares them. */
export type * from '../../api/authlete-types';

/** The token management operations, and `introspection`, which only verification calls. */
export type AuthleteOperationName = TokenManagementOperation | 'introspection';

/** `action` of `/auth/introspection` (authlete-openapi.yaml, introspection_response). */
export type AuthleteIntrospectionAction =
  'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'OK';

/** What the engine reads of an `/auth/introspection` answer (never the token). */
export interface AuthleteIntrospection {
  action: AuthleteIntrospectionAction;
  resultCode: string;
  /** Scrubbed of the connection's bearer token (not of the introspected token). */
  resultMessage: string;
  /** The access token exists (expired or not). */
  existent: boolean;
  /** It exists and has not expired. */
  usable: boolean;
  /** Its refresh token can still mint access tokens. */
  refreshable: boolean;
}
