import { providerKeys } from './requests';
import { isCodeName } from './status-codes';
import { connectionName } from './requests/common';

/*
 * Pure code: the workflow interceptor (workflows/metrics-interceptor.ts) imports it into the sandbox.
 * No label ever carries a subject, a token, a workflow id or a request id.
 */

/** The engine's metrics, as Prometheus shows them (the SDK's own are prefixed `temporal_`). */
export const EngineMetrics = {
  operationsStarted: 'revocation_operations_started_total',
  operationsDone: 'revocation_operations_done_total',
  providerCallDuration: 'revocation_provider_call_duration_seconds',
  providerCallRetries: 'revocation_provider_call_retries_total',
  bulkTargets: 'revocation_bulk_targets_total',
} as const;

/** Seconds; from a fast emulator answer to a slow provider near the activity timeout. */
export const providerCallBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The `provider` of jobs that may span providers (inline and NDJSON bulk sources, revokeSubject). */
export const MIXED = 'mixed';
/** The label of a value an invalid input held: whatever it was, it must not become a label. */
export const INVALID = 'invalid';

/** Activity type prefix → provider key; bulk pages are not one provider's calls. */
const activityPrefixes: ReadonlyArray<readonly [string, string]> = [
  ['yandex', 'yandex-cloud'],
  ['authlete', 'authlete'],
  ['googleIdentityPlatform', 'google-identity-platform'],
  ['openPayments', 'open-payments'],
  ['oauth2', 'oauth2'],
];

/** The provider an activity calls, or undefined for the engine's own activities (bulk pages). */
export function providerOfActivity(activityType: string): string | undefined {
  return activityPrefixes.find(([prefix]) => activityType.startsWith(prefix))?.[1];
}

const isProvider = (v: unknown): v is string =>
  typeof v === 'string' && (providerKeys as string[]).includes(v);

/** A connection as a label: its name when the request's schema accepts it, `invalid` otherwise. */
export function connectionLabel(value: unknown): string {
  if (value === undefined) return 'default';
  return connectionName.safeParse(value).success ? (value as string) : INVALID;
}

export interface OperationLabels {
  provider: string;
  connection: string;
}

const field = (o: unknown, key: string): unknown =>
  o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;

/**
 * The `provider` and `connection` of an operation, from its workflow type and raw input. Only known
 * provider keys and well-formed connection names pass; anything else is `invalid`, so a malformed
 * input cannot put arbitrary text (a secret) in a label or a log field.
 */
export function operationLabels(workflowType: string, input: unknown): OperationLabels {
  if (workflowType === 'revokeTokens') {
    const request = field(input, 'request');
    const provider = field(request, 'provider');
    if (!isProvider(provider)) return { provider: INVALID, connection: INVALID };
    return { provider, connection: connectionLabel(field(request, 'connection')) };
  }
  if (workflowType === 'bulkRevocation') {
    const source = field(input, 'source');
    const kind = field(source, 'kind');
    const provider =
      kind === 'yandex-list' ? 'yandex-cloud' : kind === 'authlete-list' ? 'authlete' : undefined;
    if (provider) return { provider, connection: connectionLabel(field(source, 'connection')) };
    return { provider: MIXED, connection: MIXED };
  }
  return { provider: MIXED, connection: MIXED };
}

/** `OK`, or the google.rpc code name a failure carries as its type; `UNKNOWN` for anything else. */
export function outcomeLabel(failureType: unknown): string {
  return typeof failureType === 'string' && isCodeName(failureType) ? failureType : 'UNKNOWN';
}

/** `revocation_bulk_targets_total{outcome}` values, by the report's count names. */
export const bulkTargetOutcomes = {
  succeeded: 'succeeded',
  alreadyRevoked: 'already_revoked',
  notFound: 'not_found',
  failed: 'failed',
  skipped: 'skipped',
} as const;
