import type { AuthleteAdapter } from './authlete/adapter';
import type { GoogleIdentityPlatformAdapter } from './google-identity-platform/adapter';
import type { OAuth2Adapter } from './oauth2/adapter';
import type { OpenPaymentsAdapter } from './open-payments/adapter';
import { Code } from '../api/status-codes';
import { connectionNotConfigured, providerFailure } from './provider-failure';
import type { YandexCloudAdapter } from './yandex-cloud/adapter';

/** The adapter type of each provider key. */
export interface ProviderAdapters {
  'yandex-cloud': YandexCloudAdapter;
  authlete: AuthleteAdapter;
  'google-identity-platform': GoogleIdentityPlatformAdapter;
  'open-payments': OpenPaymentsAdapter;
  oauth2: OAuth2Adapter;
}

export type AdapterProvider = keyof ProviderAdapters;

/** The worker's configured connections, by provider and name (built by worker/connections). */
export interface ConnectionRegistry {
  get<P extends AdapterProvider>(provider: P, connection: string): ProviderAdapters[P] | undefined;
  names(provider: AdapterProvider): string[];
}

/**
 * The adapter for a request's connection. Thrown when the connection is not configured, or when its
 * adapter cannot be built (a key file missing, an env var unset): a non-retryable FAILED_PRECONDITION,
 * because retrying does not heal configuration.
 */
export function requireAdapter<P extends AdapterProvider>(
  registry: ConnectionRegistry,
  provider: P,
  connection: string,
): ProviderAdapters[P] {
  let adapter: ProviderAdapters[P] | undefined;
  try {
    adapter = registry.get(provider, connection);
  } catch (err) {
    // Config errors name the field and path, never a secret value.
    const reason = err instanceof Error ? err.message : 'cannot be built';
    throw providerFailure({
      provider,
      connection,
      code: Code.FAILED_PRECONDITION,
      reason: 'CONNECTION_MISCONFIGURED',
      message: `connection "${connection}" of ${provider} is misconfigured: ${reason}`,
    });
  }
  if (!adapter) throw connectionNotConfigured(provider, connection, registry.names(provider));
  return adapter;
}
