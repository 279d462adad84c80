/**
 * Authlete v3 token management, wire shapes (authlete-openapi.yaml: token_get_list_response,
 * token_create_request/response, token_update_request/response, token_revoke_request/response,
 * idtoken_reissue_request/response). Field names are Authlete's own.
 */

/** `{resultCode, resultMessage}`: every Authlete answer carries it; error bodies are only this. */
export interface AuthleteResult {
  resultCode: string;
  resultMessage: string;
}

export type AuthleteGrantType =
  | 'AUTHORIZATION_CODE'
  | 'IMPLICIT'
  | 'PASSWORD'
  | 'CLIENT_CREDENTIALS'
  | 'REFRESH_TOKEN'
  | 'CIBA'
  | 'DEVICE_CODE'
  | 'TOKEN_EXCHANGE'
  | 'JWT_BEARER'
  | 'PRE_AUTHORIZED_CODE';

export interface AuthleteProperty {
  key: string;
  value: string;
  hidden?: boolean;
}

/** One entry of the token list: hashes only, never token values. */
export interface AuthleteAccessToken {
  accessTokenHash: string;
  accessTokenExpiresAt?: number;
  refreshTokenHash?: string;
  refreshTokenExpiresAt?: number;
  createdAt?: number;
  lastRefreshedAt?: number;
  clientId?: number;
  subject?: string;
  grantType?: string;
  scopes?: string[];
  properties?: AuthleteProperty[];
  refreshTokenScopes?: string[];
}

/** `VALID` (unexpired), `INVALID` (expired) or `ALL`; sent by authlete-java-common ≥ 3.97, not in the spec. */
export type AuthleteTokenStatus = 'VALID' | 'INVALID' | 'ALL';

export interface AuthleteListQuery {
  /** Client ID or client ID alias. */
  clientIdentifier?: string;
  subject?: string;
  /** Inclusive start index. Authlete's default is 0. */
  start?: number;
  /** Exclusive end index. Authlete's default is 5. */
  end?: number;
  tokenStatus?: AuthleteTokenStatus;
}

export interface AuthleteClientLimited {
  clientId?: number;
  clientIdAlias?: string;
  clientIdAliasEnabled?: boolean;
  clientName?: string;
  clientType?: string;
  number?: number;
  [field: string]: unknown;
}

export interface AuthleteTokenList {
  start: number;
  end: number;
  totalCount: number;
  client?: AuthleteClientLimited;
  subject?: string;
  accessTokens: AuthleteAccessToken[];
}

export interface AuthleteTokenCreateRequest {
  grantType: AuthleteGrantType;
  clientId?: number;
  subject?: string;
  scopes?: string[];
  /** Seconds; 0 means the service's setting. */
  accessTokenDuration?: number;
  refreshTokenDuration?: number;
  properties?: AuthleteProperty[];
  clientIdAliasUsed?: boolean;
  /** A value to import instead of a generated one (a secret). */
  accessToken?: string;
  refreshToken?: string;
  accessTokenPersistent?: boolean;
  certificateThumbprint?: string;
  dpopKeyThumbprint?: string;
  resources?: string[];
  forExternalAttachment?: boolean;
  jwtAtClaims?: string;
  acr?: string;
  authTime?: number;
  clientEntityIdUsed?: boolean;
  clientIdentifier?: string;
  sessionId?: string;
  metadataDocumentUsed?: boolean;
  authorizationDetails?: unknown;
}

export type AuthleteCreateAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'FORBIDDEN' | 'OK';

export interface AuthleteTokenCreateResponse extends AuthleteResult {
  action: AuthleteCreateAction;
  accessToken?: string;
  clientId?: number;
  /** Milliseconds since the epoch. */
  expiresAt?: number;
  /** Seconds. */
  expiresIn?: number;
  grantType?: string;
  properties?: AuthleteProperty[];
  refreshToken?: string;
  scopes?: string[];
  subject?: string;
  tokenType?: string;
  jwtAccessToken?: string;
  tokenId?: string;
  refreshTokenScopes?: string[];
  clientIdentifier?: string;
  sessionId?: string;
  [field: string]: unknown;
}

export interface AuthleteTokenUpdateRequest {
  /** The token value (a secret); takes precedence over accessTokenHash. */
  accessToken?: string;
  accessTokenHash?: string;
  /** Milliseconds since the epoch; 0 or absent keeps the current one. */
  accessTokenExpiresAt?: number;
  scopes?: string[];
  properties?: AuthleteProperty[];
  accessTokenExpiresAtUpdatedOnScopeUpdate?: boolean;
  accessTokenValueUpdated?: boolean;
  accessTokenPersistent?: boolean;
  certificateThumbprint?: string;
  dpopKeyThumbprint?: string;
  forExternalAttachment?: boolean;
  refreshTokenExpiresAt?: number;
  refreshTokenExpiresAtUpdatedOnScopeUpdate?: boolean;
  tokenId?: string;
  authorizationDetails?: unknown;
}

export type AuthleteUpdateAction = 'INTERNAL_SERVER_ERROR' | 'BAD_REQUEST' | 'FORBIDDEN' | 'NOT_FOUND' | 'OK';

export interface AuthleteTokenUpdateResponse extends AuthleteResult {
  action: AuthleteUpdateAction;
  accessToken?: string;
  accessTokenExpiresAt?: number;
  properties?: AuthleteProperty[];
  scopes?: string[];
  tokenType?: string;
  forExternalAttachment?: boolean;
  tokenId?: string;
  refreshTokenExpiresAt?: number;
  [field: string]: unknown;
}

/** At least one field; Authlete applies the first in this order and ignores the rest. */
export interface AuthleteTokenRevokeRequest {
  accessTokenIdentifier?: string;
  refreshTokenIdentifier?: string;
  clientIdentifier?: string;
  subject?: string;
}

export interface AuthleteTokenRevokeResponse extends AuthleteResult {
  /** How many tokens (access/refresh pairs) were revoked by this call. */
  count: number;
}

export interface AuthleteIdTokenReissueRequest {
  /** The access token (or the JWT access token when there is one); a secret. */
  accessToken: string;
  refreshToken: string;
  sub?: string;
  /** JSON object, as a string. */
  claims?: string;
  /** JSON object, as a string. */
  idtHeaderParams?: string;
  idTokenAudType?: 'array' | 'string';
}

export type AuthleteReissueAction = 'OK' | 'INTERNAL_SERVER_ERROR' | 'CALLER_ERROR';

export interface AuthleteIdTokenReissueResponse extends AuthleteResult {
  action: AuthleteReissueAction;
  /** The token response body for the client (holds the tokens: a secret). */
  responseContent?: string;
  idToken?: string;
}

/** The operations of the token management surface, as the adapter and emulator name them. */
export type AuthleteOperationName = 'list' | 'create' | 'update' | 'delete' | 'revoke' | 'reissue';
