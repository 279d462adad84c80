import type { YandexCloudAdapter } from './yandex-cloud/adapter';

/** The worker's configured connections, by provider and name. Built by worker/, faked by nobody. */
export interface ConnectionRegistry {
  yandexCloud(connection: string): YandexCloudAdapter | undefined;
  names(provider: string): string[];
}
