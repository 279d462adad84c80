export { getOperationQuery } from './operation-state';
export { revokeTokens, attemptFailedSignal } from './revoke-tokens';
export { revokeSubject } from './revoke-subject';
export { bulkRevocation, pauseSignal, resumeSignal, setThrottleUpdate } from './bulk-revocation';
export { authleteTokenCall } from './authlete-management';
