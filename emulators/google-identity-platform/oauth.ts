import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { googleError, type GoogleErrorBody } from './google-error';
import type { ServiceAccountKey, ServiceAccountSeed } from './public-types';

/** The audience Google's token endpoint requires in a service account's assertion (and what
 * google-auth-library signs, whatever the key file's token_uri says). */
export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
export const TOKEN_PATH = '/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Scopes that authorize `accounts:revokeToken` (the method's "Authorization scopes"). */
export const REVOKE_TOKEN_SCOPES = [
  'https://www.googleapis.com/auth/identitytoolkit',
  'https://www.googleapis.com/auth/cloud-platform',
] as const;
const SERVICE = 'identitytoolkit.googleapis.com';
const METHOD = 'google.cloud.identitytoolkit.v2.AuthenticationService.RevokeToken';
const ACCESS_TOKEN_SECONDS = 3599;
const CLOCK_SKEW_SECONDS = 60;

interface Registered {
  clientEmail: string;
  keyId: string;
  publicKey: KeyObject;
}

interface IssuedAccessToken {
  clientEmail: string;
  scopes: ReadonlySet<string>;
  expiresAt: number;
}

/** An OAuth 2.0 error of the token endpoint (RFC 6749 §5.2), as Google's answers it. */
export interface TokenError {
  status: number;
  body: { error: string; error_description: string };
}

export type TokenAnswer =
  | {
      ok: true;
      body: { access_token: string; expires_in: number; token_type: 'Bearer' };
      clientEmail: string;
    }
  | ({ ok: false } & TokenError);

export type BearerCheck =
  | { ok: true; clientEmail: string }
  | { ok: false; status: number; body: GoogleErrorBody; reason: string; headers: Record<string, string> };

const tokenError = (status: number, error: string, description: string): TokenAnswer => ({
  ok: false,
  status,
  body: { error, error_description: description },
});

const shortLived =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Service accounts, Google's OAuth 2.0 token endpoint for them (the JWT bearer grant, RFC 7523) and
 * the access tokens it issued. Only public keys are kept: the private key goes to the caller in a key
 * file, as the Cloud console hands it out.
 */
export class ServiceAccounts {
  private readonly accounts = new Map<string, Registered>();
  private readonly tokens = new Map<string, IssuedAccessToken>();

  /** Registers the public half; returns the private half as a service account key file's JSON. */
  create(seed: ServiceAccountSeed, tokenUri: string): ServiceAccountKey {
    const projectId = seed.projectId ?? 'emulator-project';
    const clientEmail =
      seed.clientEmail ?? `revoker-${randomBytes(3).toString('hex')}@${projectId}.iam.gserviceaccount.com`;
    if (this.accounts.has(clientEmail)) throw new Error(`service account ${clientEmail} exists already`);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyId = randomBytes(20).toString('hex');
    this.accounts.set(clientEmail, { clientEmail, keyId, publicKey });
    return {
      type: 'service_account',
      project_id: projectId,
      private_key_id: keyId,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: clientEmail,
      client_id: String(100_000_000_000_000_000_000n + BigInt(`0x${randomBytes(8).toString('hex')}`)),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: tokenUri,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      universe_domain: 'googleapis.com',
    };
  }

  /** Every access token issued so far expires now (the next call gets 401, a fresh token works). */
  expireAccessTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  /** `POST /token` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…`. */
  exchange(form: URLSearchParams, now = Date.now()): TokenAnswer {
    const grantType = form.get('grant_type');
    if (grantType !== JWT_BEARER) {
      return tokenError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
    }
    const parts = (form.get('assertion') ?? '').split('.');
    const [h, p, sig] = parts;
    const header = h !== undefined ? decodePart(h) : undefined;
    const claims = p !== undefined ? decodePart(p) : undefined;
    if (parts.length !== 3 || !header || !claims || sig === undefined) {
      return tokenError(400, 'invalid_request', 'Invalid JWT: could not be parsed.');
    }
    const account = typeof claims.iss === 'string' ? this.accounts.get(claims.iss) : undefined;
    if (!account) return tokenError(400, 'invalid_grant', 'Invalid grant: account not found');
    const signed = header.alg === 'RS256' && (header.kid === undefined || header.kid === account.keyId);
    const valid =
      signed &&
      verify('RSA-SHA256', Buffer.from(`${h}.${p}`), account.publicKey, Buffer.from(sig, 'base64url'));
    if (!valid) return tokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
    if (claims.aud !== GOOGLE_TOKEN_AUDIENCE) {
      return tokenError(
        400,
        'invalid_grant',
        `Invalid JWT: Failed audience check. The expected audience is ${GOOGLE_TOKEN_AUDIENCE}.`,
      );
    }
    const { iat, exp } = claims;
    const nowS = Math.floor(now / 1000);
    if (
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      exp - iat > 3600 ||
      exp < nowS - CLOCK_SKEW_SECONDS ||
      iat > nowS + CLOCK_SKEW_SECONDS
    ) {
      return tokenError(400, 'invalid_grant', shortLived);
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0) {
      return tokenError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    const accessToken = `ya29.c.emulator-${randomBytes(32).toString('base64url')}`;
    this.tokens.set(accessToken, {
      clientEmail: account.clientEmail,
      scopes: new Set(scopes),
      expiresAt: now + ACCESS_TOKEN_SECONDS * 1000,
    });
    return {
      ok: true,
      clientEmail: account.clientEmail,
      body: { access_token: accessToken, expires_in: ACCESS_TOKEN_SECONDS, token_type: 'Bearer' },
    };
  }

  /** Every access token issued so far (for tests that scan for leaks). */
  issued(): string[] {
    return [...this.tokens.keys()];
  }

  /** The scopes an issued access token carries (for assertions), or undefined. */
  scopesOf(accessToken: string): string[] | undefined {
    const t = this.tokens.get(accessToken);
    return t ? [...t.scopes] : undefined;
  }

  /**
   * Google's front end for `Authorization: Bearer …`: an unknown or expired token is 401
   * UNAUTHENTICATED; a valid one without a revokeToken scope is 403 PERMISSION_DENIED with
   * ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT, and WWW-Authenticate names the scopes it needs.
   */
  checkBearer(authorization: string, now = Date.now()): BearerCheck {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const token = m?.[1] !== undefined ? this.tokens.get(m[1]) : undefined;
    if (!token || token.expiresAt <= now) {
      return {
        ok: false,
        status: 401,
        reason: token ? 'ACCESS_TOKEN_EXPIRED' : 'ACCESS_TOKEN_INVALID',
        headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
        body: unauthenticated(),
      };
    }
    if (!REVOKE_TOKEN_SCOPES.some((s) => token.scopes.has(s))) {
      return {
        ok: false,
        status: 403,
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        headers: {
          'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${REVOKE_TOKEN_SCOPES.join(' ')}"`,
        },
        body: scopeInsufficient(),
      };
    }
    return { ok: true, clientEmail: token.clientEmail };
  }
}

const errorInfo = (reason: string) => ({
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason,
  domain: 'googleapis.com',
  metadata: { service: SERVICE, method: METHOD },
});

/**
 * 403 for a token without the method's scopes, as Google's front end words it for every API: the
 * body quoted in the public report analogdotnow/Analog#296 (Calendar: same message, errors[] reason
 * insufficientPermissions, ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT with service and method), with
 * the WWW-Authenticate header quoted in kwent/react-google-contacts#6. The method name is the RPC's
 * full name as Identity Toolkit v2 publishes it (AuthenticationService). Not in shared/reference.
 */
export function scopeInsufficient(): GoogleErrorBody {
  const body = googleError(
    403,
    'Request had insufficient authentication scopes.',
    [errorInfo('ACCESS_TOKEN_SCOPE_INSUFFICIENT')],
    'insufficientPermissions',
  );
  const [first] = body.error.errors;
  if (first) first.message = 'Insufficient Permission';
  return body;
}

function unauthenticated(): GoogleErrorBody {
  const body = googleError(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    [errorInfo('ACCESS_TOKEN_TYPE_UNSUPPORTED')],
    'authError',
  );
  const [first] = body.error.errors;
  if (first) first.message = 'Invalid Credentials';
  return body;
}
