import { z } from 'zod';
import { yandexCloudRequest, yandexSecrets, yandexSubject, yandexTarget } from './yandex-cloud';

export * from './yandex-cloud';

/**
 * Everything a revocation can target, discriminated by `provider`. A new provider is a new member
 * here plus a row in `providerTraits`.
 */
export const revocationRequest = z.discriminatedUnion('provider', [yandexCloudRequest]);

export type RevocationRequest = z.output<typeof revocationRequest>;
/** What callers may send: `connection` may be omitted. */
export type RevocationRequestInput = z.input<typeof revocationRequest>;
export type ProviderKey = RevocationRequest['provider'];

interface ProviderTraits<R extends RevocationRequest> {
  /** Human name for summaries. */
  title: string;
  /** What is revoked, with secrets replaced by fingerprints. */
  target(r: R): string;
  /** The secret values a request carries, to scrub from any text that leaves the engine. */
  secrets(r: R): string[];
  /** The subject, when the request names one. */
  subject(r: R): string | undefined;
}

export const providerTraits: {
  [P in ProviderKey]: ProviderTraits<Extract<RevocationRequest, { provider: P }>>;
} = {
  'yandex-cloud': {
    title: 'Yandex Cloud IAM',
    target: yandexTarget,
    secrets: yandexSecrets,
    subject: yandexSubject,
  },
};

export const providerKeys = Object.keys(providerTraits) as ProviderKey[];

function traitsOf<R extends RevocationRequest>(r: R): ProviderTraits<R> {
  return providerTraits[r.provider] as unknown as ProviderTraits<R>;
}

export const describeTarget = (r: RevocationRequest): string => traitsOf(r).target(r);
export const secretsOf = (r: RevocationRequest): string[] => traitsOf(r).secrets(r);
export const subjectOf = (r: RevocationRequest): string | undefined => traitsOf(r).subject(r);
export const providerTitle = (r: RevocationRequest): string => traitsOf(r).title;
