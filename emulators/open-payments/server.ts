import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLike } from '@interledger/http-signature-utils';
import { fingerprint } from '../../api/fingerprint';
import type { FaultQueue } from '../fault-queue';
import { readBody } from '../read-body';
import type {
  OpenPaymentsEmulatorMode,
  OpenPaymentsFault,
  OpenPaymentsIntrospectionAuth,
  OpenPaymentsFaultPolicy,
  OpenPaymentsRequestRecord,
  OpenPaymentsRoute,
  SignatureCheck,
} from './public-types';
import { checkSignature, signatureFields } from './signature-check';
import type { GnapStore } from './store';

export interface EmulatorState {
  store: GnapStore;
  baseUrl: string;
  mode: OpenPaymentsEmulatorMode;
  introspectionAuth: OpenPaymentsIntrospectionAuth;
  faults: FaultQueue<OpenPaymentsFault>;
  requests: OpenPaymentsRequestRecord[];
  faultPolicy?: OpenPaymentsFaultPolicy;
}

/** What the auth server decided for a request, before it is written (or dropped). */
interface Decision {
  status: number;
  errorCode?: string;
  description?: string;
  body?: unknown;
  headers?: Record<string, string>;
  outcome: string;
}

const ok = (outcome: string): Decision => ({ status: 204, outcome });
const refuse = (status: number, errorCode: string, description: string, outcome: string): Decision => ({
  status,
  errorCode,
  description,
  outcome,
});

/** The check an injected fault gets beyond its `times`. */
export function checkFaultStatus(fault: OpenPaymentsFault): void {
  if (fault.status !== undefined && !(fault.status >= 100 && fault.status <= 599)) {
    throw new RangeError('fault.status must be an HTTP status');
  }
}

function takeFault(state: EmulatorState, route: OpenPaymentsRoute, id: string | undefined) {
  return state.faults.take((fault) => {
    const r = fault.route ?? '*';
    const routeMatches = r === route || (r === '*' && (route === 'revokeToken' || route === 'cancelGrant'));
    return routeMatches && (fault.id === undefined || fault.id === id);
  });
}

const defaultErrorCode = (status: number): string =>
  status === 401 ? 'invalid_client' : status >= 500 || status === 403 ? 'request_denied' : 'invalid_request';

function faultDecision(fault: OpenPaymentsFault): Decision {
  const status = fault.status ?? 503;
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (fault.body !== undefined) return { status, body: fault.body, headers, outcome: 'fault' };
  return {
    status,
    errorCode: defaultErrorCode(status),
    description: `emulated HTTP ${status}`,
    headers,
    outcome: 'fault',
  };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Node already lower-cases header names; repeated headers are joined as one field value. */
function requestLike(req: IncomingMessage, body: string): RequestLike & { url: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const text = headerText(value);
    if (text !== undefined) headers[name] = text;
  }
  // The exact absolute URL the client signed: what Rafiki rebuilds from Host and the path.
  const url = `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`;
  return { method: req.method ?? 'GET', url, headers, ...(body ? { body } : {}) };
}

function gnapToken(authorization: string | undefined): string | undefined {
  const match = /^GNAP (.+)$/.exec(authorization ?? '');
  return match?.[1];
}

function route(method: string, path: string): { route: OpenPaymentsRoute; id?: string } {
  if (path === '/introspect' && method === 'POST') return { route: 'introspect' };
  const token = /^\/token\/([^/]+)$/.exec(path);
  if (token?.[1] && method === 'DELETE') return { route: 'revokeToken', id: decodeURIComponent(token[1]) };
  const cont = /^\/continue\/([^/]+)$/.exec(path);
  if (cont?.[1] && method === 'DELETE') return { route: 'cancelGrant', id: decodeURIComponent(cont[1]) };
  const jwks = /^\/([^/]+)\/jwks\.json$/.exec(path);
  if (jwks?.[1] && method === 'GET') return { route: 'jwks', id: decodeURIComponent(jwks[1]) };
  const wallet = /^\/([^/]+)$/.exec(path);
  if (wallet?.[1] && method === 'GET') return { route: 'walletAddress', id: decodeURIComponent(wallet[1]) };
  return { route: 'unknown' };
}

const badHeaders = (check: SignatureCheck): boolean => check === 'missing' || check === 'malformed';

/** Rafiki's answer to a signature that is present but not verified, once the token or grant matched. */
function signatureRefusal(check: SignatureCheck): Decision | undefined {
  if (check === 'unknown-key-id')
    return refuse(400, 'invalid_client', 'could not determine client', 'unknown-key-id');
  if (check !== 'verified') return refuse(401, 'invalid_client', 'invalid signature', 'bad-signature');
  return undefined;
}

/** Rafiki's token management (tokenHttpsigMiddleware, then revoke), with the mode for revoked tokens. */
function revokeToken(
  state: EmulatorState,
  id: string,
  presented: string | undefined,
  check: SignatureCheck,
  keep = false,
): Decision {
  if (badHeaders(check))
    return refuse(401, 'invalid_client', 'invalid signature headers', 'bad-signature-headers');
  const token = state.store.token(id);
  if (!token || presented !== token.value) {
    return refuse(401, 'invalid_client', 'invalid access token', 'invalid-token');
  }
  if (token.revokedAt && state.mode === 'rafiki') {
    // Rafiki's lookup skips revoked tokens, so a revoked one looks unknown.
    return refuse(401, 'invalid_client', 'invalid access token', 'already-revoked-refused');
  }
  const refused = signatureRefusal(check);
  if (refused) return refused;
  if (token.revokedAt) return ok('already-revoked');
  if (keep) return ok('kept-token');
  state.store.revokeToken(token, 'token', new Date());
  return ok('revoked');
}

/** Rafiki's grant revocation (grantContinueHttpsigMiddleware, then revokeGrant); GNAP §5.4. */
function cancelGrant(
  state: EmulatorState,
  id: string,
  presented: string | undefined,
  check: SignatureCheck,
  keep = false,
): Decision {
  if (badHeaders(check) || presented === undefined) {
    return refuse(401, 'invalid_client', 'invalid signature headers', 'bad-signature-headers');
  }
  const grant = state.store.grantByContinueId(id);
  if (!grant) return refuse(404, 'invalid_request', 'unknown grant', 'unknown-grant');
  if (presented !== grant.continueToken) {
    return refuse(401, 'invalid_continuation', 'invalid grant', 'invalid-continue-token');
  }
  if (grant.canceledAt && state.mode === 'rafiki') {
    return refuse(401, 'invalid_continuation', 'invalid grant', 'already-canceled-refused');
  }
  const refused = signatureRefusal(check);
  if (refused) return refused;
  if (grant.canceledAt) return ok('already-canceled');
  if (keep) return ok('kept-token');
  state.store.cancelGrant(grant, new Date());
  return ok('grant-canceled');
}

/** The introspection request body's fields the emulator reads (RFC 9767 §3.3). */
interface IntrospectBody {
  access_token?: unknown;
  resource_server?: unknown;
}

function parseIntrospectBody(body: string): IntrospectBody | undefined {
  try {
    const json: unknown = JSON.parse(body);
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as IntrospectBody)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 9767 §3.3 (as Rafiki answers it): `{"active": false}` and nothing else for a token that is
 * unknown or revoked (its own or by its grant's cancel); `{active: true, grant, access, client}` for
 * an active one. With `introspectionAuth: 'httpsig'` the caller must be a registered resource server
 * whose key signed the request.
 */
function introspect(
  state: EmulatorState,
  record: OpenPaymentsRequestRecord,
  body: IntrospectBody | undefined,
): Decision {
  if (!body || typeof body.access_token !== 'string' || body.access_token === '') {
    return refuse(400, 'invalid_request', 'access_token is required', 'invalid-introspection-request');
  }
  if (state.introspectionAuth === 'httpsig' && record.signatureCheck !== 'verified') {
    return refuse(401, 'invalid_client', 'the resource server is not authenticated', 'rs-not-authenticated');
  }
  const token = state.store.tokenByValue(body.access_token);
  const grant = token ? state.store.grant(token.grantId) : undefined;
  record.active = Boolean(token && grant && !token.revokedAt);
  if (!token || !grant || token.revokedAt)
    return { status: 200, body: { active: false }, outcome: 'inactive' };
  return {
    status: 200,
    body: { active: true, grant: grant.id, access: [], client: grant.client },
    outcome: 'active',
  };
}

/** The keys that should have signed this request: the client's for its token or grant, the RS's for introspection. */
function signerKeys(
  state: EmulatorState,
  r: OpenPaymentsRoute,
  id: string | undefined,
  rs: string | undefined,
) {
  if (r === 'revokeToken' && id !== undefined) {
    const grantId = state.store.token(id)?.grantId;
    const client = grantId ? state.store.grant(grantId)?.client : undefined;
    return client ? state.store.clientKeys(client) : undefined;
  }
  if (r === 'cancelGrant' && id !== undefined) {
    const client = state.store.grantByContinueId(id)?.client;
    return client ? state.store.clientKeys(client) : undefined;
  }
  return r === 'introspect' && rs !== undefined ? state.store.resourceServerKeys(rs) : undefined;
}

function write(res: ServerResponse, record: OpenPaymentsRequestRecord, d: Decision): void {
  record.status = d.status;
  // A client that gave up (timeout) while a delayed fault waited gets nothing.
  if (res.destroyed) return;
  if (d.errorCode !== undefined) record.errorCode = d.errorCode;
  const headers = { ...d.headers };
  let payload: string | undefined;
  if (d.body !== undefined) {
    payload = typeof d.body === 'string' ? d.body : JSON.stringify(d.body);
    if (typeof d.body !== 'string') headers['content-type'] = 'application/json';
  } else if (d.errorCode !== undefined) {
    payload = JSON.stringify({ error: { code: d.errorCode, description: d.description ?? '' } });
    headers['content-type'] = 'application/json';
  }
  res.writeHead(d.status, headers);
  res.end(payload);
}

/**
 * One request: record it, verify its signature (always, so the log says whether every attempt was
 * validly signed, faults included), then an injected fault or the route's own logic.
 */
export async function handle(state: EmulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = new Date();
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://emulator').pathname;
  const body = await readBody(req);
  const like = requestLike(req, body);
  const { route: r, id } = route(method, path);
  const authorization = headerText(req.headers.authorization);
  const presented = gnapToken(authorization);
  const record: OpenPaymentsRequestRecord = {
    at,
    method,
    url: like.url,
    route: r,
    ...(id !== undefined ? { id } : {}),
    ...(authorization
      ? {
          authorization: {
            scheme: authorization.split(' ')[0] ?? '',
            tokenFingerprint: fingerprint(presented ?? authorization),
          },
        }
      : {}),
    ...signatureFields(like),
    signatureVerified: false,
    signatureCheck: 'not-required',
    status: 0,
    outcome: 'pending',
    fault: false,
  };
  state.requests.push(record);

  const introspectBody = r === 'introspect' ? parseIntrospectBody(body) : undefined;
  const rs = typeof introspectBody?.resource_server === 'string' ? introspectBody.resource_server : undefined;
  if (rs !== undefined) record.resourceServer = rs;
  if (typeof introspectBody?.access_token === 'string') {
    record.introspectedTokenFingerprint = fingerprint(introspectBody.access_token);
  }
  if (r === 'revokeToken' || r === 'cancelGrant' || r === 'introspect') {
    record.signatureCheck = await checkSignature(like, signerKeys(state, r, id, rs));
    record.signatureVerified = record.signatureCheck === 'verified';
  }

  const fault = takeFault(state, r, id) ?? state.faultPolicy?.(record);
  if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  const keep = fault?.keepToken === true;
  if (keep) record.fault = true;
  if (fault && !fault.dropResponseAfterApply && !keep) {
    record.fault = true;
    record.outcome = 'fault';
    if (!fault.dropConnection) return write(res, record, faultDecision(fault));
    record.status = 'dropped';
    req.socket.destroy();
    return;
  }

  let decision: Decision;
  if (r === 'revokeToken' && id !== undefined) {
    decision = revokeToken(state, id, presented, record.signatureCheck, keep);
  } else if (r === 'cancelGrant' && id !== undefined) {
    decision = cancelGrant(state, id, presented, record.signatureCheck, keep);
  } else if (r === 'introspect') {
    decision = introspect(state, record, introspectBody);
  } else if (r === 'jwks' && id !== undefined) {
    const keys = state.store.clientKeys(state.store.walletAddressUrl(id));
    decision = keys
      ? { status: 200, body: { keys }, outcome: 'jwks' }
      : refuse(404, 'invalid_request', 'unknown wallet address', 'unknown-wallet-address');
  } else if (r === 'walletAddress' && id !== undefined) {
    const url = state.store.walletAddressUrl(id);
    decision = state.store.clientKeys(url)
      ? {
          status: 200,
          body: {
            id: url,
            publicName: id,
            assetCode: 'USD',
            assetScale: 2,
            authServer: state.baseUrl,
            resourceServer: state.baseUrl,
          },
          outcome: 'wallet-address',
        }
      : refuse(404, 'invalid_request', 'unknown wallet address', 'unknown-wallet-address');
  } else {
    decision = refuse(404, 'invalid_request', `no route for ${method} ${path}`, 'no-route');
  }
  record.outcome = decision.outcome;
  if (decision.outcome === 'kept-token') record.keptToken = true;

  if (fault?.dropResponseAfterApply) {
    // The work is done; the answer never leaves. The client sees the connection reset.
    record.fault = true;
    record.status = 'dropped';
    req.socket.destroy();
    return;
  }
  write(res, record, decision);
}
