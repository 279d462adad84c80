import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { FaultQueue } from '../fault-queue';
import { generateSelfSignedCertificate } from '../tls-certificate';
import type {
  OAuth2Emulator,
  OAuth2EmulatorBehaviour,
  OAuth2EmulatorEndpoint,
  OAuth2EmulatorOptions,
  OAuth2Fault,
} from './public-types';
import { createHandler, type EmulatorState } from './server';
import { TokenStore } from './store';

export type * from './public-types';

function applyBehaviour(target: OAuth2EmulatorBehaviour, patch: Partial<OAuth2EmulatorBehaviour>): void {
  if (patch.foreignTokens !== undefined) target.foreignTokens = patch.foreignTokens;
  if (patch.revokesAccessTokens !== undefined) target.revokesAccessTokens = patch.revokesAccessTokens;
  if (patch.accessTokenRevokesGrant !== undefined)
    target.accessTokenRevokesGrant = patch.accessTokenRevokesGrant;
}

function normalizeIssuerPath(path: string | undefined): string {
  if (!path || path === '/') return '';
  if (!/^\/[A-Za-z0-9._~\-/]*[^/]$/.test(path)) {
    throw new RangeError(
      'issuerPath must start with "/", not end with "/", and hold URL path characters only',
    );
  }
  return path;
}

/**
 * Starts an OAuth 2.0 authorization server emulator: RFC 7009 revocation, RFC 7662 introspection
 * and RFC 8414 / OpenID discovery, on 127.0.0.1 and a free port.
 *
 * Choices where RFC 7009 leaves room:
 * - Unknown, expired and already revoked tokens get 200 and change nothing (§2.2).
 * - The hint is only a hint: the lookup covers both types (§2.1). An unregistered hint value is
 *   400 `unsupported_token_type`.
 * - A refresh token's revocation revokes every token of its grant (§2.1 SHOULD); an access token's
 *   revokes only itself unless `accessTokenRevokesGrant` (§2.1 MAY).
 * - A token issued to another client: §2.1 says the request "is refused", without naming the error;
 *   the emulator answers 400 `invalid_grant` (RFC 6749 §5.2: a grant "issued to another client"),
 *   or, with `foreignTokens: 'ignore'`, 200 with nothing revoked.
 * - Each client is registered for one authentication method and is refused with any other.
 * - Introspection (RFC 7662) authenticates the caller as revocation does and answers for any token
 *   the server issued, whichever client holds it: `{"active": false}` (nothing else, §2.2) for an
 *   unknown, expired or revoked token, the token's claims for an active one.
 */
export async function startOAuth2Emulator(opts: OAuth2EmulatorOptions = {}): Promise<OAuth2Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const issuerPath = normalizeIssuerPath(opts.issuerPath);
  const behaviour: OAuth2EmulatorBehaviour = {
    foreignTokens: 'refuse',
    revokesAccessTokens: true,
    accessTokenRevokesGrant: false,
  };
  applyBehaviour(behaviour, opts);

  const tls = opts.tls ? await generateSelfSignedCertificate(host) : undefined;
  const tokens = new TokenStore();
  const state: EmulatorState = {
    // Filled in once the port is known.
    urls: {
      issuer: '',
      issuerPath,
      revocationPath: `${issuerPath}/oauth2/revoke`,
      revocationEndpoint: '',
      introspectionPath: `${issuerPath}/oauth2/introspect`,
      introspectionEndpoint: '',
      tokenEndpoint: '',
    },
    clients: new Map((opts.clients ?? []).map((c) => [c.clientId, { ...c }])),
    tokens,
    behaviour,
    faults: new FaultQueue(),
    requests: [],
    seenJtis: new Map(),
    faultPolicy: undefined,
  };
  for (const seed of opts.tokens ?? []) tokens.add(seed);

  const handler = createHandler(state);
  const listener = (req: Parameters<typeof handler>[0], res: Parameters<typeof handler>[1]) =>
    void handler(req, res);
  const server: Server = tls
    ? createHttpsServer({ key: tls.privateKeyPem, cert: tls.certificatePem }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const issuer = `${baseUrl}${issuerPath}`;
  state.urls.issuer = issuer;
  state.urls.revocationEndpoint = `${baseUrl}${state.urls.revocationPath}`;
  state.urls.introspectionEndpoint = `${baseUrl}${state.urls.introspectionPath}`;
  state.urls.tokenEndpoint = `${issuer}/oauth2/token`;
  let closed = false;

  return {
    baseUrl,
    issuer,
    revocationEndpoint: state.urls.revocationEndpoint,
    introspectionEndpoint: state.urls.introspectionEndpoint,
    oauthDiscoveryUrl: `${baseUrl}/.well-known/oauth-authorization-server${issuerPath}`,
    oidcDiscoveryUrl: `${issuer}/.well-known/openid-configuration`,
    port,
    ...(tls ? { caCert: tls.certificatePem } : {}),
    requests: state.requests,
    requestsTo: (endpoint: OAuth2EmulatorEndpoint) => state.requests.filter((r) => r.endpoint === endpoint),
    addClient: (client) => void state.clients.set(client.clientId, { ...client }),
    issueGrant: (clientId, subject) => {
      const grantId = tokens.newGrantId();
      const common = { clientId, grantId, ...(subject !== undefined ? { subject } : {}) };
      return {
        grantId,
        accessToken: tokens.add({ ...common, type: 'access_token' }).value,
        refreshToken: tokens.add({ ...common, type: 'refresh_token' }).value,
      };
    },
    addToken: (seed) => tokens.add(seed),
    token: (value) => tokens.get(value),
    tokens: () => tokens.all(),
    isActive: (value) => tokens.isActive(value),
    injectFault: (fault: OAuth2Fault) => state.faults.push(fault),
    setFaultPolicy: (policy) => {
      state.faultPolicy = policy;
    },
    configure: (patch) => applyBehaviour(behaviour, patch),
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
