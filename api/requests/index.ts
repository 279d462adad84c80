import { z } from 'zod';
import { authleteRequest, authleteTraits } from './authlete';
import { googleIdentityPlatformRequest, googleIdentityPlatformTraits } from './google-identity-platform';
import { oauth2Request, oauth2Traits } from './oauth2';
import { openPaymentsRequest, openPaymentsTraits } from './open-payments';
import type { ProviderTraits } from './traits';
import { yandexCloudRequest, yandexTraits } from './yandex-cloud';

export * from './authlete';
export * from './google-identity-platform';
export * from './oauth2';
export * from './open-payments';
export type { ProviderTraits } from './traits';
export * from './yandex-cloud';

/**
 * Everything a revocation can target, discriminated by `provider`. A new provider is a new member
 * here plus a row in `providerTraits`.
 */
export const revocationRequest = z.discriminatedUnion('provider', [
  yandexCloudRequest,
  authleteRequest,
  googleIdentityPlatformRequest,
  openPaymentsRequest,
  oauth2Request,
]);

export type RevocationRequest = z.output<typeof revocationRequest>;
/** What callers may send: `connection` may be omitted. */
export type RevocationRequestInput = z.input<typeof revocationRequest>;
export type ProviderKey = RevocationRequest['provider'];

export const providerTraits: {
  [P in ProviderKey]: ProviderTraits<Extract<RevocationRequest, { provider: P }>>;
} = {
  'yandex-cloud': yandexTraits,
  authlete: authleteTraits,
  'google-identity-platform': googleIdentityPlatformTraits,
  'open-payments': openPaymentsTraits,
  oauth2: oauth2Traits,
};

export const providerKeys = Object.keys(providerTraits) as ProviderKey[];

function traitsOf<R extends RevocationRequest>(r: R): ProviderTraits<R> {
  return providerTraits[r.provider] as unknown as ProviderTraits<R>;
}

export const describeTarget = (r: RevocationRequest): string => traitsOf(r).target(r);
export const secretsOf = (r: RevocationRequest): string[] => traitsOf(r).secrets(r);
export const subjectOf = (r: RevocationRequest): string | undefined => traitsOf(r).subject(r);
export const providerTitle = (r: RevocationRequest): string => traitsOf(r).title;
