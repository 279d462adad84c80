import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { FaultQueue } from '../fault-queue';
import { apiKeyInvalid, apiKeyMissing, googleError, identityToolkitError } from './google-error';
import type {
  GoogleEmulatorRequest,
  GoogleFault,
  GoogleFaultPolicy,
  RequestOutcome,
  TokenFault,
} from './public-types';
import { TOKEN_PATH, type ServiceAccounts } from './oauth';
import { checkRevokeTokenBody, type RevokeTokenBody } from './request-rules';
import type { AccountStore } from './store';

export const REVOKE_PATH = '/v2/accounts:revokeToken';
const MAX_BODY = 1 << 20;

export interface EmulatorState {
  store: AccountStore;
  serviceAccounts: ServiceAccounts;
  apiKeys: ReadonlySet<string>;
  faults: FaultQueue<GoogleFault>;
  tokenFaults: FaultQueue<TokenFault>;
  requests: GoogleEmulatorRequest[];
  appleLatencyMs: number;
  faultPolicy: GoogleFaultPolicy | undefined;
}

interface Answer {
  status: number;
  body: unknown;
  outcome: RequestOutcome;
  reason?: string;
  headers?: Record<string, string>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function faultAnswer(fault: GoogleFault): Answer {
  const body = fault.body ?? googleError(fault.status);
  const reason = (body as { error?: { status?: unknown } })?.error?.status;
  return {
    status: fault.status,
    body,
    outcome: 'fault',
    reason: typeof reason === 'string' ? reason : `HTTP_${fault.status}`,
    ...(fault.retryAfter !== undefined ? { headers: { 'retry-after': String(fault.retryAfter) } } : {}),
  };
}

const rejected = (status: number, body: ReturnType<typeof googleError>, reason: string): Answer => ({
  status,
  body,
  outcome: 'rejected',
  reason,
});

/**
 * After the request checks: the account's ID token, the duplicate rule, then Apple. Apple answers 200
 * for a token it does not know or has revoked already; a CODE is exchanged first, so a bad or used code
 * fails as the exchange would (`invalid_grant`).
 */
async function revoke(
  state: EmulatorState,
  body: RevokeTokenBody,
  entry: GoogleEmulatorRequest,
): Promise<Answer> {
  const account = state.store.accountOfIdToken(body.idToken);
  if (!account) return rejected(400, identityToolkitError('INVALID_ID_TOKEN'), 'INVALID_ID_TOKEN');
  if ((body.tenantId ?? undefined) !== account.tenantId) {
    return rejected(400, identityToolkitError('TENANT_ID_MISMATCH'), 'TENANT_ID_MISMATCH');
  }
  if (state.store.isDuplicate(account)) {
    entry.shortCircuited = true;
    return { status: 200, body: {}, outcome: 'duplicate-ignored' };
  }
  if (state.appleLatencyMs > 0) await delay(state.appleLatencyMs);
  const token = state.store.token(body.token);
  let outcome: RequestOutcome;
  if (body.tokenType === 'CODE') {
    const usable =
      token !== undefined &&
      token.type === 'CODE' &&
      token.revokedAt === undefined &&
      (token.redirectUri === undefined || token.redirectUri === body.redirectUri);
    if (!usable) {
      return rejected(
        400,
        identityToolkitError('INVALID_IDP_RESPONSE', 'invalid_grant'),
        'INVALID_IDP_RESPONSE',
      );
    }
    outcome = 'code-exchanged-and-revoked';
  } else {
    outcome = token !== undefined && token.revokedAt === undefined ? 'revoked' : 'already-invalid';
  }
  if (token !== undefined && token.revokedAt === undefined) token.revokedAt = new Date();
  state.store.markAccountRevoked(account);
  return { status: 200, body: {}, outcome };
}

async function answer(
  state: EmulatorState,
  req: IncomingMessage,
  url: URL,
  entry: GoogleEmulatorRequest,
): Promise<Answer | 'reset'> {
  if (req.method === 'POST' && url.pathname === TOKEN_PATH) return tokenEndpoint(state, req, entry);
  if (req.method !== 'POST' || url.pathname !== REVOKE_PATH) {
    await readBody(req).catch(() => '');
    const status = url.pathname === REVOKE_PATH ? 405 : 404;
    return {
      status,
      body: googleError(status, status === 404 ? `Method not found: ${url.pathname}` : 'Method not allowed.'),
      outcome: 'not-found',
    };
  }
  const text = await readBody(req);
  let json: unknown;
  let parsed = true;
  try {
    json = JSON.parse(text);
    entry.body = json;
  } catch {
    parsed = false;
  }
  // Logged before a fault answers, so tests can see the key was sent with every attempt.
  const key = url.searchParams.get('key') ?? req.headers['x-goog-api-key'];
  entry.apiKey =
    typeof key !== 'string' || key === '' ? 'missing' : state.apiKeys.has(key) ? 'valid' : 'invalid';
  const authorization = req.headers.authorization;
  const bearer = authorization === undefined ? undefined : state.serviceAccounts.checkBearer(authorization);
  entry.bearer =
    bearer === undefined
      ? 'none'
      : bearer.ok
        ? 'valid'
        : bearer.status === 403
          ? 'insufficient-scope'
          : 'invalid';

  const fault = state.faults.take() ?? state.faultPolicy?.(entry);
  if (fault?.delayMs) await delay(fault.delayMs);
  if (fault && !fault.afterHandling) return fault.reset ? 'reset' : faultAnswer(fault);
  const handled =
    bearer !== undefined && !bearer.ok
      ? {
          status: bearer.status,
          body: bearer.body,
          outcome: 'rejected' as const,
          reason: bearer.reason,
          headers: bearer.headers,
        }
      : await handleRevoke(state, json, parsed, entry);
  // afterHandling: whatever happened happened; the answer is lost.
  if (fault) return fault.reset ? 'reset' : faultAnswer(fault);
  return handled;
}

async function handleRevoke(
  state: EmulatorState,
  json: unknown,
  parsed: boolean,
  entry: GoogleEmulatorRequest,
): Promise<Answer> {
  // An OAuth access token identifies the project by itself; a key, if sent too, must still be valid.
  if (entry.apiKey === 'missing' && entry.bearer !== 'valid') {
    return rejected(403, apiKeyMissing(), 'API_KEY_MISSING');
  }
  if (entry.apiKey === 'invalid') return rejected(400, apiKeyInvalid(), 'API_KEY_INVALID');

  if (!parsed) {
    return rejected(
      400,
      googleError(400, 'Invalid JSON payload received. Unexpected token.'),
      'INVALID_JSON_PAYLOAD',
    );
  }
  const checked = checkRevokeTokenBody(json);
  if (!checked.ok) return rejected(400, checked.error, checked.reason);
  return revoke(state, checked.body, entry);
}

/** Google's OAuth 2.0 token endpoint, for service accounts' JWT assertions (form-encoded). */
async function tokenEndpoint(
  state: EmulatorState,
  req: IncomingMessage,
  entry: GoogleEmulatorRequest,
): Promise<Answer> {
  const form = new URLSearchParams(await readBody(req));
  const fault = state.tokenFaults.take();
  if (fault) {
    const echo = fault.echoAssertion ? ` assertion=${form.get('assertion') ?? ''}` : '';
    const error = fault.error ?? (fault.status < 500 ? 'invalid_grant' : 'internal_failure');
    return {
      status: fault.status,
      body: { error, error_description: `${fault.description ?? error}${echo}` },
      outcome: 'fault',
      reason: error,
    };
  }
  const result = state.serviceAccounts.exchange(form);
  if (!result.ok)
    return { status: result.status, body: result.body, outcome: 'rejected', reason: result.body.error };
  entry.serviceAccount = result.clientEmail;
  return {
    status: 200,
    body: result.body,
    outcome: 'token-issued',
    headers: { 'cache-control': 'no-store' },
  };
}

/** The HTTP server of the emulator; every request is logged with its arrival and answer times. */
export function createEmulatorServer(state: EmulatorState): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const entry: GoogleEmulatorRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      apiKey: 'missing',
      receivedAt: new Date(),
      shortCircuited: false,
      bearer: 'none',
    };
    state.requests.push(entry);
    let result: Answer | 'reset';
    try {
      result = await answer(state, req, url, entry);
    } catch {
      result = { status: 500, body: googleError(500), outcome: 'rejected', reason: 'INTERNAL' };
    }
    entry.respondedAt = new Date();
    // The client gave up (a timeout) while a delayed fault waited: nothing to answer.
    if (res.destroyed) {
      entry.outcome = result === 'reset' ? 'fault' : result.outcome;
      return;
    }
    if (result === 'reset') {
      entry.outcome = 'fault';
      entry.reason = 'CONNECTION_RESET';
      req.socket.destroy();
      return;
    }
    entry.status = result.status;
    entry.outcome = result.outcome;
    if (result.reason !== undefined) entry.reason = result.reason;
    const payload = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
    res.writeHead(result.status, {
      'content-type':
        typeof result.body === 'string' ? 'text/html; charset=UTF-8' : 'application/json; charset=UTF-8',
      ...result.headers,
    });
    res.end(payload);
  };
  return createServer((req, res) => void handle(req, res));
}
