import { z } from 'zod';
import { fingerprint } from '../fingerprint';
import { boundedString, connectionName, tokenString } from './common';
import type { ProviderTraits } from './traits';

/**
 * Limits. Authlete service ids are numeric (authlete-java-common formats them with `%d`); a
 * subject is at most 100 ASCII characters (`/auth/token/create`). The other two are ours: an
 * identifier is a token value or its 43-character hash, a client identifier a number or an alias.
 */
export const authleteLimits = {
  serviceIdDigits: 19,
  tokenIdentifier: 2048,
  clientIdentifier: 256,
  subject: 100,
};

/** What the engine can do to Authlete tokens: `/auth/token/revoke` or `/auth/token/delete/{id}`. */
export const authleteActions = ['revoke', 'delete'] as const;
export type AuthleteAction = (typeof authleteActions)[number];

const serviceIdText = z
  .string()
  .regex(
    new RegExp(`^[1-9][0-9]{0,${authleteLimits.serviceIdDigits - 1}}$`),
    'must be a numeric Authlete service ID such as "715948317"',
  );

/** A string of digits; a safe integer is accepted too (callers whose JSON has numbers) and becomes a string. */
export const authleteServiceId = z.preprocess(
  (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? String(v) : v),
  serviceIdText,
) as unknown as z.ZodType<string, string | number>;

const selectorFields = [
  'accessTokenIdentifier',
  'refreshTokenIdentifier',
  'clientIdentifier',
  'subject',
] as const;

/**
 * Authlete token management (v3 API, `/api/{serviceId}/auth/token/...`).
 *
 * `action: "revoke"` (default) follows Authlete's precedence, and refuses combinations Authlete would
 * silently ignore: `accessTokenIdentifier` alone; `refreshTokenIdentifier` alone; `clientIdentifier`
 * and/or `subject`. `action: "delete"` takes `accessTokenIdentifier` only. Token identifiers are the
 * token value or its hash; both are treated as secrets (the two look alike: 43 base64url characters).
 */
export const authleteRequest = z
  .strictObject({
    provider: z.literal('authlete'),
    connection: connectionName.default('default'),
    serviceId: authleteServiceId,
    action: z.enum(authleteActions, { error: 'must be "revoke" or "delete"' }).default('revoke'),
    accessTokenIdentifier: tokenString(authleteLimits.tokenIdentifier).optional(),
    refreshTokenIdentifier: tokenString(authleteLimits.tokenIdentifier).optional(),
    clientIdentifier: boundedString(authleteLimits.clientIdentifier).optional(),
    subject: boundedString(authleteLimits.subject)
      .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII (Authlete subjects are ASCII)')
      .optional(),
  })
  .superRefine((r, ctx) => {
    const given = selectorFields.filter((k) => r[k] !== undefined);
    const issue = (field: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [field], message });
    if (r.action === 'delete') {
      if (r.accessTokenIdentifier === undefined) {
        issue('accessTokenIdentifier', 'is required when action is "delete" (the token value or its hash)');
      }
      for (const k of given.filter((g) => g !== 'accessTokenIdentifier')) {
        issue(k, 'is not used by action "delete", which deletes one access token by accessTokenIdentifier');
      }
      return;
    }
    if (given.length === 0) {
      issue(
        'accessTokenIdentifier',
        'give accessTokenIdentifier, refreshTokenIdentifier, clientIdentifier and/or subject (Authlete refuses a revoke with none)',
      );
      return;
    }
    // Authlete takes the first selector in precedence order and ignores the rest; a caller who sent
    // more probably meant "and", so refuse instead of revoking something else than intended.
    const [first] = given;
    if (first === 'accessTokenIdentifier' || first === 'refreshTokenIdentifier') {
      for (const k of given.slice(1)) {
        issue(
          k,
          `cannot be combined with ${first}: Authlete would ignore it and revoke only that token and its pair`,
        );
      }
    }
  });

export type AuthleteRequest = z.output<typeof authleteRequest>;

/** Which of Authlete's revoke modes a request uses, in Authlete's precedence order. */
export type AuthleteSelector = 'accessToken' | 'refreshToken' | 'clientAndSubject' | 'client' | 'subject';

export function authleteSelector(r: AuthleteRequest): AuthleteSelector {
  if (r.accessTokenIdentifier !== undefined) return 'accessToken';
  if (r.refreshTokenIdentifier !== undefined) return 'refreshToken';
  if (r.clientIdentifier !== undefined && r.subject !== undefined) return 'clientAndSubject';
  if (r.clientIdentifier !== undefined) return 'client';
  return 'subject';
}

export function authleteTarget(r: AuthleteRequest): string {
  const at = `in service ${r.serviceId}`;
  if (r.action === 'delete') {
    return `access token ${fingerprint(r.accessTokenIdentifier ?? '')} and its refresh token (delete) ${at}`;
  }
  switch (authleteSelector(r)) {
    case 'accessToken':
      return `access token ${fingerprint(r.accessTokenIdentifier ?? '')} and its refresh token ${at}`;
    case 'refreshToken':
      return `refresh token ${fingerprint(r.refreshTokenIdentifier ?? '')} and its access token ${at}`;
    case 'clientAndSubject':
      return `tokens of subject ${r.subject} issued to client ${r.clientIdentifier} ${at}`;
    case 'client':
      return `all tokens issued to client ${r.clientIdentifier} ${at}`;
    case 'subject':
      return `all tokens of subject ${r.subject} ${at}`;
  }
}

export function authleteSecrets(r: AuthleteRequest): string[] {
  return [r.accessTokenIdentifier, r.refreshTokenIdentifier].filter((s): s is string => s !== undefined);
}

export const authleteTraits: ProviderTraits<AuthleteRequest> = {
  title: 'Authlete',
  target: authleteTarget,
  secrets: authleteSecrets,
  subject: (r) => r.subject,
};
