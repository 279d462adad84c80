import { refreshToken } from '@yandex-cloud/nodejs-sdk/iam-v1';
import { clientInstanceInfo, refreshTokenValue, yandexResourceId } from './ids';
import type { YandexRefreshToken, YandexTokenSeed } from './public-types';

const DEFAULT_LIFETIME_MS = 31 * 24 * 60 * 60 * 1000;

/** List order, and the order pagination cursors rely on. */
export function compareListOrder(a: YandexRefreshToken, b: YandexRefreshToken): number {
  const byTime = a.createdAt.getTime() - b.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function copyToken(t: YandexRefreshToken): YandexRefreshToken {
  const copy: YandexRefreshToken = {
    ...t,
    createdAt: new Date(t.createdAt),
    expiresAt: new Date(t.expiresAt),
  };
  if (t.revokedAt) copy.revokedAt = new Date(t.revokedAt);
  return copy;
}

export class TokenStore {
  private readonly byId = new Map<string, YandexRefreshToken>();
  private readonly byValue = new Map<string, YandexRefreshToken>();
  private lastDefaultCreatedAt = 0;

  add(seed: YandexTokenSeed): YandexRefreshToken {
    const id = seed.id ?? yandexResourceId();
    const value = seed.token ?? refreshTokenValue();
    if (this.byId.has(id)) throw new Error(`refresh token id ${id} already exists`);
    if (this.findByValue(value)) throw new Error('refresh token value already exists');
    const createdAt = seed.createdAt ? new Date(seed.createdAt) : this.nextDefaultCreatedAt();
    const stored: YandexRefreshToken = {
      id,
      token: value,
      subjectId: seed.subjectId,
      clientId: seed.clientId,
      clientInstanceInfo: seed.clientInstanceInfo ?? clientInstanceInfo(),
      protectionLevel: seed.protectionLevel ?? refreshToken.RefreshToken_ProtectionLevel.NO_PROTECTION,
      createdAt,
      expiresAt: seed.expiresAt
        ? new Date(seed.expiresAt)
        : new Date(createdAt.getTime() + DEFAULT_LIFETIME_MS),
    };
    if (seed.revokedAt) stored.revokedAt = new Date(seed.revokedAt);
    this.byId.set(id, stored);
    this.byValue.set(value, stored);
    return copyToken(stored);
  }

  all(): YandexRefreshToken[] {
    return [...this.byId.values()].sort(compareListOrder).map(copyToken);
  }

  active(): YandexRefreshToken[] {
    return this.all().filter((t) => !t.revokedAt);
  }

  /** Live records of one subject's non-revoked tokens, in list order. */
  activeOf(subjectId: string): YandexRefreshToken[] {
    return [...this.byId.values()]
      .filter((t) => t.subjectId === subjectId && !t.revokedAt)
      .sort(compareListOrder);
  }

  findActiveById(id: string): YandexRefreshToken | undefined {
    const t = this.byId.get(id);
    return t && !t.revokedAt ? t : undefined;
  }

  findActiveByValue(value: string): YandexRefreshToken | undefined {
    const t = this.findByValue(value);
    return t && !t.revokedAt ? t : undefined;
  }

  /** Keeps the first revocation time when two operations revoke the same token. */
  markRevoked(ids: readonly string[], at: Date): void {
    for (const id of ids) {
      const t = this.byId.get(id);
      if (t && !t.revokedAt) t.revokedAt = new Date(at);
    }
  }

  private findByValue(value: string): YandexRefreshToken | undefined {
    return this.byValue.get(value);
  }

  // Seeds added in one burst would otherwise share a millisecond and list in random id order;
  // nudging the clock keeps list order equal to insertion order, which tests can rely on.
  private nextDefaultCreatedAt(): Date {
    const ms = Math.max(Date.now(), this.lastDefaultCreatedAt + 1);
    this.lastDefaultCreatedAt = ms;
    return new Date(ms);
  }
}
