import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  OpenPaymentsEmulator,
  OpenPaymentsEmulatorMode,
  OpenPaymentsEmulatorOptions,
  OpenPaymentsRequestRecord,
} from './public-types';
import { FaultQueue } from '../fault-queue';
import { checkFaultStatus, handle, type EmulatorState } from './server';
import { GnapStore } from './store';

export type * from './public-types';
export { generateClientKey, type ClientKey } from './client-keys';

const modes: readonly OpenPaymentsEmulatorMode[] = ['gnap', 'rafiki'];

function checkMode(mode: string): OpenPaymentsEmulatorMode {
  if (!(modes as readonly string[]).includes(mode))
    throw new RangeError(`mode must be one of ${modes.join(', ')}`);
  return mode as OpenPaymentsEmulatorMode;
}

/**
 * Starts an emulated Open Payments auth server (Rafiki's token and grant management) together with
 * the client wallet addresses whose JWKS it verifies signatures against, on one plain-http port.
 *
 * Choices where the sources are silent or disagree (reference/providers.md §4):
 * - Signatures are verified with @interledger/http-signature-utils, as Rafiki does, and follow the
 *   SDK's format (label sig1, no `tag`, no `created` window), not a strict RFC 9635 verifier.
 * - Missing or malformed signature headers: 401 `invalid_client` (Rafiki's current middleware).
 *   An unknown key id: 400 `invalid_client` "could not determine client" (Rafiki).
 * - Unknown manage id or a token that does not match it: 401 `invalid_client` "invalid access token".
 *   Unknown continue id: 404 `invalid_request` "unknown grant"; a wrong continue token: 401
 *   `invalid_continuation` "invalid grant".
 * - Already revoked token / canceled grant: 204 in `gnap` mode, Rafiki's 401 in `rafiki` mode.
 * - Every request's signature is checked and logged even when a fault answers it.
 * - GNAP token introspection (RFC 9767 §3.3) at `POST /introspect`, answered as Rafiki does
 *   (`{active:false}`, or `{active:true, grant, access, client}`); its caller is checked only with
 *   `introspectionAuth: 'httpsig'` (Rafiki serves it unauthenticated on an internal port).
 */
export async function startOpenPaymentsEmulator(
  opts: OpenPaymentsEmulatorOptions = {},
): Promise<OpenPaymentsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const mode = checkMode(opts.mode ?? 'rafiki');
  // Known once listening: the store's URLs need the port.
  const ready: { state?: EmulatorState } = {};
  const server = createServer((req, res) => {
    if (!ready.state) return void res.writeHead(503).end();
    handle(ready.state, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'request_denied', description: 'internal server error' } }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const baseUrl = `http://${hostPart}:${port}`;
  const state: EmulatorState = {
    store: new GnapStore(baseUrl),
    baseUrl,
    mode,
    introspectionAuth: opts.introspectionAuth ?? 'none',
    faults: new FaultQueue(checkFaultStatus),
    requests: [],
  };
  ready.state = state;
  let closed = false;

  return {
    url: state.baseUrl,
    port,
    get mode() {
      return state.mode;
    },
    introspectionEndpoint: `${state.baseUrl}/introspect`,
    addResourceServer: ({ name, keys }) => ({ resourceServer: state.store.addResourceServer(name, keys) }),
    addClient: ({ name, keys }) => ({ walletAddressUrl: state.store.addClient(name, keys) }),
    setClientKeys: (walletAddressUrl, keys) => state.store.setClientKeys(walletAddressUrl, keys),
    issueGrant: ({ client, accessTokens }) => state.store.issueGrant(client, accessTokens ?? 1),
    accessToken: (manageId) => state.store.tokenState(manageId),
    grant: (id) => state.store.grantState(id),
    configure: (settings) => {
      if (settings.mode !== undefined) state.mode = checkMode(settings.mode);
      if (settings.introspectionAuth !== undefined) state.introspectionAuth = settings.introspectionAuth;
    },
    injectFault: (fault) => state.faults.push(fault),
    setFaultPolicy: (policy) => {
      if (policy) state.faultPolicy = policy;
      else delete state.faultPolicy;
    },
    requests: state.requests,
    requestsTo: (route, id) =>
      state.requests.filter(
        (r: OpenPaymentsRequestRecord) => r.route === route && (id === undefined || r.id === id),
      ),
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
