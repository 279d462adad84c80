/** Client authentication methods the emulator verifies (RFC 6749 §2.3, OpenID Connect Core §9). */
export type OAuth2EmulatorAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

export type OAuth2TokenType = 'access_token' | 'refresh_token';

/** A registered client. Like a real server, it accepts only the method it was registered with. */
export interface OAuth2EmulatorClient {
  clientId: string;
  authMethod: OAuth2EmulatorAuthMethod;
  /** For client_secret_basic and client_secret_post. */
  clientSecret?: string;
  /** SPKI PEM public key, for private_key_jwt. */
  publicKeyPem?: string;
}

export interface OAuth2TokenSeed {
  /** The secret value; generated when absent. */
  value?: string;
  type: OAuth2TokenType;
  clientId: string;
  /** Tokens of one grant are revoked together when its refresh token is. @default a new grant */
  grantId?: string;
  subject?: string;
  expiresAt?: Date;
}

/** A token as the emulator stores it. `value` is the secret a client presents. */
export interface OAuth2StoredToken {
  value: string;
  type: OAuth2TokenType;
  clientId: string;
  grantId: string;
  subject: string;
  issuedAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
}

export type OAuth2EmulatorEndpoint = 'revocation' | 'introspection' | 'oauth-discovery' | 'oidc-discovery';

/** An injected failure, consumed by the next matching requests. */
export interface OAuth2Fault {
  endpoint: OAuth2EmulatorEndpoint | '*';
  status: number;
  /** An object is sent as JSON; a string as text/plain; nothing sends an empty body. */
  body?: string | Record<string, unknown>;
  headers?: Record<string, string>;
  /** How many requests it applies to. @default 1 */
  times?: number;
  /** Only requests for this token (its `fingerprint()` from api/fingerprint). @default any request */
  tokenFingerprint?: string;
  /** Do the revocation first, then answer with the fault: a 200 lost on its way back. */
  afterRevoke?: boolean;
  /**
   * Revocation only: check the request as usual and answer 200, but keep the token (and its grant)
   * active, as a server whose acknowledgement is wrong would. `status` is ignored (200);
   * introspection then still says `active: true`.
   */
  keepToken?: boolean;
  /** Close the connection without an answer (a network error at the client). */
  dropConnection?: boolean;
  /** Wait this long before answering (or dropping): a client with a shorter timeout gives up. @default 0 */
  delayMs?: number;
}

/**
 * Consulted for every request that no queued fault answers, with its log entry so far; a fault it
 * returns answers the request instead (its `endpoint` and `times` are ignored). For chaos tests.
 */
export type OAuth2FaultPolicy = (request: Readonly<OAuth2EmulatorRequest>) => OAuth2Fault | undefined;

/** One request as the emulator saw it; secrets only as fingerprints. */
export interface OAuth2EmulatorRequest {
  /** Arrival time, epoch milliseconds. */
  at: number;
  method: string;
  path: string;
  endpoint: OAuth2EmulatorEndpoint | 'other';
  status: number;
  /** The client authentication method the request used (by its shape), verified or not. */
  authMethod?: OAuth2EmulatorAuthMethod | 'multiple';
  clientId?: string;
  authenticated?: boolean;
  /** The private_key_jwt assertion's header `alg` and claims `aud`. */
  assertion?: { alg: string; aud: string | string[] };
  tokenFingerprint?: string;
  tokenTypeHint?: string;
  /** What the token turned out to be, if the emulator knew it. */
  tokenFound?: OAuth2TokenType;
  /** Tokens this request revoked (type and fingerprint). */
  revoked?: Array<{ type: OAuth2TokenType; fingerprint: string }>;
  /** A `keepToken` fault answered 200 to this revocation and revoked nothing. */
  keptToken?: boolean;
  /** Introspection: the `active` it answered. */
  active?: boolean;
  /** The OAuth error code answered, if any. */
  error?: string;
  /** The answer came from an injected fault. */
  fault?: boolean;
}

export interface OAuth2EmulatorBehaviour {
  /**
   * A token issued to another client. `refuse` (RFC 7009 §2.1: "the request is refused"): 400
   * `invalid_grant`. `ignore`: 200 and nothing revoked, as servers that treat it as an invalid token do.
   */
  foreignTokens: 'refuse' | 'ignore';
  /** When false, revoking an access token is 400 `unsupported_token_type` (RFC 7009 §2.2.1). */
  revokesAccessTokens: boolean;
  /** Revoking an access token also revokes its grant's refresh token (RFC 7009 §2.1: MAY). */
  accessTokenRevokesGrant: boolean;
}

export interface OAuth2EmulatorOptions extends Partial<OAuth2EmulatorBehaviour> {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** The issuer's path, e.g. `/tenants/acme`, so the two well-known transforms differ. @default '' */
  issuerPath?: string;
  /** Serve HTTPS with a self-signed certificate (see `caCert`). @default false */
  tls?: boolean;
  clients?: OAuth2EmulatorClient[];
  tokens?: OAuth2TokenSeed[];
}

export interface OAuth2Emulator {
  /** `http://127.0.0.1:PORT` (or https). */
  readonly baseUrl: string;
  readonly issuer: string;
  readonly revocationEndpoint: string;
  /** RFC 7662; advertised as `introspection_endpoint` in both discovery documents. */
  readonly introspectionEndpoint: string;
  readonly oauthDiscoveryUrl: string;
  readonly oidcDiscoveryUrl: string;
  readonly port: number;
  /** PEM of the self-signed certificate when `tls` is on. */
  readonly caCert?: string;
  /** Every request, in arrival order. */
  readonly requests: OAuth2EmulatorRequest[];
  requestsTo(endpoint: OAuth2EmulatorEndpoint): OAuth2EmulatorRequest[];
  addClient(client: OAuth2EmulatorClient): void;
  /** A new grant: one access token and one refresh token for the client. */
  issueGrant(
    clientId: string,
    subject?: string,
  ): { grantId: string; accessToken: string; refreshToken: string };
  addToken(seed: OAuth2TokenSeed): OAuth2StoredToken;
  /** A copy of the stored token. */
  token(value: string): OAuth2StoredToken | undefined;
  tokens(): OAuth2StoredToken[];
  /** Known, not revoked, not expired. */
  isActive(value: string): boolean;
  injectFault(fault: OAuth2Fault): void;
  /** Sets (or, with undefined, removes) the policy consulted when no queued fault applies. */
  setFaultPolicy(policy: OAuth2FaultPolicy | undefined): void;
  configure(behaviour: Partial<OAuth2EmulatorBehaviour>): void;
  close(): Promise<void>;
}
