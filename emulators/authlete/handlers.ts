import { randomUUID } from 'node:crypto';
import type { AuthleteStoredToken } from './public-types';
import { authleteTokenHash, isValid, newTokenValue, type Service, type TokenStore } from './store';

/** An answer: status and JSON body (none for 204). */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Authlete-style results: `[Code] /api/path, message.` Codes A001202, A001101, A109001, A135001 and
 * A312001 (and their texts) are from Authlete's OpenAPI spec; the other codes are this emulator's.
 */
export function result(
  status: number,
  resultCode: string,
  apiPath: string,
  message: string,
  extra = {},
): Reply {
  return { status, body: { resultCode, resultMessage: `[${resultCode}] ${apiPath}, ${message}`, ...extra } };
}

const GRANT_TYPES = new Set([
  'AUTHORIZATION_CODE',
  'IMPLICIT',
  'PASSWORD',
  'CLIENT_CREDENTIALS',
  'REFRESH_TOKEN',
  'CIBA',
  'DEVICE_CODE',
  'TOKEN_EXCHANGE',
  'JWT_BEARER',
  'PRE_AUTHORIZED_CODE',
]);

type Body = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
};
const strings = (v: unknown): string[] | undefined => {
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  if (typeof v === 'string') return v.split(/\s+/).filter(Boolean); // form encoding: space-separated
  return undefined;
};
const bool = (v: unknown): boolean => v === true || v === 'true';

function listed(t: AuthleteStoredToken) {
  return {
    accessTokenHash: t.accessTokenHash,
    accessTokenExpiresAt: t.accessTokenExpiresAt,
    ...(t.refreshTokenHash !== undefined
      ? { refreshTokenHash: t.refreshTokenHash, refreshTokenExpiresAt: t.refreshTokenExpiresAt }
      : {}),
    createdAt: t.createdAt,
    lastRefreshedAt: t.lastRefreshedAt,
    clientId: t.clientId,
    ...(t.subject !== undefined ? { subject: t.subject } : {}),
    grantType: t.grantType,
    scopes: t.scopes,
    ...(t.properties.length > 0 ? { properties: t.properties.filter((p) => !p.hidden) } : {}),
    ...(t.refreshTokenScopes ? { refreshTokenScopes: t.refreshTokenScopes } : {}),
  };
}

/** `GET /api/{serviceId}/auth/token/get/list`: `start` inclusive (0), `end` exclusive (5). */
export function listTokens(store: TokenStore, service: Service, query: URLSearchParams): Reply {
  const path = '/auth/token/get/list';
  const start = query.has('start') ? num(query.get('start')) : 0;
  const end = query.has('end') ? num(query.get('end')) : 5;
  if (start === undefined || end === undefined || start < 0 || end < start) {
    return result(400, 'A300201', path, 'start and end must be integers with 0 <= start <= end.');
  }
  const status = query.get('tokenStatus') ?? 'ALL';
  if (!['VALID', 'INVALID', 'ALL'].includes(status)) {
    return result(400, 'A300202', path, 'tokenStatus must be VALID, INVALID or ALL.');
  }
  const clientIdentifier = str(query.get('clientIdentifier'));
  const subject = str(query.get('subject'));
  const client = clientIdentifier !== undefined ? store.client(service, clientIdentifier) : undefined;
  if (clientIdentifier !== undefined && !client) {
    return result(404, 'A300301', path, `The client (identifier = ${clientIdentifier}) does not exist.`);
  }
  const now = Date.now();
  const matching = service.tokens.filter(
    (t) =>
      (!client || t.clientId === client.clientId) &&
      (subject === undefined || t.subject === subject) &&
      (status === 'ALL' || isValid(t, now) === (status === 'VALID')),
  );
  return {
    status: 200,
    body: {
      start,
      end,
      totalCount: matching.length,
      ...(client
        ? {
            client: {
              clientId: client.clientId,
              ...(client.clientIdAlias !== undefined ? { clientIdAlias: client.clientIdAlias } : {}),
              clientIdAliasEnabled: client.clientIdAlias !== undefined,
              clientName: client.clientName ?? `client ${client.clientId}`,
              clientType: client.clientType ?? 'CONFIDENTIAL',
              number: client.clientId % 10_000,
            },
          }
        : {}),
      ...(subject !== undefined ? { subject } : {}),
      accessTokens: matching.slice(start, end).map(listed),
    },
  };
}

/** `POST /api/{serviceId}/auth/token/create`. */
export function createToken(store: TokenStore, service: Service, body: Body): Reply {
  const path = '/auth/token/create';
  const bad = (code: string, message: string) => result(400, code, path, message, { action: 'BAD_REQUEST' });
  const grantType = str(body.grantType);
  if (!grantType || !GRANT_TYPES.has(grantType))
    return bad('A109201', 'grantType is missing or unsupported.');
  const identifier = num(body.clientId) ?? str(body.clientIdentifier);
  if (identifier === undefined) return bad('A109202', 'clientId or clientIdentifier is required.');
  const client = store.client(service, identifier);
  if (!client) return bad('A109203', `The client (ID = ${identifier}) does not exist.`);
  const subject = str(body.subject);
  if (grantType !== 'CLIENT_CREDENTIALS' && subject === undefined) {
    return bad('A109204', 'subject is required unless grantType is CLIENT_CREDENTIALS.');
  }
  if (subject !== undefined && !/^[\x20-\x7e]{1,100}$/.test(subject)) {
    return bad('A109205', 'subject must be 1-100 ASCII characters.');
  }
  const accessToken = str(body.accessToken);
  const refreshToken = str(body.refreshToken);
  if (accessToken !== undefined && store.findByAccess(service, accessToken)) {
    return bad('A109206', 'The access token already exists.');
  }
  if (refreshToken !== undefined && store.findByRefresh(service, refreshToken)) {
    return bad('A109207', 'The refresh token already exists.');
  }
  const now = Date.now();
  const accessSeconds = num(body.accessTokenDuration) || 3600;
  const refreshSeconds = num(body.refreshTokenDuration) || 86_400;
  const withRefresh = grantType !== 'IMPLICIT' && grantType !== 'CLIENT_CREDENTIALS';
  const token = store.add(
    {
      serviceId: service.serviceId,
      clientId: client.clientId,
      ...(subject !== undefined ? { subject } : {}),
      accessToken: accessToken ?? newTokenValue(),
      refreshToken: withRefresh ? (refreshToken ?? newTokenValue()) : null,
      scopes: strings(body.scopes) ?? [],
      grantType,
      accessTokenExpiresAt: bool(body.accessTokenPersistent) ? 0 : now + accessSeconds * 1000,
      refreshTokenExpiresAt: now + refreshSeconds * 1000,
    },
    now,
  );
  if (Array.isArray(body.properties)) token.properties = body.properties as AuthleteStoredToken['properties'];
  const code = 'A109001';
  return {
    status: 200,
    body: {
      resultCode: code,
      resultMessage: `[${code}] An access token was created successfully: ${grantType.toLowerCase()}, client = ${client.clientId}`,
      action: 'OK',
      accessToken: token.accessToken,
      clientId: client.clientId,
      expiresAt: token.accessTokenExpiresAt,
      expiresIn: token.accessTokenExpiresAt === 0 ? 0 : accessSeconds,
      grantType,
      properties: token.properties,
      ...(token.refreshToken !== undefined ? { refreshToken: token.refreshToken } : {}),
      scopes: token.scopes,
      ...(subject !== undefined ? { subject } : {}),
      tokenType: 'Bearer',
      tokenId: randomUUID(),
      ...(token.refreshTokenScopes ? { refreshTokenScopes: token.refreshTokenScopes } : {}),
      ...(str(body.clientIdentifier) ? { clientIdentifier: str(body.clientIdentifier) } : {}),
    },
  };
}

/** `POST /api/{serviceId}/auth/token/update`: by value (`accessToken`) or by `accessTokenHash`. */
export function updateToken(store: TokenStore, service: Service, body: Body): Reply {
  const path = '/auth/token/update';
  const value = str(body.accessToken);
  const identifier = value ?? str(body.accessTokenHash);
  if (identifier === undefined) {
    return result(400, 'A135201', path, 'accessToken or accessTokenHash is required.', {
      action: 'BAD_REQUEST',
    });
  }
  const token = store.findByAccess(service, identifier);
  if (!token) {
    return result(404, 'A135301', path, 'The access token does not exist.', { action: 'NOT_FOUND' });
  }
  const expiresAt = num(body.accessTokenExpiresAt);
  if (bool(body.accessTokenPersistent)) token.accessTokenExpiresAt = 0;
  else if (expiresAt !== undefined && expiresAt > 0) token.accessTokenExpiresAt = expiresAt;
  const refreshExpiresAt = num(body.refreshTokenExpiresAt);
  if (refreshExpiresAt !== undefined && refreshExpiresAt > 0 && token.refreshToken !== undefined) {
    token.refreshTokenExpiresAt = refreshExpiresAt;
  }
  const scopes = strings(body.scopes);
  if (scopes) token.scopes = [...scopes];
  if (Array.isArray(body.properties)) token.properties = body.properties as AuthleteStoredToken['properties'];
  let returnedValue = value;
  if (bool(body.accessTokenValueUpdated)) {
    const fresh = newTokenValue();
    token.accessToken = fresh;
    token.accessTokenHash = authleteTokenHash(fresh);
    returnedValue = fresh;
  }
  const code = 'A135001';
  return {
    status: 200,
    body: {
      resultCode: code,
      resultMessage: `[${code}] Updated the access token successfully.`,
      action: 'OK',
      ...(returnedValue !== undefined ? { accessToken: returnedValue } : {}),
      accessTokenExpiresAt: token.accessTokenExpiresAt,
      properties: token.properties,
      scopes: token.scopes,
      tokenType: 'Bearer',
      ...(token.refreshToken !== undefined ? { refreshTokenExpiresAt: token.refreshTokenExpiresAt } : {}),
    },
  };
}

/** `DELETE /api/{serviceId}/auth/token/delete/{accessTokenIdentifier}` → 204. */
export function deleteToken(store: TokenStore, service: Service, identifier: string, keep = false): Reply {
  const token = store.findByAccess(service, identifier);
  if (!token) return result(404, 'A314301', '/auth/token/delete', 'The access token does not exist.');
  if (!keep) store.remove(service, [token], 'delete');
  return { status: 204 };
}

/**
 * `POST /api/{serviceId}/auth/token/revoke`, in Authlete's precedence: accessTokenIdentifier;
 * refreshTokenIdentifier; clientIdentifier + subject; clientIdentifier; subject; none → 400.
 * Bulk modes revoke at most `max` tokens per call. An identifier matching nothing is 404. `keep`
 * answers the same but removes nothing (the keepTokens fault).
 */
export function revokeTokens(
  store: TokenStore,
  service: Service,
  body: Body,
  max: number,
  keep = false,
): Reply {
  const path = '/auth/token/revoke';
  const revoked = (tokens: AuthleteStoredToken[]) => {
    const count = keep ? tokens.length : store.remove(service, tokens, 'revoke');
    return {
      status: 200,
      body: { resultCode: 'A312001', resultMessage: `Revoked ${count} access token(s).`, count },
    };
  };
  const access = str(body.accessTokenIdentifier);
  if (access !== undefined) {
    const t = store.findByAccess(service, access);
    return t ? revoked([t]) : result(404, 'A312301', path, 'The access token was not found.');
  }
  const refresh = str(body.refreshTokenIdentifier);
  if (refresh !== undefined) {
    const t = store.findByRefresh(service, refresh);
    return t ? revoked([t]) : result(404, 'A312302', path, 'The refresh token was not found.');
  }
  const clientIdentifier = str(body.clientIdentifier);
  const subject = str(body.subject);
  if (clientIdentifier === undefined && subject === undefined) {
    return result(
      400,
      'A312201',
      path,
      'None of accessTokenIdentifier, refreshTokenIdentifier, clientIdentifier and subject is given.',
    );
  }
  const client = clientIdentifier !== undefined ? store.client(service, clientIdentifier) : undefined;
  if (clientIdentifier !== undefined && !client) {
    return result(404, 'A312303', path, `The client (identifier = ${clientIdentifier}) does not exist.`);
  }
  const matching = service.tokens.filter(
    (t) => (!client || t.clientId === client.clientId) && (subject === undefined || t.subject === subject),
  );
  return revoked(matching.slice(0, max));
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * `POST /api/{serviceId}/idtoken/reissue`: needs the access token and refresh token VALUES of one
 * pair, the refresh token unexpired, and the `openid` scope. Caller errors are 200 with
 * `action: CALLER_ERROR`, as Authlete's action-style APIs answer. The ID token is an unsecured
 * JWT (`alg: none`): JWT-shaped, not verifiable.
 */
export function reissueIdToken(store: TokenStore, service: Service, body: Body, issuer: string): Reply {
  const path = '/idtoken/reissue';
  const callerError = (code: string, message: string) =>
    result(200, code, path, message, { action: 'CALLER_ERROR' });
  const accessToken = str(body.accessToken);
  const refreshToken = str(body.refreshToken);
  if (accessToken === undefined || refreshToken === undefined) {
    return callerError('A353201', 'accessToken and refreshToken are required.');
  }
  const token = service.tokens.find((t) => t.accessToken === accessToken);
  if (!token) return callerError('A353202', 'The access token does not exist.');
  if (token.refreshToken !== refreshToken) {
    return callerError('A353203', 'The refresh token is not the one paired with the access token.');
  }
  const now = Date.now();
  if (token.refreshTokenExpiresAt !== 0 && token.refreshTokenExpiresAt <= now) {
    return callerError('A353204', 'The refresh token has expired.');
  }
  if (!token.scopes.includes('openid'))
    return callerError('A353205', 'The access token has no openid scope.');
  const iat = Math.floor(now / 1000);
  let claims: object = {};
  if (typeof body.claims === 'string') {
    try {
      claims = JSON.parse(body.claims) as object;
    } catch {
      return callerError('A353206', 'claims is not a JSON object.');
    }
  }
  const aud = body.idTokenAudType === 'string' ? String(token.clientId) : [String(token.clientId)];
  const idToken = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
    iss: issuer,
    sub: str(body.sub) ?? token.subject,
    aud,
    iat,
    exp: iat + 3600,
    ...claims,
  })}.`;
  const expiresIn =
    token.accessTokenExpiresAt === 0 ? 0 : Math.max(0, Math.floor((token.accessTokenExpiresAt - now) / 1000));
  const code = 'A353001';
  return {
    status: 200,
    body: {
      resultCode: code,
      resultMessage: `[${code}] ${path}, An ID token was reissued successfully.`,
      action: 'OK',
      idToken,
      responseContent: JSON.stringify({
        access_token: accessToken,
        refresh_token: refreshToken,
        id_token: idToken,
        token_type: 'Bearer',
        expires_in: expiresIn,
        scope: token.scopes.join(' '),
      }),
    },
  };
}
