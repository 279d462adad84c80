import { createHash, randomBytes } from 'node:crypto';
import type {
  AuthleteClientSeed,
  AuthleteRemovedToken,
  AuthleteServiceSeed,
  AuthleteStoredToken,
  AuthleteTokenSeed,
} from './public-types';

/** base64url(SHA-256(value)): 43 characters, as the hashes Authlete lists. */
export function authleteTokenHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** A random token value shaped like Authlete's: 32 bytes, base64url, 43 characters. */
export function newTokenValue(): string {
  return randomBytes(32).toString('base64url');
}

const HOUR = 3600_000;

export interface Service {
  serviceId: string;
  clients: AuthleteClientSeed[];
  revokeCountMax?: number;
  tokens: AuthleteStoredToken[];
  removed: AuthleteRemovedToken[];
}

/** Tokens per service; identifiers match a token's value or its hash. */
export class TokenStore {
  private readonly services = new Map<string, Service>();

  addService(seed: AuthleteServiceSeed): Service {
    const existing = this.services.get(seed.serviceId);
    if (existing) {
      existing.clients.push(...(seed.clients ?? []));
      if (seed.revokeCountMax !== undefined) existing.revokeCountMax = seed.revokeCountMax;
      return existing;
    }
    const service: Service = {
      serviceId: seed.serviceId,
      clients: [...(seed.clients ?? [])],
      ...(seed.revokeCountMax !== undefined ? { revokeCountMax: seed.revokeCountMax } : {}),
      tokens: [],
      removed: [],
    };
    this.services.set(seed.serviceId, service);
    return service;
  }

  service(serviceId: string): Service | undefined {
    return this.services.get(serviceId);
  }

  /** The client whose numeric id or alias is `identifier`. */
  client(service: Service, identifier: string | number): AuthleteClientSeed | undefined {
    const text = String(identifier);
    return service.clients.find((c) => String(c.clientId) === text || c.clientIdAlias === text);
  }

  /** Thrown when the service is unknown, or a given token value is taken. */
  add(seed: AuthleteTokenSeed, now = Date.now()): AuthleteStoredToken {
    const service = this.services.get(seed.serviceId);
    if (!service) throw new RangeError(`unknown service ${seed.serviceId}`);
    const accessToken = seed.accessToken ?? newTokenValue();
    const refreshToken = seed.refreshToken === null ? undefined : (seed.refreshToken ?? newTokenValue());
    if (this.findByAccess(service, accessToken)) throw new RangeError('access token value already exists');
    if (refreshToken !== undefined && this.findByRefresh(service, refreshToken)) {
      throw new RangeError('refresh token value already exists');
    }
    const scopes = seed.scopes ?? [];
    const token: AuthleteStoredToken = {
      serviceId: seed.serviceId,
      accessToken,
      accessTokenHash: authleteTokenHash(accessToken),
      ...(refreshToken !== undefined
        ? {
            refreshToken,
            refreshTokenHash: authleteTokenHash(refreshToken),
            refreshTokenScopes: [...scopes],
          }
        : {}),
      clientId: seed.clientId,
      ...(seed.subject !== undefined ? { subject: seed.subject } : {}),
      grantType: seed.grantType ?? 'AUTHORIZATION_CODE',
      scopes: [...scopes],
      properties: [],
      accessTokenExpiresAt: seed.accessTokenExpiresAt ?? now + HOUR,
      refreshTokenExpiresAt: refreshToken !== undefined ? (seed.refreshTokenExpiresAt ?? now + 24 * HOUR) : 0,
      createdAt: seed.createdAt ?? now,
      lastRefreshedAt: 0,
    };
    service.tokens.push(token);
    return token;
  }

  findByAccess(service: Service, identifier: string): AuthleteStoredToken | undefined {
    return service.tokens.find((t) => t.accessToken === identifier || t.accessTokenHash === identifier);
  }

  findByRefresh(service: Service, identifier: string): AuthleteStoredToken | undefined {
    return service.tokens.find(
      (t) =>
        t.refreshToken !== undefined && (t.refreshToken === identifier || t.refreshTokenHash === identifier),
    );
  }

  /** Removes tokens for good (Authlete revocation deletes them); returns how many. */
  remove(service: Service, tokens: AuthleteStoredToken[], by: 'revoke' | 'delete', now = Date.now()): number {
    const gone = new Set(tokens);
    service.tokens = service.tokens.filter((t) => !gone.has(t));
    for (const t of tokens) service.removed.push({ ...t, removedAt: now, removedBy: by });
    return tokens.length;
  }
}

/** Valid: the access token or the refresh token has not expired (0 = never expires). */
export function isValid(t: AuthleteStoredToken, now = Date.now()): boolean {
  const live = (at: number) => at === 0 || at > now;
  return live(t.accessTokenExpiresAt) || (t.refreshToken !== undefined && live(t.refreshTokenExpiresAt));
}
