import { createAuthleteActivities } from './authlete/activities';
import type { EvidenceSink } from '../api';
import { createBulkActivities } from './bulk/activities';
import type { ConnectionRegistry } from './connection-registry';
import { createEvidenceActivities } from './evidence/activities';
import { createGoogleIdentityPlatformActivities } from './google-identity-platform/activities';
import { createOAuth2Activities } from './oauth2/activities';
import { createOpenPaymentsActivities } from './open-payments/activities';
import { createYandexCloudActivities } from './yandex-cloud/activities';

export type { AdapterProvider, ConnectionRegistry, ProviderAdapters } from './connection-registry';
export type * from './authlete/activities';
export type * from './bulk/activities';
export type * from './evidence/activities';
export type * from './google-identity-platform/activities';
export type * from './oauth2/activities';
export type * from './open-payments/activities';
export type * from './yandex-cloud/activities';
export type * from './yandex-cloud/adapter';

/** All activities, over injected connections (real ones in the worker, emulator-backed in tests). */
export function createActivities(deps: { connections: ConnectionRegistry; evidence?: EvidenceSink }) {
  const providerCalls = {
    ...createYandexCloudActivities(deps.connections),
    ...createAuthleteActivities(deps.connections),
    ...createGoogleIdentityPlatformActivities(deps.connections),
    ...createOpenPaymentsActivities(deps.connections),
    ...createOAuth2Activities(deps.connections),
  };
  return {
    ...providerCalls,
    ...createBulkActivities(deps.connections, providerCalls, deps.evidence),
    ...createEvidenceActivities(deps.evidence),
  };
}

export type Activities = ReturnType<typeof createActivities>;
