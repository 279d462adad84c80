import { randomBytes, randomUUID } from 'node:crypto';
import type { JWK } from '@interledger/http-signature-utils';
import type { AccessTokenState, GrantState, IssuedGrant } from './public-types';

interface StoredToken extends AccessTokenState {
  value: string;
}

interface StoredGrant extends GrantState {
  continueToken: string;
}

/** Rafiki's token values look like this: upper-case hex. */
const tokenValue = (): string => randomBytes(10).toString('hex').toUpperCase();

/** Clients (wallet addresses and their keys), grants and access tokens of one emulated auth server. */
export class GnapStore {
  private readonly clients = new Map<string, JWK[]>();
  private readonly grants = new Map<string, StoredGrant>();
  private readonly grantsByContinueId = new Map<string, StoredGrant>();
  private readonly tokens = new Map<string, StoredToken>();
  private readonly resourceServers = new Map<string, JWK[]>();

  constructor(private readonly baseUrl: string) {}

  walletAddressUrl(name: string): string {
    return `${this.baseUrl}/${encodeURIComponent(name)}`;
  }

  addClient(name: string, keys: JWK[]): string {
    if (!/^[A-Za-z0-9._-]+$/.test(name))
      throw new RangeError('client name must be letters, digits, ".", "_", "-"');
    const url = this.walletAddressUrl(name);
    this.clients.set(
      url,
      keys.map((k) => ({ ...k })),
    );
    return url;
  }

  setClientKeys(walletAddressUrl: string, keys: JWK[]): void {
    if (!this.clients.has(walletAddressUrl)) throw new RangeError(`unknown client ${walletAddressUrl}`);
    this.clients.set(
      walletAddressUrl,
      keys.map((k) => ({ ...k })),
    );
  }

  clientKeys(walletAddressUrl: string): JWK[] | undefined {
    return this.clients.get(walletAddressUrl);
  }

  issueGrant(client: string, accessTokens: number): IssuedGrant {
    if (!this.clients.has(client)) throw new RangeError(`unknown client ${client}; addClient first`);
    const grant: StoredGrant = {
      id: randomUUID(),
      client,
      continueId: randomUUID(),
      continueToken: tokenValue(),
      manageIds: [],
    };
    const issued: IssuedGrant = {
      id: grant.id,
      client,
      continueId: grant.continueId,
      continueUri: `${this.baseUrl}/continue/${grant.continueId}`,
      continueToken: grant.continueToken,
      accessTokens: [],
    };
    for (let i = 0; i < accessTokens; i++) {
      const token: StoredToken = { manageId: randomUUID(), grantId: grant.id, value: tokenValue() };
      this.tokens.set(token.manageId, token);
      grant.manageIds.push(token.manageId);
      issued.accessTokens.push({
        value: token.value,
        manageId: token.manageId,
        manageUrl: `${this.baseUrl}/token/${token.manageId}`,
      });
    }
    this.grants.set(grant.id, grant);
    this.grantsByContinueId.set(grant.continueId, grant);
    return issued;
  }

  addResourceServer(name: string, keys: JWK[]): string {
    if (!/^[A-Za-z0-9._-]+$/.test(name))
      throw new RangeError('resource server name must be letters, digits, ".", "_", "-"');
    this.resourceServers.set(
      name,
      keys.map((k) => ({ ...k })),
    );
    return name;
  }

  resourceServerKeys(name: string): JWK[] | undefined {
    return this.resourceServers.get(name);
  }

  /** The token with this value (what a client presents), if the server issued it. */
  tokenByValue(value: string): StoredToken | undefined {
    for (const t of this.tokens.values()) if (t.value === value) return t;
    return undefined;
  }

  token(manageId: string): StoredToken | undefined {
    return this.tokens.get(manageId);
  }

  grant(id: string): StoredGrant | undefined {
    return this.grants.get(id);
  }

  grantByContinueId(continueId: string): StoredGrant | undefined {
    return this.grantsByContinueId.get(continueId);
  }

  revokeToken(token: StoredToken, by: 'token' | 'grant', at: Date): void {
    if (token.revokedAt) return;
    token.revokedAt = at;
    token.revokedBy = by;
  }

  /** GNAP §5.4: revoking a grant revokes the access tokens issued under it too. */
  cancelGrant(grant: StoredGrant, at: Date): void {
    if (!grant.canceledAt) grant.canceledAt = at;
    for (const id of grant.manageIds) {
      const token = this.tokens.get(id);
      if (token) this.revokeToken(token, 'grant', at);
    }
  }

  /** Copies without secrets, for the emulator's public accessors. */
  tokenState(manageId: string): AccessTokenState | undefined {
    const t = this.tokens.get(manageId);
    if (!t) return undefined;
    return {
      manageId: t.manageId,
      grantId: t.grantId,
      ...(t.revokedAt ? { revokedAt: new Date(t.revokedAt) } : {}),
      ...(t.revokedBy ? { revokedBy: t.revokedBy } : {}),
    };
  }

  grantState(id: string): GrantState | undefined {
    const g = this.grants.get(id);
    if (!g) return undefined;
    return {
      id: g.id,
      client: g.client,
      continueId: g.continueId,
      manageIds: [...g.manageIds],
      ...(g.canceledAt ? { canceledAt: new Date(g.canceledAt) } : {}),
    };
  }
}
