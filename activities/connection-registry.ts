import type { AuthleteAdapter } from './authlete/adapter';
import type { GoogleIdentityPlatformAdapter } from './google-identity-platform/adapter';
import type { OAuth2Adapter } from './oauth2/adapter';
import type { OpenPaymentsAdapter } from './open-payments/adapter';
import { connectionNotConfigured } from './provider-failure';
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

/** The adapter for a request's connection. Thrown when not configured: a non-retryable FAILED_PRECONDITION. */
export function requireAdapter<P extends AdapterProvider>(
  registry: ConnectionRegistry,
  provider: P,
  connection: string,
): ProviderAdapters[P] {
  const adapter = registry.get(provider, connection);
  if (!adapter) throw connectionNotConfigured(provider, connection, registry.names(provider));
  return adapter;
}
