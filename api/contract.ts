/** The names other services depend on. Changing any of them breaks callers. */
export const DEFAULT_TASK_QUEUE = 'token-revocation';
export const WorkflowTypes = {
  revokeTokens: 'revokeTokens',
  bulkRevocation: 'bulkRevocation',
  revokeSubject: 'revokeSubject',
} as const;
export const QueryNames = { getOperation: 'getOperation' } as const;
export const SignalNames = { attemptFailed: 'attemptFailed', pause: 'pause', resume: 'resume' } as const;
export const UpdateNames = { setThrottle: 'setThrottle', confirmRequest: 'confirmRequest' } as const;
/** Workflow id prefix of `revokeTokens` operations. */
export const OPERATION_ID_PREFIX = 'revoke-';
/** Workflow id prefix of `bulkRevocation` jobs. */
export const BULK_ID_PREFIX = 'bulk-';
