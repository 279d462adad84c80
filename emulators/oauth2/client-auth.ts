import { constants, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { OAuth2EmulatorAuthMethod, OAuth2EmulatorClient } from './public-types';

export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** JWS algorithms the emulator verifies for private_key_jwt. */
export const assertionAlgs = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
] as const;

export type ClientAuthResult =
  | {
      ok: true;
      clientId: string;
      method: OAuth2EmulatorAuthMethod;
      assertion?: { alg: string; aud: string | string[] };
    }
  | {
      ok: false;
      status: 400 | 401;
      error: 'invalid_client' | 'invalid_request';
      description: string;
      /** RFC 6749 §5.2: a client that used the Authorization header gets a WWW-Authenticate challenge. */
      usedAuthorizationHeader: boolean;
      clientId?: string;
      assertion?: { alg: string; aud: string | string[] };
    };

export interface ClientAuthContext {
  clients: ReadonlyMap<string, OAuth2EmulatorClient>;
  /** Accepted assertion audiences: the issuer, the revocation endpoint, the token endpoint. */
  audiences: readonly string[];
  /** jti → expiry (epoch s), for replay detection. */
  seenJtis: Map<string, number>;
  now?: number;
}

/** The method a request uses, by its shape; `multiple` when it mixes them (RFC 6749 §2.3 forbids that). */
export function detectAuthMethod(
  headers: IncomingHttpHeaders,
  form: URLSearchParams,
): OAuth2EmulatorAuthMethod | 'multiple' | undefined {
  const used: OAuth2EmulatorAuthMethod[] = [];
  if (/^basic\s/i.test(headers.authorization ?? '')) used.push('client_secret_basic');
  if (form.has('client_secret')) used.push('client_secret_post');
  if (form.has('client_assertion') || form.has('client_assertion_type')) used.push('private_key_jwt');
  if (used.length > 1) return 'multiple';
  if (used.length === 1) return used[0];
  return form.has('client_id') ? 'none' : undefined;
}

/** application/x-www-form-urlencoded decoding, as RFC 6749 §2.3.1 applies it to Basic credentials. */
function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, '%20'));
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function b64urlJson(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function verifySignature(alg: string, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const hash = `sha${alg.slice(2)}`;
  try {
    switch (alg) {
      case 'ES256':
      case 'ES384':
      case 'ES512':
        return (
          key.asymmetricKeyType === 'ec' && verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
        );
      case 'RS256':
      case 'RS384':
      case 'RS512':
        return key.asymmetricKeyType === 'rsa' && verify(hash, data, key, signature);
      case 'PS256':
      case 'PS384':
      case 'PS512':
        return (
          (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') &&
          verify(
            hash,
            data,
            { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 },
            signature,
          )
        );
      case 'EdDSA':
      case 'Ed25519':
        return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

const skewSeconds = 5;

/**
 * RFC 7523 §3 checks of a private_key_jwt assertion: signature by the client's registered key,
 * iss = sub = client_id, aud one of ours, exp in the future, nbf/iat not in the future, a jti not
 * seen before. Returns what is wrong, or the client id and the assertion's alg/aud.
 */
function verifyAssertion(
  assertion: string,
  bodyClientId: string | null,
  ctx: ClientAuthContext,
): { clientId?: string; problem?: string; alg?: string; aud?: string | string[] } {
  const parts = assertion.split('.');
  if (parts.length !== 3) return { problem: 'client_assertion is not a compact JWS' };
  const [h, p, s] = parts as [string, string, string];
  const header = b64urlJson(h);
  const claims = b64urlJson(p);
  if (!header || !claims) return { problem: 'client_assertion header or claims are not JSON' };
  const alg = typeof header.alg === 'string' ? header.alg : '';
  const iss = claims.iss;
  const aud = claims.aud;
  const audience =
    typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))
      ? (aud as string | string[])
      : undefined;
  const seen = { alg, ...(audience !== undefined ? { aud: audience } : {}) };
  if (typeof iss !== 'string' || claims.sub !== iss)
    return { ...seen, problem: 'iss and sub must both be the client_id' };
  if (bodyClientId !== null && bodyClientId !== iss)
    return { ...seen, problem: 'client_id does not match the assertion' };
  const client = ctx.clients.get(iss);
  if (!client) return { ...seen, problem: 'unknown client' };
  if (client.authMethod !== 'private_key_jwt' || !client.publicKeyPem) {
    return { ...seen, clientId: iss, problem: `client is registered for ${client.authMethod}` };
  }
  if (!(assertionAlgs as readonly string[]).includes(alg))
    return { ...seen, clientId: iss, problem: `alg ${alg || '(none)'} is not supported` };
  const key = createPublicKey(client.publicKeyPem);
  if (!verifySignature(alg, key, Buffer.from(`${h}.${p}`), Buffer.from(s, 'base64url'))) {
    return { ...seen, clientId: iss, problem: 'client_assertion signature is invalid' };
  }
  const audiences = typeof audience === 'string' ? [audience] : (audience ?? []);
  if (!audiences.some((a) => ctx.audiences.includes(a))) {
    return { ...seen, clientId: iss, problem: 'aud must name this authorization server' };
  }
  const now = Math.floor((ctx.now ?? Date.now()) / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= now - skewSeconds) {
    return { ...seen, clientId: iss, problem: 'client_assertion is expired or has no exp' };
  }
  for (const claim of ['nbf', 'iat'] as const) {
    const v = claims[claim];
    if (v !== undefined && (typeof v !== 'number' || v > now + skewSeconds)) {
      return { ...seen, clientId: iss, problem: `${claim} is in the future` };
    }
  }
  if (typeof claims.jti !== 'string' || claims.jti.length === 0)
    return { ...seen, clientId: iss, problem: 'jti is missing' };
  for (const [jti, exp] of ctx.seenJtis) if (exp < now - skewSeconds) ctx.seenJtis.delete(jti);
  const jtiKey = `${iss}\u0000${claims.jti}`;
  if (ctx.seenJtis.has(jtiKey)) return { ...seen, clientId: iss, problem: 'jti was already used (replay)' };
  ctx.seenJtis.set(jtiKey, claims.exp);
  return { ...seen, clientId: iss };
}

/** Authenticates the client of a revocation request with the one method it is registered for. */
export function authenticateClient(
  headers: IncomingHttpHeaders,
  form: URLSearchParams,
  ctx: ClientAuthContext,
): ClientAuthResult {
  const method = detectAuthMethod(headers, form);
  const usedAuthorizationHeader = headers.authorization !== undefined;
  const fail = (
    description: string,
    extra: { clientId?: string; assertion?: { alg: string; aud: string | string[] } } = {},
  ): ClientAuthResult => ({
    ok: false,
    status: 401,
    error: 'invalid_client',
    description,
    usedAuthorizationHeader,
    ...extra,
  });

  if (method === 'multiple') {
    return {
      ok: false,
      status: 400,
      error: 'invalid_request',
      description: 'more than one client authentication method was used',
      usedAuthorizationHeader,
    };
  }
  if (method === undefined) return fail('client authentication is required');

  if (method === 'client_secret_basic') {
    const encoded = (headers.authorization ?? '').replace(/^basic\s+/i, '');
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return fail('malformed Basic credentials');
    let clientId: string;
    let secret: string;
    try {
      clientId = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    } catch {
      return fail('malformed Basic credentials');
    }
    const bodyClientId = form.get('client_id');
    if (bodyClientId !== null && bodyClientId !== clientId)
      return fail('client_id does not match', { clientId });
    return checkSecret(ctx.clients.get(clientId), clientId, secret, method, fail);
  }

  const clientId = form.get('client_id');
  if (method === 'client_secret_post') {
    if (clientId === null) return fail('client_id is required');
    return checkSecret(ctx.clients.get(clientId), clientId, form.get('client_secret') ?? '', method, fail);
  }

  if (method === 'private_key_jwt') {
    if (form.get('client_assertion_type') !== jwtBearerAssertionType) {
      return fail(`client_assertion_type must be ${jwtBearerAssertionType}`);
    }
    const result = verifyAssertion(form.get('client_assertion') ?? '', clientId, ctx);
    const assertion = result.alg !== undefined ? { alg: result.alg, aud: result.aud ?? [] } : undefined;
    const extra = {
      ...(result.clientId ? { clientId: result.clientId } : {}),
      ...(assertion ? { assertion } : {}),
    };
    if (result.problem || !result.clientId) return fail(result.problem ?? 'invalid client_assertion', extra);
    return { ok: true, clientId: result.clientId, method, ...(assertion ? { assertion } : {}) };
  }

  // none: a public client names itself and proves nothing (RFC 7009 §2.1 allows public clients).
  const client = clientId === null ? undefined : ctx.clients.get(clientId);
  if (!client || clientId === null) return fail('unknown client');
  if (client.authMethod !== 'none')
    return fail(`client is registered for ${client.authMethod}`, { clientId });
  return { ok: true, clientId, method };
}

function checkSecret(
  client: OAuth2EmulatorClient | undefined,
  clientId: string,
  secret: string,
  method: 'client_secret_basic' | 'client_secret_post',
  fail: (d: string, e?: { clientId?: string }) => ClientAuthResult,
): ClientAuthResult {
  if (!client) return fail('unknown client', { clientId });
  if (client.authMethod !== method)
    return fail(`client is registered for ${client.authMethod}`, { clientId });
  if (!client.clientSecret || !sameSecret(client.clientSecret, secret))
    return fail('wrong client secret', { clientId });
  return { ok: true, clientId, method };
}
