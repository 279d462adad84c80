import type { AddressInfo } from 'node:net';
import type {
  AuthleteEmulator,
  AuthleteEmulatorOptions,
  AuthleteEmulatorRequest,
  AuthleteClientSeed,
} from './public-types';
import { FaultQueue } from '../fault-queue';
import { createEmulatorServer, type EmulatorState } from './server';
import { TokenStore } from './store';

export type * from './public-types';
export { authleteTokenHash } from './store';

export const DEFAULT_SERVICE_ID = '715948317';
export const DEFAULT_SERVICE_ACCESS_TOKEN = 'emulator-service-access-token-7c1f9e';
export const DEFAULT_CLIENTS: readonly AuthleteClientSeed[] = [
  { clientId: 26888344961664, clientIdAlias: 'demo-app', clientName: 'Demo App', clientType: 'CONFIDENTIAL' },
  { clientId: 26888344961665, clientIdAlias: 'demo-cli', clientName: 'Demo CLI', clientType: 'PUBLIC' },
];

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`${name} must be an integer >= ${min}`);
  }
}

/**
 * Starts an HTTP emulator of Authlete's v3 token management API on 127.0.0.1 (port 0 by default).
 *
 * Choices where Authlete's public sources are silent:
 * - Bearer auth per service: a missing or unknown token is 401; a known token that is not for the
 *   service in the path is 403 (authenticated, not permitted: the spec's 401 example is a missing
 *   header, its 403 one a refusal of a known party). `*` marks an organization token.
 * - Revoke and delete remove tokens (Authlete's revoke "deletes" them); an identifier that matches
 *   nothing is 404 (the spec lists 404 for revoke), an unknown client identifier too. Bulk revokes
 *   remove at most `revokeCountMax` (20) per call, as `token.revoke.count.max`.
 * - Identifiers match the value or its hash, base64url(SHA-256(value)), 43 characters.
 * - List without `tokenStatus` lists ALL tokens; pagination defaults start=0, end=5.
 * - Update of an unknown token is 404 with `action: NOT_FOUND`; reissue caller errors are 200 with
 *   `action: CALLER_ERROR`.
 * - Faults are checked before authentication, in injection order, per operation (path).
 */
export async function startAuthleteEmulator(opts: AuthleteEmulatorOptions = {}): Promise<AuthleteEmulator> {
  checkCount('revokeCountMax', opts.revokeCountMax, 1);
  checkCount('latencyMs', opts.latencyMs, 0);
  const store = new TokenStore();
  for (const seed of opts.services ?? [{ serviceId: DEFAULT_SERVICE_ID, clients: [...DEFAULT_CLIENTS] }]) {
    store.addService(seed);
  }
  const bearers = new Map<string, Set<string> | '*'>();
  for (const [token, services] of Object.entries(
    opts.accessTokens ?? { [DEFAULT_SERVICE_ACCESS_TOKEN]: '*' },
  )) {
    bearers.set(token, services === '*' ? '*' : new Set(services));
  }
  const [firstBearer] = bearers.keys();
  if (firstBearer === undefined) throw new Error('accessTokens must contain at least one token');
  for (const seed of opts.tokens ?? []) store.add(seed);

  const host = opts.host ?? '127.0.0.1';
  let baseUrl = '';
  const state: EmulatorState = {
    store,
    bearers,
    faults: new FaultQueue(),
    requests: [],
    settings: { latencyMs: opts.latencyMs ?? 0, revokeCountMax: opts.revokeCountMax ?? 20 },
    baseUrl: () => baseUrl,
    faultPolicy: undefined,
  };
  const server = createEmulatorServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed = false;

  const serviceOf = (serviceId: string) => {
    const service = store.service(serviceId);
    if (!service) throw new RangeError(`unknown service ${serviceId}`);
    return service;
  };

  return {
    baseUrl,
    port,
    serviceAccessToken: firstBearer,
    requests: state.requests,
    requestsOf: (operation, serviceId) =>
      state.requests.filter(
        (r: AuthleteEmulatorRequest) =>
          r.operation === operation && (serviceId === undefined || r.serviceId === serviceId),
      ),
    addService: (seed) => {
      store.addService(seed);
    },
    authorize: (bearer, serviceId) => {
      const current = bearers.get(bearer);
      if (serviceId === '*') bearers.set(bearer, '*');
      else if (current === undefined) bearers.set(bearer, new Set([serviceId]));
      else if (current !== '*') current.add(serviceId);
    },
    addToken: (seed) => ({ ...store.add(seed) }),
    tokens: (serviceId) => serviceOf(serviceId).tokens.map((t) => ({ ...t })),
    removed: (serviceId) => serviceOf(serviceId).removed.map((t) => ({ ...t })),
    injectFault: (fault) => {
      checkCount('fault.times', fault.times ?? 1, 1);
      state.faults.push(fault);
    },
    setFaultPolicy: (policy) => {
      state.faultPolicy = policy;
    },
    pendingFaults: () => state.faults.pending(),
    configure: (settings) => {
      checkCount('revokeCountMax', settings.revokeCountMax, 1);
      checkCount('latencyMs', settings.latencyMs, 0);
      if (settings.latencyMs !== undefined) state.settings.latencyMs = settings.latencyMs;
      if (settings.revokeCountMax !== undefined) state.settings.revokeCountMax = settings.revokeCountMax;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
