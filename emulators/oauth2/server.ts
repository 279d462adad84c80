import type { IncomingMessage, ServerResponse } from 'node:http';
import { fingerprint } from '../../api/fingerprint';
import type { FaultQueue } from '../fault-queue';
import { assertionAlgs, authenticateClient, detectAuthMethod, type ClientAuthResult } from './client-auth';
import type {
  OAuth2EmulatorBehaviour,
  OAuth2EmulatorClient,
  OAuth2EmulatorEndpoint,
  OAuth2EmulatorRequest,
  OAuth2Fault,
  OAuth2FaultPolicy,
} from './public-types';
import { isUsable, type TokenStore } from './store';

export interface EmulatorUrls {
  issuer: string;
  /** The issuer's path ('' or '/tenants/acme'). */
  issuerPath: string;
  revocationPath: string;
  revocationEndpoint: string;
  introspectionPath: string;
  introspectionEndpoint: string;
  tokenEndpoint: string;
}

export interface EmulatorState {
  urls: EmulatorUrls;
  clients: Map<string, OAuth2EmulatorClient>;
  tokens: TokenStore;
  behaviour: OAuth2EmulatorBehaviour;
  faults: FaultQueue<OAuth2Fault>;
  requests: OAuth2EmulatorRequest[];
  seenJtis: Map<string, number>;
  faultPolicy: OAuth2FaultPolicy | undefined;
}

const maxBodyBytes = 64 * 1024;
const authMethodsSupported = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

function metadata(urls: EmulatorUrls, oidc: boolean): Record<string, unknown> {
  return {
    issuer: urls.issuer,
    // Advertised for completeness; this emulator implements revocation, introspection and discovery only.
    token_endpoint: urls.tokenEndpoint,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: authMethodsSupported,
    revocation_endpoint: urls.revocationEndpoint,
    revocation_endpoint_auth_methods_supported: authMethodsSupported,
    revocation_endpoint_auth_signing_alg_values_supported: [...assertionAlgs],
    introspection_endpoint: urls.introspectionEndpoint,
    introspection_endpoint_auth_methods_supported: authMethodsSupported,
    introspection_endpoint_auth_signing_alg_values_supported: [...assertionAlgs],
    ...(oidc
      ? {
          authorization_endpoint: `${urls.issuer}/authorize`,
          jwks_uri: `${urls.issuer}/jwks`,
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['ES256'],
        }
      : {}),
  };
}

function takeFault(
  state: EmulatorState,
  endpoint: OAuth2EmulatorEndpoint,
  entry: OAuth2EmulatorRequest,
): OAuth2Fault | undefined {
  const queued = state.faults.take(
    (fault) =>
      (fault.endpoint === endpoint || fault.endpoint === '*') &&
      (fault.tokenFingerprint === undefined || fault.tokenFingerprint === entry.tokenFingerprint),
  );
  return queued ?? state.faultPolicy?.(entry);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendFault(res: ServerResponse, fault: OAuth2Fault): void {
  if (fault.delayMs) {
    const { delayMs: _delay, ...now } = fault;
    // The client may have given up (and the socket gone) by then; nothing is written to it.
    setTimeout(() => {
      if (!res.destroyed && !res.writableEnded) sendFault(res, now);
    }, fault.delayMs).unref();
    return;
  }
  if (fault.dropConnection) {
    res.socket?.destroy();
    return;
  }
  const headers = { 'cache-control': 'no-store', ...fault.headers };
  if (fault.body === undefined) {
    res.writeHead(fault.status, { ...headers, 'content-length': 0 });
    res.end();
  } else if (typeof fault.body === 'string') {
    res.writeHead(fault.status, { 'content-type': 'text/plain', ...headers });
    res.end(fault.body);
  } else {
    sendJson(res, fault.status, fault.body, headers);
  }
}

/** Answers with an injected fault instead of the endpoint's own answer, and logs it so. */
function answerWithFault(res: ServerResponse, entry: OAuth2EmulatorRequest, fault: OAuth2Fault): void {
  entry.fault = true;
  entry.status = fault.status;
  sendFault(res, fault);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function endpointOf(state: EmulatorState, method: string, path: string): OAuth2EmulatorEndpoint | 'other' {
  const { issuerPath, revocationPath, introspectionPath } = state.urls;
  if (path === revocationPath) return 'revocation';
  if (path === introspectionPath) return 'introspection';
  if (method === 'GET' && path === `/.well-known/oauth-authorization-server${issuerPath}`)
    return 'oauth-discovery';
  if (method === 'GET' && path === `${issuerPath}/.well-known/openid-configuration`) return 'oidc-discovery';
  return 'other';
}

/** The HTTP handler of the emulator: discovery documents, RFC 7009 revocation, RFC 7662 introspection. */
export function createHandler(state: EmulatorState) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = Date.now();
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    const endpoint = endpointOf(state, method, path);
    const entry: OAuth2EmulatorRequest = { at, method, path, endpoint, status: 0 };
    state.requests.push(entry);
    res.on('close', () => {
      if (entry.status === 0) entry.status = res.headersSent ? res.statusCode : -1;
    });
    try {
      if (endpoint === 'other') {
        entry.status = 404;
        sendJson(res, 404, { error: 'not_found', error_description: `no such endpoint: ${method} ${path}` });
        return;
      }
      if (endpoint === 'introspection') return await introspection(state, req, res, entry);
      if (endpoint !== 'revocation') {
        const fault = takeFault(state, endpoint, entry);
        if (fault) return answerWithFault(res, entry, fault);
        entry.status = 200;
        sendJson(res, 200, metadata(state.urls, endpoint === 'oidc-discovery'));
        return;
      }
      await revocation(state, req, res, entry);
    } catch {
      entry.status = 500;
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.end();
    }
  };
}

/** An OAuth error answer (RFC 6749 §5.2 shape) the revocation endpoint refuses a request with. */
interface Refusal {
  status: number;
  error: string;
  description: string;
  headers?: Record<string, string>;
}

function oauthError(res: ServerResponse, entry: OAuth2EmulatorRequest, refused: Refusal): void {
  const { status, error, description, headers = {} } = refused;
  entry.status = status;
  entry.error = error;
  sendJson(res, status, { error, error_description: description }, headers);
}

const refusal = (
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): Refusal => ({ status, error, description, headers });

interface TokenRequest {
  /** Undefined when the body is over the limit. */
  text: string | undefined;
  form: URLSearchParams;
  token: string | null;
  hint: string | null;
  auth: ClientAuthResult;
}

/** Reads the body and authenticates the client, logging what it saw (before any fault answers). */
async function readTokenRequest(
  state: EmulatorState,
  req: IncomingMessage,
  entry: OAuth2EmulatorRequest,
): Promise<TokenRequest> {
  const text = await readBody(req);
  const form = new URLSearchParams(text ?? '');
  const token = form.get('token');
  const hint = form.get('token_type_hint');
  if (token) entry.tokenFingerprint = fingerprint(token);
  if (hint !== null) entry.tokenTypeHint = hint;
  const auth = authenticateClient(req.headers, form, {
    clients: state.clients,
    audiences: [
      state.urls.issuer,
      state.urls.revocationEndpoint,
      state.urls.introspectionEndpoint,
      state.urls.tokenEndpoint,
    ],
    seenJtis: state.seenJtis,
  });
  // The method by the request's shape is logged even when authentication fails.
  entry.authMethod = auth.ok ? auth.method : detectAuthMethod(req.headers, form);
  if (auth.clientId) entry.clientId = auth.clientId;
  if (auth.assertion) entry.assertion = auth.assertion;
  entry.authenticated = auth.ok;
  return { text, form, token, hint, auth };
}

/**
 * RFC 7009 §2.1 (and RFC 7662 §2.1) checks of the request itself, in the order a client would meet
 * them: the token and the authenticated client, or why the request is refused. Introspection does
 * not refuse a hint it does not know (RFC 7662 defines no unsupported_token_type).
 */
function checkRequest(
  req: IncomingMessage,
  { text, form, token, hint, auth }: TokenRequest,
  endpoint: 'revocation' | 'introspection' = 'revocation',
): { refusal: Refusal } | { token: string; clientId: string } {
  const refuse = (...args: Parameters<typeof refusal>) => ({ refusal: refusal(...args) });
  if (text === undefined) return refuse(413, 'invalid_request', 'request body too large');
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
    return refuse(400, 'invalid_request', 'content-type must be application/x-www-form-urlencoded');
  }
  const repeated = [...new Set(form.keys())].find((k) => form.getAll(k).length > 1);
  if (repeated) return refuse(400, 'invalid_request', `parameter ${repeated} is repeated`);
  if (!auth.ok) {
    const challenge = auth.status === 401 && auth.usedAuthorizationHeader;
    return refuse(
      auth.status,
      auth.error,
      auth.description,
      challenge ? { 'www-authenticate': 'Basic realm="oauth2-emulator", charset="UTF-8"' } : {},
    );
  }
  if (!token) return refuse(400, 'invalid_request', 'token is required');
  if (endpoint === 'revocation' && hint !== null && hint !== 'access_token' && hint !== 'refresh_token') {
    return refuse(400, 'unsupported_token_type', `token_type_hint ${hint} is not supported`);
  }
  return { token, clientId: auth.clientId };
}

/** Revokes the token (and its grant, where it should), or says why it is refused. */
function revokeToken(
  state: EmulatorState,
  entry: OAuth2EmulatorRequest,
  token: string,
  clientId: string,
): Refusal | undefined {
  // The hint is only a hint (§2.1): the lookup covers every token type.
  const stored = state.tokens.find(token);
  if (!stored) return undefined;
  entry.tokenFound = stored.type;
  if (stored.clientId !== clientId) {
    return state.behaviour.foreignTokens === 'refuse'
      ? refusal(400, 'invalid_grant', 'the token was issued to another client')
      : undefined;
  }
  if (stored.type === 'access_token' && !state.behaviour.revokesAccessTokens) {
    return refusal(400, 'unsupported_token_type', 'this server does not revoke access tokens');
  }
  if (isUsable(stored)) {
    const wholeGrant = stored.type === 'refresh_token' || state.behaviour.accessTokenRevokesGrant;
    entry.revoked = state.tokens
      .revoke(stored, wholeGrant)
      .map((t) => ({ type: t.type, fingerprint: fingerprint(t.value) }));
  }
  return undefined;
}

/** RFC 7009 §2: POST, form-encoded, client authentication, then revoke (or not) and answer 200. */
async function revocation(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  entry: OAuth2EmulatorRequest,
): Promise<void> {
  if (entry.method !== 'POST') {
    const onlyPost = refusal(405, 'invalid_request', 'the revocation endpoint accepts POST only', {
      allow: 'POST',
    });
    return oauthError(res, entry, onlyPost);
  }
  const request = await readTokenRequest(state, req, entry);
  const fault = takeFault(state, 'revocation', entry);
  if (fault && !fault.afterRevoke && !fault.keepToken) return answerWithFault(res, entry, fault);

  const checked = checkRequest(req, request);
  if ('refusal' in checked) return oauthError(res, entry, checked.refusal);
  if (fault?.keepToken) {
    // The acknowledgement is a lie: 200 as §2.2 says, and the token still works.
    entry.fault = true;
    entry.keptToken = true;
    entry.status = 200;
    res.writeHead(200, { 'cache-control': 'no-store', 'content-length': 0 });
    res.end();
    return;
  }
  const refused = revokeToken(state, entry, checked.token, checked.clientId);
  if (refused) return oauthError(res, entry, refused);

  // afterRevoke: the work is done, the answer is lost.
  if (fault) return answerWithFault(res, entry, fault);
  // §2.2: 200 whether the token was revoked now, before, or never existed.
  entry.status = 200;
  res.writeHead(200, { 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

/** RFC 7662 §2.2: `active` and, for an active token only, what the server knows about it. */
function introspectionBody(state: EmulatorState, token: string): Record<string, unknown> {
  const stored = state.tokens.find(token);
  if (!stored || !isUsable(stored)) return { active: false };
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
  return {
    active: true,
    client_id: stored.clientId,
    sub: stored.subject,
    iss: state.urls.issuer,
    iat: seconds(stored.issuedAt),
    ...(stored.expiresAt ? { exp: seconds(stored.expiresAt) } : {}),
    ...(stored.type === 'access_token' ? { token_type: 'Bearer' } : {}),
  };
}

/** RFC 7662 §2: POST, form-encoded, client authentication, then `{active, ...}` as JSON. */
async function introspection(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  entry: OAuth2EmulatorRequest,
): Promise<void> {
  if (entry.method !== 'POST') {
    const onlyPost = refusal(405, 'invalid_request', 'the introspection endpoint accepts POST only', {
      allow: 'POST',
    });
    return oauthError(res, entry, onlyPost);
  }
  const request = await readTokenRequest(state, req, entry);
  const fault = takeFault(state, 'introspection', entry);
  if (fault) return answerWithFault(res, entry, fault);
  const checked = checkRequest(req, request, 'introspection');
  if ('refusal' in checked) return oauthError(res, entry, checked.refusal);
  const found = state.tokens.find(checked.token);
  if (found) entry.tokenFound = found.type;
  const body = introspectionBody(state, checked.token);
  entry.active = body.active === true;
  entry.status = 200;
  sendJson(res, 200, body);
}
