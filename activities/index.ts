import type { ConnectionRegistry } from './connection-registry';
import { createYandexCloudActivities } from './yandex-cloud/activities';

export type { ConnectionRegistry } from './connection-registry';
export type * from './yandex-cloud/activities';
export type * from './yandex-cloud/adapter';

/** All activities, over injected connections (real ones in the worker, emulator-backed in tests). */
export function createActivities(deps: { connections: ConnectionRegistry }) {
  return {
    ...createYandexCloudActivities(deps.connections),
  };
}

export type Activities = ReturnType<typeof createActivities>;
