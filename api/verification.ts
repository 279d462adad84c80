/**
 * Whether a revoked token still works, as the provider itself answered through its own API after
 * the revoke (docs/contract.md, "Verification").
 *
 * - `VERIFIED`: the provider was asked and said the token (every selected token) no longer works.
 * - `STILL_ACTIVE`: the provider acknowledged the revoke but still accepts the token. An operation
 *   never ends successfully in this state: it revokes again a bounded number of times, then fails.
 * - `UNVERIFIABLE`: the engine cannot ask (the provider has no such API, the connection configures
 *   none, or verification is switched off for the connection); `detail` says which. Never a pass.
 */
export const verificationStates = ['VERIFIED', 'STILL_ACTIVE', 'UNVERIFIABLE'] as const;
export type VerificationState = (typeof verificationStates)[number];

export interface Verification {
  state: VerificationState;
  /** How it was checked: "RFC 7662 token introspection", "RefreshTokenService.List", "none", ... */
  method: string;
  /** When the provider answered (ISO 8601, from the activity that asked). */
  checkedAt: string;
  /** What the provider said, in words and without secrets ("active: false", "2 of 3 ids still listed"). */
  detail: string;
}

/** How many times an operation revokes in all when verification keeps answering STILL_ACTIVE. */
export const MAX_REVOKES_WHILE_STILL_ACTIVE = 3;

/** The google.rpc.ErrorInfo reason of an operation that ended because the token still worked. */
export const STILL_ACTIVE_REASON = 'REVOKED_TOKEN_STILL_ACTIVE';

/** The UNVERIFIABLE detail of a connection with `verify: false` (the same words for every provider). */
export const VERIFY_OFF_DETAIL = 'verification is switched off for this connection (verify: false)';
