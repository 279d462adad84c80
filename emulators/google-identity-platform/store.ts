import { randomBytes } from 'node:crypto';
import type { AccountSeed, AppleToken, AppleTokenSeed, EmulatedAccount } from './public-types';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** JWT-shaped, so it passes client-side shape checks; the emulator only looks it up. */
function newIdToken(uid: string, tenantId: string | undefined): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', kid: 'emulator', typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({
      iss: 'https://securetoken.google.com/emulator-project',
      aud: 'emulator-project',
      sub: uid,
      ...(tenantId ? { firebase: { tenant: tenantId } } : {}),
      jti: randomBytes(8).toString('hex'),
    }),
  );
  return `${header}.${payload}.${b64url(randomBytes(32))}`;
}

function newAppleValue(type: AppleTokenSeed['type']): string {
  const random = randomBytes(24).toString('hex');
  return type === 'CODE' ? `c${random}.0.apple.emulator` : `r${random}.0.apple.emulator`;
}

const keyOf = (uid: string, tenantId: string | undefined) => `${tenantId ?? ''}\u0000${uid}`;

/**
 * Identity Platform accounts (per tenant), the ID tokens that authenticate them, and the Apple tokens
 * issued to them. Ordering uses a counter beside the dates, so two events in one millisecond still
 * compare correctly for the duplicate rule.
 */
export class AccountStore {
  private readonly accounts = new Map<
    string,
    EmulatedAccount & { revokedSeq?: number; issuedSeq?: number }
  >();
  private readonly byIdToken = new Map<string, string>();
  private readonly tokens = new Map<string, AppleToken>();
  private seq = 0;

  addAccount(seed: AccountSeed): EmulatedAccount {
    const key = keyOf(seed.uid, seed.tenantId);
    if (this.accounts.has(key)) throw new Error(`account ${seed.uid} exists already`);
    const account = {
      uid: seed.uid,
      ...(seed.tenantId !== undefined ? { tenantId: seed.tenantId } : {}),
      idTokens: [] as string[],
    };
    this.accounts.set(key, account);
    const idTokens = seed.idTokens && seed.idTokens.length > 0 ? seed.idTokens : [undefined];
    for (const t of idTokens) this.mintIdToken(seed.uid, seed.tenantId, t);
    for (const t of seed.appleTokens ?? []) this.issue(seed.uid, seed.tenantId, t);
    return this.copy(account);
  }

  mintIdToken(uid: string, tenantId: string | undefined, value?: string): string {
    const account = this.require(uid, tenantId);
    const token = value ?? newIdToken(uid, tenantId);
    if (this.byIdToken.has(token)) throw new Error('ID token is in use already');
    this.byIdToken.set(token, keyOf(uid, tenantId));
    account.idTokens.push(token);
    return token;
  }

  issue(uid: string, tenantId: string | undefined, seed: AppleTokenSeed): AppleToken {
    const account = this.require(uid, tenantId);
    const value = seed.value ?? newAppleValue(seed.type);
    if (this.tokens.has(value)) throw new Error('Apple token value is in use already');
    const now = new Date();
    const token: AppleToken = {
      type: seed.type,
      value,
      uid,
      ...(tenantId !== undefined ? { tenantId } : {}),
      ...(seed.redirectUri !== undefined ? { redirectUri: seed.redirectUri } : {}),
      issuedAt: now,
    };
    this.tokens.set(value, token);
    account.lastTokenIssuedAt = now;
    account.issuedSeq = ++this.seq;
    return { ...token };
  }

  /** The account an ID token authenticates, if it is one of ours. */
  accountOfIdToken(idToken: string): EmulatedAccount | undefined {
    const key = this.byIdToken.get(idToken);
    return key === undefined ? undefined : this.accounts.get(key);
  }

  /** "A successful token revocation ... and no tokens generated after" it: the duplicate rule. */
  isDuplicate(account: EmulatedAccount): boolean {
    const a = this.accounts.get(keyOf(account.uid, account.tenantId));
    return a?.revokedSeq !== undefined && (a.issuedSeq === undefined || a.issuedSeq < a.revokedSeq);
  }

  markAccountRevoked(account: EmulatedAccount): void {
    const a = this.accounts.get(keyOf(account.uid, account.tenantId));
    if (!a) return;
    a.revokedAt = new Date();
    a.revokedSeq = ++this.seq;
  }

  /** The live token (an object of the store, not a copy). */
  token(value: string): AppleToken | undefined {
    return this.tokens.get(value);
  }

  account(uid: string, tenantId?: string): EmulatedAccount | undefined {
    const a = this.accounts.get(keyOf(uid, tenantId));
    return a ? this.copy(a) : undefined;
  }

  allTokens(): AppleToken[] {
    return [...this.tokens.values()].map((t) => ({ ...t }));
  }

  private require(uid: string, tenantId: string | undefined) {
    const a = this.accounts.get(keyOf(uid, tenantId));
    if (!a) throw new Error(`no account ${uid}${tenantId ? ` in tenant ${tenantId}` : ''}`);
    return a;
  }

  private copy(a: EmulatedAccount & { revokedSeq?: number; issuedSeq?: number }): EmulatedAccount {
    const { revokedSeq: _r, issuedSeq: _i, ...rest } = a;
    return { ...rest, idTokens: [...rest.idTokens] };
  }
}
