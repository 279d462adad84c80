/** A refresh token as the emulator stores it; `token` is the secret value a client would present. */
export interface YandexRefreshToken {
  id: string;
  token: string;
  subjectId: string;
  clientId: string;
  clientInstanceInfo: string;
  /** refreshToken.RefreshToken_ProtectionLevel number (0 unspecified, 1 none, 2 insecure DPoP, 3 secure DPoP). */
  protectionLevel: number;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
}

export type YandexTokenSeed = Partial<YandexRefreshToken> & { subjectId: string; clientId: string };

export type YandexEmulatedMethod = 'List' | 'Revoke' | 'Get' | 'Cancel';

/**
 * An access binding: `subjectId` holds `roleId` on the user account `resourceId` (a subject id, or
 * `*` for every subject, like a binding on the organization). `viewer` lets it List that subject's
 * refresh tokens; `editor` and `admin` let it List and Revoke them.
 */
export interface YandexAccessBinding {
  subjectId: string;
  roleId: string;
  resourceId: string;
}

export interface YandexFault {
  method: YandexEmulatedMethod | '*';
  /** gRPC status code, e.g. 14 UNAVAILABLE, 7 PERMISSION_DENIED. */
  code: number;
  message?: string;
  /** How many calls the fault applies to; default 1. */
  times?: number;
  /**
   * Send initial metadata (x-request-id, x-server-trace-id) before failing. The SDK then throws
   * `errors.ApiError`, which has no `.code`, instead of a nice-grpc ClientError.
   */
  afterHeaders?: boolean;
  /**
   * Wait this long before answering: a client whose deadline is shorter sees DEADLINE_EXCEEDED.
   * @default 0
   */
  delayMs?: number;
  /** Handle the call first (a Revoke takes effect), then fail: a reply lost after the effect. */
  afterHandling?: boolean;
}

/**
 * Consulted for every call that no queued fault answers; a fault it returns answers the call
 * instead (its `method` and `times` are ignored). Chaos tests use it for random fault mixes.
 */
export type YandexFaultPolicy = (call: Readonly<YandexEmulatorCall>) => YandexFault | undefined;

export interface YandexOperationError {
  code: number;
  message: string;
}

export interface YandexEmulatorBehaviour {
  /** Revoke operations become done after this many OperationService.Get calls (0 = done in the Revoke reply). */
  pollsUntilDone: number;
  /** Operations become done only once this much time has passed since Revoke. */
  operationDelayMs: number;
  /** When set, operations finish with this google.rpc.Status instead of a response and revoke nothing. */
  operationError: YandexOperationError | undefined;
  /**
   * When true, operations finish with a response naming the ids but keep those tokens active: a
   * provider that acknowledges a revocation and does not revoke.
   */
  keepRevokedTokens: boolean;
  /** Delay before every call is handled. */
  latencyMs: number;
  /** Probability (0..1) that a call fails with UNAVAILABLE. */
  errorRate: number;
}

export interface YandexEmulatorOptions extends Partial<YandexEmulatorBehaviour> {
  /** Default '127.0.0.1'; the certificate SAN covers localhost, 127.0.0.1 and ::1 (plus this host). */
  host?: string;
  /** Default 0, i.e. a free port. */
  port?: number;
  /** IAM token -> caller subjectId. Default { 'emulator-iam-token': 'emulator-subject' }. */
  iamTokens?: Record<string, string>;
  /** Seed tokens; id, token, clientInstanceInfo and dates are generated when absent. */
  tokens?: YandexTokenSeed[];
  /** Who may List or Revoke another subject's tokens. Default none: each caller sees only its own. */
  accessBindings?: YandexAccessBinding[];
}

export interface YandexEmulatorCall {
  method: YandexEmulatedMethod;
  request: unknown;
  callerSubjectId?: string;
  at: Date;
  failedWith?: number;
  /** With failedWith: the x-request-id sent, also the request_id of the error's RequestInfo detail. */
  requestId?: string;
}

/**
 * The reply of one call kept back: the call is handled (a Revoke starts its operation) and its
 * answer waits for `release()`, so a test can act while the call is in flight.
 */
export interface YandexHold {
  /** Resolves with the answer kept back, once the held call was handled. */
  readonly arrived: Promise<unknown>;
  /** Sends the answer (or the failure) kept back. */
  release(): void;
}

export interface YandexOperationSnapshot {
  id: string;
  done: boolean;
  cancelled: boolean;
  gets: number;
}

export type YandexRuntimeSettings = Partial<
  Pick<
    YandexEmulatorOptions,
    'pollsUntilDone' | 'operationDelayMs' | 'operationError' | 'keepRevokedTokens' | 'latencyMs' | 'errorRate'
  >
>;

export interface YandexEmulator {
  /** 'localhost:PORT', usable with Session.client(Client, endpoint). */
  readonly endpoint: string;
  readonly host: string;
  readonly port: number;
  /** PEM of the self-signed certificate; pass it as Session `ssl.rootCerts`. */
  readonly rootCert: Buffer;
  /** The first configured IAM token. */
  readonly iamToken: string;
  /** Every RPC received, in order, failed ones included. */
  readonly calls: YandexEmulatorCall[];
  callsOf(method: YandexEmulatedMethod): YandexEmulatorCall[];
  addToken(seed: YandexTokenSeed): YandexRefreshToken;
  addAccessBinding(binding: YandexAccessBinding): void;
  /** All tokens, revoked ones included (with revokedAt). Returns copies. */
  tokens(): YandexRefreshToken[];
  activeTokens(): YandexRefreshToken[];
  /** Queued; consumed in order per method. */
  injectFault(fault: YandexFault): void;
  /** Sets (or, with undefined, removes) the policy consulted when no queued fault applies. */
  setFaultPolicy(policy: YandexFaultPolicy | undefined): void;
  configure(settings: YandexRuntimeSettings): void;
  /** Holds the reply of the next call of `method` until released (close() drops it). */
  hold(method: YandexEmulatedMethod): YandexHold;
  operation(id: string): YandexOperationSnapshot | undefined;
  close(): Promise<void>;
}
