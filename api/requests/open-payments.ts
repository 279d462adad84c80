import { z } from 'zod';
import { fingerprint } from '../fingerprint';
import { connectionName, isSafeIdentifier, tokenString, unsafeIdentifierMessage } from './common';
import type { ProviderTraits } from './traits';

/** Limits of our own choosing: Rafiki's tokens are 20-odd characters, its URLs well under 200. */
export const openPaymentsLimits = {
  url: 2048,
  token: 4096,
};

/**
 * An absolute http(s) URL as the auth server issued it. Whether plain http is allowed depends on the
 * connection (`allowInsecureHttp`), which validation cannot see; the adapter enforces that.
 */
const authServerUrl = z
  .string()
  .min(1, 'must not be empty')
  .max(openPaymentsLimits.url, `must be at most ${openPaymentsLimits.url} characters`)
  .superRefine((value, ctx) => {
    // The URL parser drops tabs, newlines and edge controls; refuse them so what is checked is what is called.
    if (!isSafeIdentifier(value)) {
      ctx.addIssue({ code: 'custom', message: unsafeIdentifierMessage });
      return;
    }
    if (value.trim() !== value) {
      ctx.addIssue({ code: 'custom', message: 'must not start or end with whitespace' });
      return;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute URL (https://...)' });
      return;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: 'must be an https (or, for local servers, http) URL' });
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password' });
    }
    if (url.hash) ctx.addIssue({ code: 'custom', message: 'must not contain a fragment (#...)' });
  });

const base = {
  provider: z.literal('open-payments'),
  connection: connectionName.default('default'),
};

/** GNAP token management: `DELETE {manageUrl}` with `Authorization: GNAP {accessToken}`. */
export const openPaymentsRevokeTokenRequest = z.strictObject({
  ...base,
  action: z.literal('revokeToken'),
  /** The access token's `manage` URL, as the auth server returned it with the token. */
  manageUrl: authServerUrl,
  /** The access token's value (a secret). */
  accessToken: tokenString(openPaymentsLimits.token),
});

/** GNAP grant revocation: `DELETE {continueUri}` with `Authorization: GNAP {continueToken}`. */
export const openPaymentsCancelGrantRequest = z.strictObject({
  ...base,
  action: z.literal('cancelGrant'),
  /** The grant's `continue.uri`. */
  continueUri: authServerUrl,
  /** The grant's `continue.access_token.value` (a secret). */
  continueToken: tokenString(openPaymentsLimits.token),
});

/** Open Payments (GNAP, RFC 9635): revoke one access token, or cancel a whole grant. */
export const openPaymentsRequest = z.discriminatedUnion(
  'action',
  [openPaymentsRevokeTokenRequest, openPaymentsCancelGrantRequest],
  {
    error:
      'must be "revokeToken" (with manageUrl, accessToken) or "cancelGrant" (with continueUri, continueToken)',
  },
);

export type OpenPaymentsRequest = z.output<typeof openPaymentsRequest>;
export type OpenPaymentsRevokeTokenRequest = z.output<typeof openPaymentsRevokeTokenRequest>;
export type OpenPaymentsCancelGrantRequest = z.output<typeof openPaymentsCancelGrantRequest>;

/** URLs are shown (they hold ids, not secrets) but shortened so a description stays readable. */
function shortUrl(url: string): string {
  return url.length <= 120 ? url : `${url.slice(0, 117)}...`;
}

export function openPaymentsTarget(r: OpenPaymentsRequest): string {
  if (r.action === 'revokeToken') {
    return `access token ${fingerprint(r.accessToken)} (manage ${shortUrl(r.manageUrl)})`;
  }
  return `grant ${shortUrl(r.continueUri)} (continue token ${fingerprint(r.continueToken)})`;
}

export function openPaymentsSecrets(r: OpenPaymentsRequest): string[] {
  return [r.action === 'revokeToken' ? r.accessToken : r.continueToken];
}

export const openPaymentsTraits: ProviderTraits<OpenPaymentsRequest> = {
  title: 'Open Payments',
  target: openPaymentsTarget,
  secrets: openPaymentsSecrets,
  subject: () => undefined,
};
