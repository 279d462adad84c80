/** The emulated operations, each one path of the v3 API. */
export type AuthleteEmulatedOperation =
  'list' | 'create' | 'update' | 'delete' | 'revoke' | 'reissue' | 'introspection';

export interface AuthleteClientSeed {
  clientId: number;
  clientIdAlias?: string;
  clientName?: string;
  clientType?: 'CONFIDENTIAL' | 'PUBLIC';
}

export interface AuthleteServiceSeed {
  serviceId: string;
  clients?: AuthleteClientSeed[];
  /** Tokens revoked per bulk revoke call (`token.revoke.count.max`). @default the emulator's, 20 */
  revokeCountMax?: number;
}

/** A token as the emulator stores it: the values (secrets a client holds) and their hashes. */
export interface AuthleteStoredToken {
  serviceId: string;
  accessToken: string;
  /** base64url(SHA-256(accessToken)), 43 characters. */
  accessTokenHash: string;
  refreshToken?: string;
  refreshTokenHash?: string;
  clientId: number;
  subject?: string;
  grantType: string;
  scopes: string[];
  refreshTokenScopes?: string[];
  properties: Array<{ key: string; value: string; hidden?: boolean }>;
  /** Milliseconds since the epoch; 0 = never expires (accessTokenPersistent). */
  accessTokenExpiresAt: number;
  refreshTokenExpiresAt: number;
  createdAt: number;
  lastRefreshedAt: number;
}

export interface AuthleteTokenSeed {
  serviceId: string;
  clientId: number;
  subject?: string;
  /** Generated (43 base64url characters) when absent. */
  accessToken?: string;
  /** Generated when absent; `null` for none. */
  refreshToken?: string | null;
  scopes?: string[];
  grantType?: string;
  accessTokenExpiresAt?: number;
  refreshTokenExpiresAt?: number;
  createdAt?: number;
}

/** A token that is gone, and how. */
export interface AuthleteRemovedToken extends AuthleteStoredToken {
  removedAt: number;
  removedBy: 'revoke' | 'delete';
}

export interface AuthleteFault {
  /** Which operation (path) it applies to; `*` for any. */
  operation: AuthleteEmulatedOperation | '*';
  /** Only calls for this service. */
  serviceId?: string;
  /** HTTP status to answer with. */
  status: number;
  /** The body; default an Authlete-style `{resultCode, resultMessage}` for the status. A string is sent as is. */
  body?: unknown;
  /** Retry-After header value: seconds, or an HTTP date string. */
  retryAfter?: number | string;
  /** How many matching calls it applies to. @default 1 */
  times?: number;
  /** Do the work first, then answer with the fault (a reply lost after the effect). */
  afterHandling?: boolean;
  /** Destroy the connection instead of answering (status and body are ignored). */
  reset?: boolean;
  /** Wait this long before answering: a client with a shorter timeout gives up. @default 0 */
  delayMs?: number;
  /**
   * Answer as if the work was done (the real answer: 200 with its count for revoke, 204 for
   * delete) but keep the tokens: a provider that acknowledges a revocation and does not revoke.
   * `status`, `body`, `afterHandling` and `reset` are ignored.
   */
  keepTokens?: boolean;
}

/**
 * Consulted for every routed request that no queued fault answers, with its log entry so far
 * (`operation`, `serviceId`, `body` set); a fault it returns answers the request instead (its
 * `operation`, `serviceId` and `times` are ignored). For chaos tests.
 */
export type AuthleteFaultPolicy = (request: Readonly<AuthleteEmulatorRequest>) => AuthleteFault | undefined;

/** One received HTTP request, as the emulator saw it. */
export interface AuthleteEmulatorRequest {
  /** Arrival time, milliseconds since the epoch. */
  at: number;
  method: string;
  /** The path as received (a DELETE path holds the token identifier). */
  path: string;
  operation?: AuthleteEmulatedOperation;
  serviceId?: string;
  /** The parsed body (JSON or form), if any. */
  body?: unknown;
  /** Whether the bearer token was accepted for the service. */
  authenticated: boolean;
  /** The status answered (set when the answer is sent); -1 when a fault reset the connection. */
  status?: number;
  /** The fault that answered instead of the emulated API, if any. */
  fault?: boolean;
}

export interface AuthleteEmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default one service, DEFAULT_SERVICE_ID, with DEFAULT_CLIENTS. */
  services?: AuthleteServiceSeed[];
  /**
   * Bearer token → the service ids it may use; `*` makes it an organization token (every service).
   * Default `{ [DEFAULT_SERVICE_ACCESS_TOKEN]: '*' }`.
   */
  accessTokens?: Record<string, string[] | '*'>;
  tokens?: AuthleteTokenSeed[];
  /** Default 20, as Authlete's `token.revoke.count.max`. */
  revokeCountMax?: number;
  /** Delay before every answer. @default 0 */
  latencyMs?: number;
}

export interface AuthleteEmulator {
  /** `http://127.0.0.1:PORT`: a connection's `baseUrl`. */
  readonly baseUrl: string;
  readonly port: number;
  /** The first configured bearer token. */
  readonly serviceAccessToken: string;
  /** Every request received, in arrival order. */
  readonly requests: AuthleteEmulatorRequest[];
  requestsOf(operation: AuthleteEmulatedOperation, serviceId?: string): AuthleteEmulatorRequest[];
  addService(seed: AuthleteServiceSeed): void;
  /** Lets `bearer` use `serviceId` (or every service, `*`); adds the token if new. */
  authorize(bearer: string, serviceId: string | '*'): void;
  addToken(seed: AuthleteTokenSeed): AuthleteStoredToken;
  /** The live tokens of a service (copies). */
  tokens(serviceId: string): AuthleteStoredToken[];
  /** The tokens revoked or deleted (copies). */
  removed(serviceId: string): AuthleteRemovedToken[];
  /** Queued; the first matching fault answers a call. */
  injectFault(fault: AuthleteFault): void;
  /** Sets (or, with undefined, removes) the policy consulted when no queued fault applies. */
  setFaultPolicy(policy: AuthleteFaultPolicy | undefined): void;
  /** Faults not used yet. */
  pendingFaults(): number;
  configure(settings: { latencyMs?: number; revokeCountMax?: number }): void;
  close(): Promise<void>;
}
