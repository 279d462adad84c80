import { randomBytes } from 'node:crypto';
import type { OAuth2StoredToken, OAuth2TokenSeed } from './public-types';

const copy = (t: OAuth2StoredToken): OAuth2StoredToken => ({ ...t });

/** Access and refresh tokens, grouped by grant so a refresh token's revocation reaches its access tokens. */
export class TokenStore {
  private readonly byValue = new Map<string, OAuth2StoredToken>();
  private grants = 0;

  add(seed: OAuth2TokenSeed): OAuth2StoredToken {
    const value =
      seed.value ?? `${seed.type === 'access_token' ? 'at' : 'rt'}-${randomBytes(18).toString('base64url')}`;
    if (this.byValue.has(value)) throw new Error('a token with this value already exists');
    const token: OAuth2StoredToken = {
      value,
      type: seed.type,
      clientId: seed.clientId,
      grantId: seed.grantId ?? this.newGrantId(),
      subject: seed.subject ?? 'emulator-user',
      issuedAt: new Date(),
      ...(seed.expiresAt ? { expiresAt: seed.expiresAt } : {}),
    };
    this.byValue.set(value, token);
    return copy(token);
  }

  newGrantId(): string {
    this.grants += 1;
    return `grant-${this.grants}`;
  }

  find(value: string): OAuth2StoredToken | undefined {
    return this.byValue.get(value);
  }

  get(value: string): OAuth2StoredToken | undefined {
    const t = this.byValue.get(value);
    return t && copy(t);
  }

  all(): OAuth2StoredToken[] {
    return [...this.byValue.values()].map(copy);
  }

  isActive(value: string, now = Date.now()): boolean {
    const t = this.byValue.get(value);
    return t !== undefined && isUsable(t, now);
  }

  /**
   * Revokes the token, and with `wholeGrant` every token of its grant. Returns the tokens this call
   * revoked (already revoked ones are not counted again).
   */
  revoke(token: OAuth2StoredToken, wholeGrant: boolean, at = new Date()): OAuth2StoredToken[] {
    const targets = wholeGrant
      ? [...this.byValue.values()].filter((t) => t.grantId === token.grantId)
      : [token];
    const revoked: OAuth2StoredToken[] = [];
    for (const t of targets) {
      if (t.revokedAt) continue;
      t.revokedAt = at;
      revoked.push(copy(t));
    }
    return revoked;
  }
}

export function isUsable(t: OAuth2StoredToken, now = Date.now()): boolean {
  return !t.revokedAt && (t.expiresAt === undefined || t.expiresAt.getTime() > now);
}
