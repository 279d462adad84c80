import { z } from 'zod';
import { fingerprint } from '../fingerprint';
import { connectionName } from './common';
import type { ProviderTraits } from './traits';

/**
 * The longest token accepted. RFC 7009 sets no limit; self-contained JWT access tokens with many
 * claims run to several kilobytes, so this is generous while still refusing pasted files.
 */
export const oauth2TokenMaxLength = 16_384;

/** The `token_type_hint` values registered by RFC 7009 §4.1.2. */
export const oauth2TokenTypeHints = ['access_token', 'refresh_token'] as const;
export type OAuth2TokenTypeHint = (typeof oauth2TokenTypeHints)[number];

/**
 * RFC 7009 token revocation at any OAuth 2.0 authorization server. The request names the token and,
 * optionally, its type; how to reach the server and authenticate lives in the connection.
 */
export const oauth2Request = z.strictObject({
  provider: z.literal('oauth2'),
  connection: connectionName.default('default'),
  /** The access or refresh token to revoke. A secret: fingerprinted in every description. */
  token: z
    .string()
    .min(1, 'must not be empty')
    .max(oauth2TokenMaxLength, `must be at most ${oauth2TokenMaxLength} characters`)
    // RFC 6749 tokens are visible ASCII (VSCHAR); whitespace here is a copy-and-paste accident.
    .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII (RFC 6749 token characters)')
    .refine((s) => s.trim() === s, 'must not start or end with whitespace'),
  /** Sent as `token_type_hint`; only a hint: the server searches the other type too (RFC 7009 §2.1). */
  tokenTypeHint: z.enum(oauth2TokenTypeHints).optional(),
});

export type OAuth2Request = z.output<typeof oauth2Request>;

export function oauth2Target(r: OAuth2Request): string {
  return `${r.tokenTypeHint === undefined ? 'token' : r.tokenTypeHint.replace('_', ' ')} ${fingerprint(r.token)}`;
}

export const oauth2Traits: ProviderTraits<OAuth2Request> = {
  title: 'OAuth 2.0 (RFC 7009)',
  target: oauth2Target,
  secrets: (r) => [r.token],
  subject: () => undefined,
};
