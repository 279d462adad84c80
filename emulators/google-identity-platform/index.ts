import type { AddressInfo } from 'node:net';
import type { GoogleIdentityPlatformEmulator, GoogleEmulatorOptions } from './public-types';
import { FaultQueue } from '../fault-queue';
import { createEmulatorServer, REVOKE_PATH, type EmulatorState } from './server';
import { AccountStore } from './store';

export type * from './public-types';
export { REVOKE_PATH } from './server';

export const DEFAULT_EMULATOR_API_KEY = 'emulator-api-key-0123456789';

/**
 * Starts an HTTP emulator of Identity Toolkit v2 `accounts:revokeToken` (Sign in with Apple tokens).
 *
 * Checks, in order: injected faults (a front-end failure, before anything else), the API key (`?key=`
 * or `x-goog-api-key`; missing 403, wrong 400 API_KEY_INVALID), the JSON body as a proto front end
 * would (unknown fields, types, `tokenType` as name, number or number string), Google's request rules
 * (apple.com only, redirectUri for CODE: https, a domain, no IP, no localhost), the ID token (valid
 * per account and tenant: INVALID_ID_TOKEN, TENANT_ID_MISMATCH), then the duplicate rule: after a
 * successful revocation for an account, a request with no token issued to it since is answered 200
 * at once without touching the store (logged `shortCircuited`). Otherwise "Apple" revokes the token
 * (200 even when unknown or revoked already, as Apple does); a CODE must exist, be unused and match
 * its redirect URI, else 400 `INVALID_IDP_RESPONSE : invalid_grant`.
 */
export async function startGoogleIdentityPlatformEmulator(
  opts: GoogleEmulatorOptions = {},
): Promise<GoogleIdentityPlatformEmulator> {
  const apiKeys = opts.apiKeys ?? [DEFAULT_EMULATOR_API_KEY];
  const [apiKey] = apiKeys;
  if (apiKey === undefined) throw new Error('apiKeys must hold at least one key');
  const store = new AccountStore();
  for (const seed of opts.accounts ?? []) store.addAccount(seed);
  const state: EmulatorState = {
    store,
    apiKeys: new Set(apiKeys),
    faults: new FaultQueue(),
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

  return {
    baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    apiKey,
    requests: state.requests,
    revokeCalls: () => state.requests.filter((r) => r.path === REVOKE_PATH),
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
