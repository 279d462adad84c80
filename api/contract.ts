/** The names other services depend on. Changing any of them breaks callers. */
export const DEFAULT_TASK_QUEUE = 'token-revocation';
export const WorkflowTypes = { revokeTokens: 'revokeTokens' } as const;
export const QueryNames = { getOperation: 'getOperation' } as const;
export const SignalNames = { attemptFailed: 'attemptFailed' } as const;
/** Workflow id prefix of `revokeTokens` operations. */
export const OPERATION_ID_PREFIX = 'revoke-';
