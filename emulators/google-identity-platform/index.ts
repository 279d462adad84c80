import type { AddressInfo } from 'node:net';
import type { GoogleIdentityPlatformEmulator, GoogleEmulatorOptions } from './public-types';
import { FaultQueue } from '../fault-queue';
import { ServiceAccounts, TOKEN_PATH } from './oauth';
import { createEmulatorServer, REVOKE_PATH, type EmulatorState } from './server';
import { AccountStore } from './store';

export type * from './public-types';
export { REVOKE_PATH } from './server';
export { GOOGLE_TOKEN_AUDIENCE, REVOKE_TOKEN_SCOPES, TOKEN_PATH } from './oauth';

export const DEFAULT_EMULATOR_API_KEY = 'emulator-api-key-0123456789';

/**
 * Starts an HTTP emulator of Identity Toolkit v2 `accounts:revokeToken` (Sign in with Apple tokens).
 *
 * Checks, in order: injected faults (a front-end failure, before anything else), an OAuth bearer token
 * when `Authorization` is sent (unknown or expired 401 UNAUTHENTICATED; without an identitytoolkit or
 * cloud-platform scope 403 PERMISSION_DENIED, ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT), the API key
 * (`?key=` or `x-goog-api-key`; missing 403 unless a valid bearer came, wrong 400 API_KEY_INVALID), the JSON body as a proto front end
 * would (unknown fields, types, `tokenType` as name, number or number string), Google's request rules
 * (apple.com only, redirectUri for CODE: https, a domain, no IP, no localhost), the ID token (valid
 * per account and tenant: INVALID_ID_TOKEN, TENANT_ID_MISMATCH), then the duplicate rule: after a
 * successful revocation for an account, a request with no token issued to it since is answered 200
 * at once without touching the store (logged `shortCircuited`). Otherwise "Apple" revokes the token
 * (200 even when unknown or revoked already, as Apple does); a CODE must exist, be unused and match
 * its redirect URI, else 400 `INVALID_IDP_RESPONSE : invalid_grant`.
 *
 * `POST /token` is Google's OAuth 2.0 token endpoint for service accounts (`createServiceAccount`):
 * it verifies the JWT assertion's RS256 signature with the account's public key, its audience
 * (Google's token URL), its lifetime and its scopes, and issues an access token carrying them.
 */
export async function startGoogleIdentityPlatformEmulator(
  opts: GoogleEmulatorOptions = {},
): Promise<GoogleIdentityPlatformEmulator> {
  const apiKeys = opts.apiKeys ?? [DEFAULT_EMULATOR_API_KEY];
  const [apiKey] = apiKeys;
  if (apiKey === undefined) throw new Error('apiKeys must hold at least one key');
  const store = new AccountStore();
  for (const seed of opts.accounts ?? []) store.addAccount(seed);
  const serviceAccounts = new ServiceAccounts();
  const state: EmulatorState = {
    store,
    serviceAccounts,
    apiKeys: new Set(apiKeys),
    faults: new FaultQueue(),
    tokenFaults: new FaultQueue(),
    requests: [],
    appleLatencyMs: opts.appleLatencyMs ?? 0,
    faultPolicy: undefined,
  };
  const server = createEmulatorServer(state);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const tokenUri = `${baseUrl}${TOKEN_PATH}`;

  return {
    baseUrl,
    port,
    apiKey,
    tokenUri,
    requests: state.requests,
    revokeCalls: () => state.requests.filter((r) => r.path === REVOKE_PATH),
    tokenCalls: () => state.requests.filter((r) => r.path === TOKEN_PATH),
    createServiceAccount: (seed = {}) => serviceAccounts.create(seed, tokenUri),
    accessTokenScopes: (token) => serviceAccounts.scopesOf(token),
    issuedAccessTokens: () => serviceAccounts.issued(),
    expireAccessTokens: () => serviceAccounts.expireAccessTokens(),
    addAccount: (seed) => store.addAccount(seed),
    mintIdToken: (uid, tenantId) => store.mintIdToken(uid, tenantId),
    issueAppleToken: (uid, tenantId, seed) => store.issue(uid, tenantId, seed),
    appleTokens: () => store.allTokens(),
    appleToken: (value) => {
      const t = store.token(value);
      return t ? { ...t } : undefined;
    },
    account: (uid, tenantId) => store.account(uid, tenantId),
    injectFault: (fault) => state.faults.push(fault),
    injectTokenFault: (fault) => state.tokenFaults.push(fault),
    setFaultPolicy: (policy) => {
      state.faultPolicy = policy;
    },
    configure: (settings) => {
      const ms = settings.appleLatencyMs;
      if (ms !== undefined) {
        if (!(Number.isFinite(ms) && ms >= 0))
          throw new RangeError('appleLatencyMs must be a non-negative number');
        state.appleLatencyMs = ms;
      }
    },
    clearRequests: () => {
      state.requests.length = 0;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
