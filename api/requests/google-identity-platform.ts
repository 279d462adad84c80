import { z } from 'zod';
import { fingerprint } from '../fingerprint';
import {
  boundedString,
  connectionName,
  isSafeIdentifier,
  tokenString,
  unsafeIdentifierMessage,
} from './common';
import type { ProviderTraits } from './traits';

/** `tokenType` names of Identity Toolkit v2 `accounts:revokeToken` (TOKEN_TYPE_UNSPECIFIED is refused). */
export const googleTokenTypes = ['REFRESH_TOKEN', 'ACCESS_TOKEN', 'CODE'] as const;
export type GoogleTokenType = (typeof googleTokenTypes)[number];

/** The only `providerId` the API accepts ("Currently only supports Apple Idp"). */
export const GOOGLE_REVOKE_PROVIDER_ID = 'apple.com';

/**
 * Bounds of our own: Apple tokens and codes are a few hundred characters, Identity Platform ID
 * tokens (JWTs) one to two thousand. Generous, so a real value never hits them.
 */
export const googleLimits = {
  token: 4096,
  idToken: 8192,
  tenantId: 128,
  redirectUri: 2048,
};

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const dnsLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Why `value` is not a redirect URI Google accepts for CODE ("must be HTTPS with a domain name, no IP
 * address or localhost"), or undefined when it is. The WHATWG parser canonicalises the host first, so
 * `https://0x7f.1/` is seen as 127.0.0.1 and an IDN as its xn-- form. Never quotes the value.
 */
export function redirectUriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL such as https://app.example.com/callback';
  }
  if (url.protocol !== 'https:') return 'must use https';
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  const host = url.hostname.replace(/\.$/, '');
  if (host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    return 'must name its host by domain name, not by IP address';
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not be localhost';
  const labels = host.split('.');
  const tld = labels.at(-1) ?? '';
  if (labels.length < 2 || !labels.every((l) => dnsLabel.test(l)) || /^\d+$/.test(tld)) {
    return 'must name its host by a fully qualified domain name such as app.example.com';
  }
  return undefined;
}

/**
 * Google Identity Platform (Identity Toolkit v2) `accounts:revokeToken`: revokes a Sign in with Apple
 * refresh token, access token or authorization code of the account the `idToken` belongs to. `token`
 * and `idToken` are secrets. Every rule Google states is checked here, so a bad request never leaves.
 */
export const googleIdentityPlatformRequest = z
  .strictObject({
    provider: z.literal('google-identity-platform'),
    connection: connectionName.default('default'),
    providerId: z.literal(GOOGLE_REVOKE_PROVIDER_ID, {
      error: `must be "${GOOGLE_REVOKE_PROVIDER_ID}" (Identity Platform revokes Sign in with Apple tokens only)`,
    }),
    tokenType: z.enum(googleTokenTypes, { error: `must be one of ${googleTokenTypes.join(', ')}` }),
    token: tokenString(googleLimits.token),
    idToken: boundedString(googleLimits.idToken).refine(
      (t) => jwtShape.test(t),
      'must be an Identity Platform ID token (a JWT: three base64url parts separated by ".")',
    ),
    tenantId: boundedString(googleLimits.tenantId)
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'must be letters, digits and "-"')
      .optional(),
    redirectUri: z
      .string()
      .max(googleLimits.redirectUri, `must be at most ${googleLimits.redirectUri} characters`)
      // The URL parser drops tabs and newlines; refuse them so what is checked is what is sent.
      .refine(isSafeIdentifier, unsafeIdentifierMessage)
      .refine((s) => s.trim() === s, 'must not start or end with whitespace')
      .optional(),
  })
  .superRefine((r, ctx) => {
    if (r.redirectUri === undefined) {
      if (r.tokenType === 'CODE') {
        ctx.addIssue({
          code: 'custom',
          path: ['redirectUri'],
          message: 'is required when tokenType is CODE (the redirect URI the code was issued for)',
        });
      }
      return;
    }
    const problem = redirectUriProblem(r.redirectUri);
    if (problem) ctx.addIssue({ code: 'custom', path: ['redirectUri'], message: problem });
  });

export type GoogleIdentityPlatformRequest = z.output<typeof googleIdentityPlatformRequest>;

const tokenTypeLabel: Record<GoogleTokenType, string> = {
  REFRESH_TOKEN: 'refresh token',
  ACCESS_TOKEN: 'access token',
  CODE: 'authorization code',
};

export function googleIdentityPlatformTarget(r: GoogleIdentityPlatformRequest): string {
  const tenant = r.tenantId !== undefined ? ` (tenant ${r.tenantId})` : '';
  return `${r.providerId} ${tokenTypeLabel[r.tokenType]} ${fingerprint(r.token)}${tenant}`;
}

export const googleIdentityPlatformTraits: ProviderTraits<GoogleIdentityPlatformRequest> = {
  title: 'Google Identity Platform',
  target: googleIdentityPlatformTarget,
  secrets: (r) => [r.token, r.idToken],
  // The account is inside the idToken; decoding it here would put a token-derived value in the open.
  subject: () => undefined,
};
