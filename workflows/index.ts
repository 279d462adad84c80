export { revokeTokens, getOperationQuery, attemptFailedSignal } from './revoke-tokens';
export { bulkRevocation, pauseSignal, resumeSignal, setThrottleUpdate } from './bulk-revocation';
