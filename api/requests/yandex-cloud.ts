import { z } from 'zod';
import { fingerprint } from '../fingerprint';
import { boundedString, connectionName, tokenString } from './common';
import type { ProviderTraits } from './traits';

/** Limits from yandex.cloud.iam.v1 refresh_token_service.proto. */
export const yandexLimits = {
  refreshTokenId: 50,
  refreshToken: 1000,
  clientId: 50,
  subjectId: 50,
  clientInstanceInfo: 1000,
};

const revokeFilter = z
  .strictObject({
    clientId: boundedString(yandexLimits.clientId).optional(),
    subjectId: boundedString(yandexLimits.subjectId).optional(),
    clientInstanceInfo: boundedString(yandexLimits.clientInstanceInfo).optional(),
  })
  .refine(
    (f) => f.clientId !== undefined || f.subjectId !== undefined || f.clientInstanceInfo !== undefined,
    {
      message:
        'must set at least one of clientId, subjectId, clientInstanceInfo (omit revokeFilter to revoke all tokens of the caller)',
    },
  );

/**
 * Yandex Cloud IAM `RefreshTokenService.Revoke`: at most one of `refreshTokenId`, `refreshToken`,
 * `revokeFilter`; none revokes every refresh token of the calling subject.
 */
export const yandexCloudRequest = z
  .strictObject({
    provider: z.literal('yandex-cloud'),
    connection: connectionName.default('default'),
    refreshTokenId: boundedString(yandexLimits.refreshTokenId).optional(),
    refreshToken: tokenString(yandexLimits.refreshToken).optional(),
    revokeFilter: revokeFilter.optional(),
  })
  .superRefine((r, ctx) => {
    const set = (['refreshTokenId', 'refreshToken', 'revokeFilter'] as const).filter(
      (k) => r[k] !== undefined,
    );
    if (set.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [set[1] as string],
        message: `only one of refreshTokenId, refreshToken, revokeFilter may be set (got ${set.join(' and ')})`,
      });
    }
  });

export type YandexCloudRequest = z.output<typeof yandexCloudRequest>;

/** What `RefreshTokenService.Revoke` gets: one of the selectors, or none (every token of the caller). */
export type YandexRevokeTarget =
  | { refreshTokenId: string }
  | { refreshToken: string }
  | { revokeFilter: { clientId?: string; subjectId?: string; clientInstanceInfo?: string } }
  | Record<string, never>;

export function yandexRevokeTarget(r: YandexCloudRequest): YandexRevokeTarget {
  if (r.refreshTokenId !== undefined) return { refreshTokenId: r.refreshTokenId };
  if (r.refreshToken !== undefined) return { refreshToken: r.refreshToken };
  if (r.revokeFilter !== undefined) return { revokeFilter: r.revokeFilter };
  return {};
}

export function yandexTarget(r: YandexCloudRequest): string {
  if (r.refreshTokenId !== undefined) return `refresh token id ${r.refreshTokenId}`;
  if (r.refreshToken !== undefined) return `refresh token ${fingerprint(r.refreshToken)}`;
  if (r.revokeFilter !== undefined) {
    const parts = Object.entries(r.revokeFilter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${k === 'clientInstanceInfo' ? fingerprint(String(v)) : String(v)}`);
    return `refresh tokens matching ${parts.join(', ')}`;
  }
  return 'all refresh tokens of the calling subject';
}

export function yandexSecrets(r: YandexCloudRequest): string[] {
  return r.refreshToken === undefined ? [] : [r.refreshToken];
}

export function yandexSubject(r: YandexCloudRequest): string | undefined {
  return r.revokeFilter?.subjectId;
}

export const yandexTraits: ProviderTraits<YandexCloudRequest> = {
  title: 'Yandex Cloud IAM',
  target: yandexTarget,
  secrets: yandexSecrets,
  subject: yandexSubject,
};
