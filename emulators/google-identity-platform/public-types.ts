/** `tokenType` names of RevokeTokenRequest.TokenType, by number. */
export const TOKEN_TYPES = ['TOKEN_TYPE_UNSPECIFIED', 'REFRESH_TOKEN', 'ACCESS_TOKEN', 'CODE'] as const;
export type EmulatedTokenType = 'REFRESH_TOKEN' | 'ACCESS_TOKEN' | 'CODE';

/** An Apple token (or authorization code) as Apple would hold it for the app. */
export interface AppleToken {
  type: EmulatedTokenType;
  /** The secret value a client would present. */
  value: string;
  /** The Identity Platform account it was issued to (`uid`, within `tenantId`). */
  uid: string;
  tenantId?: string;
  /** For CODE: the redirect URI it was issued for; the exchange must repeat it. */
  redirectUri?: string;
  issuedAt: Date;
  revokedAt?: Date;
}

export interface AppleTokenSeed {
  type: EmulatedTokenType;
  /** Generated when absent. */
  value?: string;
  redirectUri?: string;
}

export interface AccountSeed {
  uid: string;
  tenantId?: string;
  /** ID tokens valid for this account; one is minted when none is given. */
  idTokens?: string[];
  appleTokens?: AppleTokenSeed[];
}

/** An Identity Platform account, with the state the duplicate rule needs. */
export interface EmulatedAccount {
  uid: string;
  tenantId?: string;
  idTokens: string[];
  /** When a revocation for this account last succeeded (not counting ignored duplicates). */
  revokedAt?: Date;
  /** When an Apple token was last issued to this account. */
  lastTokenIssuedAt?: Date;
}

/** Queued by injectFault; answers the next `times` revokeToken calls before any other check. */
export interface GoogleFault {
  /** HTTP status to answer with. */
  status: number;
  /** The body; default a Google JSON error for the status. An object is sent as JSON. */
  body?: unknown;
  /** `Retry-After` header value: seconds (number or string) or an HTTP date. */
  retryAfter?: number | string;
  /** How many calls it applies to. @default 1 */
  times?: number;
  /** Destroy the connection without an answer instead (status and body are ignored). */
  reset?: boolean;
  /** Wait this long first: a client with a shorter timeout gives up. @default 0 */
  delayMs?: number;
  /** Handle the request first (the token is revoked), then answer with the fault: a lost reply. */
  afterHandling?: boolean;
}

/** Queued by injectTokenFault; answers the next `times` token endpoint calls (`POST /token`). */
export interface TokenFault {
  status: number;
  /** RFC 6749 `error`. @default 'invalid_grant' for 4xx, 'internal_failure' otherwise */
  error?: string;
  /** `error_description`. */
  description?: string;
  /** Append the assertion the client sent to `error_description` (a server that echoes secrets). */
  echoAssertion?: boolean;
  /** @default 1 */
  times?: number;
}

/**
 * Consulted for every revokeToken call that no queued fault answers, with its log entry so far
 * (`body` parsed); a fault it returns answers the call instead (`times` is ignored). For chaos tests.
 */
export type GoogleFaultPolicy = (request: Readonly<GoogleEmulatorRequest>) => GoogleFault | undefined;

export type RequestOutcome =
  | 'revoked'
  | 'already-invalid'
  | 'code-exchanged-and-revoked'
  | 'duplicate-ignored'
  | 'token-issued'
  | 'rejected'
  | 'fault'
  | 'not-found';

/** One HTTP request the emulator received, in arrival order. */
export interface GoogleEmulatorRequest {
  method: string;
  /** The path, without the query string (the key is a credential). */
  path: string;
  /** Whether an API key came with it (query `key` or `x-goog-api-key`), and whether it was valid. */
  apiKey: 'missing' | 'invalid' | 'valid';
  /** The parsed JSON body (holds secrets: in-memory only, for assertions). */
  body?: unknown;
  receivedAt: Date;
  respondedAt?: Date;
  status?: number;
  outcome?: RequestOutcome;
  /** The Identity Toolkit error code or Google reason of a rejection. */
  reason?: string;
  /** True when a duplicate after a successful revocation was answered at once, the store untouched. */
  shortCircuited: boolean;
  /**
   * `Authorization: Bearer` on a revokeToken call: none, or how the access token fared (`valid`,
   * `invalid`: unknown or expired, `insufficient-scope`). The token itself is not logged.
   */
  bearer: 'none' | 'valid' | 'invalid' | 'insufficient-scope';
  /** For `POST /token`: the service account that got an access token (the assertion is not logged). */
  serviceAccount?: string;
}

export interface ServiceAccountSeed {
  /** @default a generated `revoker-…@emulator-project.iam.gserviceaccount.com` */
  clientEmail?: string;
  /** @default 'emulator-project' */
  projectId?: string;
}

/** A service account key file's JSON, as the Cloud console downloads it (holds the private key). */
export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  universe_domain: string;
}

export interface GoogleEmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0, a free port. */
  port?: number;
  /** Valid API keys. @default ['emulator-api-key-0123456789'] */
  apiKeys?: string[];
  accounts?: AccountSeed[];
  /** Time a real revocation spends at "Apple" (ignored duplicates skip it). @default 0 */
  appleLatencyMs?: number;
}

export interface GoogleIdentityPlatformEmulator {
  /** `http://127.0.0.1:PORT`, the connection's baseUrl. */
  readonly baseUrl: string;
  readonly port: number;
  /** The first valid API key. */
  readonly apiKey: string;
  /** Every request received, failed ones included. */
  readonly requests: GoogleEmulatorRequest[];
  /** Requests to `accounts:revokeToken` only. */
  revokeCalls(): GoogleEmulatorRequest[];
  /** Requests to the OAuth 2.0 token endpoint (`POST /token`) only. */
  tokenCalls(): GoogleEmulatorRequest[];
  /** `{baseUrl}/token`: the emulator's OAuth 2.0 token endpoint, the `token_uri` of its key files. */
  readonly tokenUri: string;
  /**
   * A new service account: the emulator keeps its public key and returns the key file JSON (with
   * the private key) whose `token_uri` is this emulator's token endpoint.
   */
  createServiceAccount(seed?: ServiceAccountSeed): ServiceAccountKey;
  /** The scopes an access token the emulator issued carries, or undefined if it issued none such. */
  accessTokenScopes(accessToken: string): string[] | undefined;
  /** Every access token the token endpoint issued (they are secrets: for tests that scan for leaks). */
  issuedAccessTokens(): string[];
  /** Every access token issued so far expires now. */
  expireAccessTokens(): void;
  addAccount(seed: AccountSeed): EmulatedAccount;
  /** A new ID token for an existing account (JWT-shaped, opaque to callers). */
  mintIdToken(uid: string, tenantId?: string): string;
  /** Issues an Apple token to an account; this makes the next revoke for it not a duplicate. */
  issueAppleToken(uid: string, tenantId: string | undefined, seed: AppleTokenSeed): AppleToken;
  /** Copies of every Apple token, revoked ones included. */
  appleTokens(): AppleToken[];
  appleToken(value: string): AppleToken | undefined;
  account(uid: string, tenantId?: string): EmulatedAccount | undefined;
  injectFault(fault: GoogleFault): void;
  /** Queues a failure of the OAuth 2.0 token endpoint. */
  injectTokenFault(fault: TokenFault): void;
  /** Sets (or, with undefined, removes) the policy consulted when no queued fault applies. */
  setFaultPolicy(policy: GoogleFaultPolicy | undefined): void;
  /** Changes behaviour for later requests. */
  configure(settings: { appleLatencyMs?: number }): void;
  /** Drops the request log (the store is kept). */
  clearRequests(): void;
  close(): Promise<void>;
}
