export { revokeTokens, getOperationQuery, attemptFailedSignal } from './revoke-tokens';
