import type { RevokeTokensResponseFields, RevokeTokensTiming, Verification } from '../../api';
import type { RevokeTokensState } from '../revoke-tokens-state';

/** Resolved timing of one operation, in milliseconds. */
export interface Timing {
  pollInitialMs: number;
  pollMaxMs: number;
  retryInitialMs: number;
  deadlineMs: number;
}

export const defaultTiming: Readonly<Record<keyof RevokeTokensTiming, string>> = {
  pollInitialInterval: '1s',
  pollMaxInterval: '30s',
  retryInitialInterval: '1s',
  deadline: '1h',
};

/** What a provider step gets: the state to report progress into and the resolved timing. */
export interface ProviderContext {
  state: RevokeTokensState;
  timing: Timing;
}

export type ProviderResult = RevokeTokensResponseFields;

/**
 * An activity call's summary in the Web UI: "yandex-cloud RefreshTokenService.Revoke (connection
 * default)". The attempt number is not known when the call is scheduled; the UI shows it for a
 * pending activity.
 */
export function callSummary(provider: string, call: string, connection: string): string {
  return `${provider} ${call} (connection ${connection})`;
}

/**
 * A provider's answer to "does what was revoked still work?" (api/verification.ts). A verify step
 * calls the provider through activities with the same retries as the revoke; it returns
 * UNVERIFIABLE (with the reason) when it cannot ask, and never VERIFIED without an answer.
 */
export type VerifyResult = Verification;
