import type { JWK } from '@interledger/http-signature-utils';

/**
 * How the emulator treats a DELETE for a token or grant that is already revoked:
 * - `gnap`: as RFC 9635 asks, the revocation is honoured again: 204 (after the usual checks).
 * - `rafiki`: as Rafiki does, its lookups skip revoked rows: 401 `invalid_client` "invalid access
 *   token" for a manage URL, 401 `invalid_continuation` "invalid grant" for a continue URI.
 */
export type OpenPaymentsEmulatorMode = 'gnap' | 'rafiki';

export type OpenPaymentsRoute =
  'revokeToken' | 'cancelGrant' | 'introspect' | 'jwks' | 'walletAddress' | 'unknown';

/**
 * Who may call the introspection endpoint:
 * - `none`: anyone, as Rafiki's resource-server connection (served on a port of its own, inside the
 *   operator's network) allows.
 * - `httpsig`: RFC 9767 §3.2: the caller names a registered `resource_server` and signs the request
 *   with one of its keys; otherwise 401 `invalid_client`.
 */
export type OpenPaymentsIntrospectionAuth = 'none' | 'httpsig';

export interface OpenPaymentsFault {
  /** The route it applies to. @default '*' (revokeToken and cancelGrant) */
  route?: 'revokeToken' | 'cancelGrant' | 'introspect' | 'jwks' | '*';
  /** Only requests for this manage id / continue id / client name. */
  id?: string;
  /** The status to answer instead of handling the request. @default 503 */
  status?: number;
  /** The body: an object is sent as JSON, a string as is. @default the Open Payments error body for the status */
  body?: unknown;
  /** A Retry-After header value (seconds or an HTTP date). */
  retryAfter?: string | number;
  /** How many matching requests it applies to. @default 1 */
  times?: number;
  /**
   * Handle the request fully (revoke the token, cancel the grant), then destroy the connection
   * without answering: the client sees a reset, as when a 204 is lost on the way back.
   */
  dropResponseAfterApply?: boolean;
  /** Destroy the connection without handling the request: the client sees a reset, nothing changed. */
  dropConnection?: boolean;
  /**
   * revokeToken / cancelGrant: check the request as usual and answer 204, but revoke nothing: the
   * token (the grant and its tokens) stays active, and introspection still says `active: true`.
   * `status` is ignored.
   */
  keepToken?: boolean;
  /** Wait this long before answering (or dropping): a client with a shorter timeout gives up. @default 0 */
  delayMs?: number;
}

/**
 * Consulted for every request that no queued fault answers, with its record so far (`route`, `id`,
 * signature check); a fault it returns answers the request instead (`route`, `id` and `times` are
 * ignored). For chaos tests.
 */
export type OpenPaymentsFaultPolicy = (
  request: Readonly<OpenPaymentsRequestRecord>,
) => OpenPaymentsFault | undefined;

/** How a request's HTTP message signature fared against the client's JWKS. */
export type SignatureCheck =
  /** Verified by the library's validateSignature against the client's key. */
  | 'verified'
  /** No Signature / Signature-Input header. */
  | 'missing'
  /** validateSignatureHeaders refused them (components, label, lower case, authorization not covered). */
  | 'malformed'
  /** The token or grant is unknown, so there is no client whose key could verify it. */
  | 'no-client'
  /** The client's JWKS has no key with the Signature-Input key id. */
  | 'unknown-key-id'
  /** The signature does not verify (another URL, header, key or method). */
  | 'mismatch'
  /** Unsigned routes (JWKS, wallet address). */
  | 'not-required';

export interface OpenPaymentsRequestRecord {
  /** When the request arrived (its head). */
  at: Date;
  method: string;
  /** The absolute URL as the emulator rebuilt it for verification. */
  url: string;
  route: OpenPaymentsRoute;
  /** Manage id, continue id or client name from the path. */
  id?: string;
  /** The Authorization scheme and a fingerprint of its token; the token itself is never stored. */
  authorization?: { scheme: string; tokenFingerprint: string };
  signatureInput?: string;
  signature?: string;
  keyId?: string;
  /** The Signature-Input `created` parameter (unix seconds). */
  created?: number;
  signatureVerified: boolean;
  signatureCheck: SignatureCheck;
  /** The status answered, or 'dropped' when the connection was destroyed instead. */
  status: number | 'dropped';
  /** The Open Payments error code answered, if any. */
  errorCode?: string;
  /** What happened: 'revoked', 'already-revoked', 'grant-canceled', 'fault', 'invalid-token', ... */
  outcome: string;
  /** True when an injected fault answered (or dropped) it. */
  fault: boolean;
  /** A `keepToken` fault answered 204 and nothing was revoked. */
  keptToken?: boolean;
  /** Introspection: the `resource_server` the caller named, and the `active` it was answered. */
  resourceServer?: string;
  active?: boolean;
  /** Introspection: a fingerprint of the `access_token` asked about. */
  introspectedTokenFingerprint?: string;
}

export interface IssuedAccessToken {
  /** The token value: what a client sends as `Authorization: GNAP <value>`. */
  value: string;
  manageId: string;
  /** `manage` as Open Payments returns it: a string URI. */
  manageUrl: string;
}

export interface IssuedGrant {
  id: string;
  /** The client's wallet address URL. */
  client: string;
  continueId: string;
  continueUri: string;
  continueToken: string;
  accessTokens: IssuedAccessToken[];
}

export interface AccessTokenState {
  manageId: string;
  grantId: string;
  revokedAt?: Date;
  /** How it was revoked: its own manage URL, or by cancelling its grant. */
  revokedBy?: 'token' | 'grant';
}

export interface GrantState {
  id: string;
  client: string;
  continueId: string;
  canceledAt?: Date;
  manageIds: string[];
}

export interface OpenPaymentsEmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default 'rafiki' */
  mode?: OpenPaymentsEmulatorMode;
  /** @default 'none' */
  introspectionAuth?: OpenPaymentsIntrospectionAuth;
}

export interface OpenPaymentsEmulator {
  /** `http://127.0.0.1:PORT`: the auth server and the wallet addresses live here. */
  readonly url: string;
  readonly port: number;
  readonly mode: OpenPaymentsEmulatorMode;
  /** `{url}/introspect`: GNAP token introspection (RFC 9767 §3.3), `POST` with a JSON body. */
  readonly introspectionEndpoint: string;
  /** Registers a resource server (RFC 9767 `resource_server` by reference) and the keys it signs with. */
  addResourceServer(input: { name: string; keys: JWK[] }): { resourceServer: string };
  /** Registers a client wallet address `{url}/{name}` publishing `keys` at `{url}/{name}/jwks.json`. */
  addClient(input: { name: string; keys: JWK[] }): { walletAddressUrl: string };
  /** Replaces the keys a client's wallet address publishes. */
  setClientKeys(walletAddressUrl: string, keys: JWK[]): void;
  /** Issues an approved grant with `accessTokens` tokens (default 1) to a registered client. */
  issueGrant(input: { client: string; accessTokens?: number }): IssuedGrant;
  accessToken(manageId: string): AccessTokenState | undefined;
  grant(id: string): GrantState | undefined;
  configure(settings: {
    mode?: OpenPaymentsEmulatorMode;
    introspectionAuth?: OpenPaymentsIntrospectionAuth;
  }): void;
  /** Queued; each request takes the first matching fault. */
  injectFault(fault: OpenPaymentsFault): void;
  /** Sets (or, with undefined, removes) the policy consulted when no queued fault applies. */
  setFaultPolicy(policy: OpenPaymentsFaultPolicy | undefined): void;
  /** Every request received, in order. */
  readonly requests: OpenPaymentsRequestRecord[];
  requestsTo(route: OpenPaymentsRoute, id?: string): OpenPaymentsRequestRecord[];
  close(): Promise<void>;
}
