import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FaultQueue } from '../fault-queue';
import { readBody } from '../read-body';
import {
  createToken,
  deleteToken,
  listTokens,
  reissueIdToken,
  result,
  revokeTokens,
  updateToken,
  type Reply,
} from './handlers';
import { introspectToken } from './introspection';
import type {
  AuthleteEmulatedOperation,
  AuthleteEmulatorRequest,
  AuthleteFault,
  AuthleteFaultPolicy,
} from './public-types';
import type { TokenStore } from './store';

export interface EmulatorState {
  store: TokenStore;
  /** Bearer token → service ids, or '*' for every service (an organization token). */
  bearers: Map<string, Set<string> | '*'>;
  faults: FaultQueue<AuthleteFault>;
  requests: AuthleteEmulatorRequest[];
  settings: { latencyMs: number; revokeCountMax: number };
  baseUrl: () => string;
  faultPolicy: AuthleteFaultPolicy | undefined;
}

interface Route {
  operation: AuthleteEmulatedOperation;
  method: string;
  pattern: RegExp;
  /** The path as Authlete names it in result messages. */
  apiPath: string;
}

const routes: Route[] = [
  {
    operation: 'list',
    method: 'GET',
    pattern: /^\/api\/(\d+)\/auth\/token\/get\/list\/?$/,
    apiPath: '/auth/token/get/list',
  },
  {
    operation: 'create',
    method: 'POST',
    pattern: /^\/api\/(\d+)\/auth\/token\/create$/,
    apiPath: '/auth/token/create',
  },
  {
    operation: 'update',
    method: 'POST',
    pattern: /^\/api\/(\d+)\/auth\/token\/update$/,
    apiPath: '/auth/token/update',
  },
  {
    operation: 'delete',
    method: 'DELETE',
    pattern: /^\/api\/(\d+)\/auth\/token\/delete\/([^/]+)$/,
    apiPath: '/auth/token/delete',
  },
  {
    operation: 'revoke',
    method: 'POST',
    pattern: /^\/api\/(\d+)\/auth\/token\/revoke$/,
    apiPath: '/auth/token/revoke',
  },
  {
    operation: 'introspection',
    method: 'POST',
    pattern: /^\/api\/(\d+)\/auth\/introspection$/,
    apiPath: '/auth/introspection',
  },
  {
    operation: 'reissue',
    method: 'POST',
    pattern: /^\/api\/(\d+)\/idtoken\/reissue$/,
    apiPath: '/idtoken/reissue',
  },
];

const defaultFaultBodies: Record<number, [string, string]> = {
  400: ['A001201', 'The request is malformed.'],
  401: ['A001202', 'Authorization header is missing.'],
  403: ['A001215', 'The client (ID = 0) is locked.'],
  404: ['A001301', 'Not found.'],
  429: ['A001401', 'Too many requests; retry later.'],
  500: ['A001101', 'Authlete Server error.'],
  502: ['A001102', 'Bad gateway.'],
  503: ['A001103', 'Service temporarily unavailable.'],
};

function faultReply(fault: AuthleteFault, apiPath: string): Reply {
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  if (fault.body !== undefined) return { status: fault.status, body: fault.body, headers };
  const [code, message] = defaultFaultBodies[fault.status] ?? ['A001100', `Emulated HTTP ${fault.status}.`];
  return { ...result(fault.status, code, apiPath, message), headers };
}

function takeFault(
  state: EmulatorState,
  operation: AuthleteEmulatedOperation,
  serviceId: string,
  record: AuthleteEmulatorRequest,
): AuthleteFault | undefined {
  const queued = state.faults.take(
    (fault) =>
      (fault.operation === '*' || fault.operation === operation) &&
      (fault.serviceId === undefined || fault.serviceId === serviceId),
  );
  return queued ?? state.faultPolicy?.(record);
}

/** 401 when the bearer token is missing or unknown; 403 when it is known but not for this service. */
function authenticate(
  state: EmulatorState,
  req: IncomingMessage,
  serviceId: string,
  apiPath: string,
): Reply | undefined {
  const header = req.headers.authorization;
  if (!header) return result(401, 'A001202', apiPath, 'Authorization header is missing.');
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  const services = match?.[1] !== undefined ? state.bearers.get(match[1]) : undefined;
  if (!services)
    return result(401, 'A001203', apiPath, 'The access token in the Authorization header is invalid.');
  if (services !== '*' && !services.has(serviceId)) {
    return result(
      403,
      'A001216',
      apiPath,
      `The access token is not allowed to access the service (API Key = ${serviceId}).`,
    );
  }
  if (!state.store.service(serviceId)) {
    return result(
      403,
      'A001216',
      apiPath,
      `The access token is not allowed to access the service (API Key = ${serviceId}).`,
    );
  }
  return undefined;
}

/** JSON or form; undefined when it is neither. */
function parseBody(text: string, contentType: string | undefined): Record<string, unknown> | undefined {
  if (text === '') return {};
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const headers = { ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const type =
    typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json;charset=UTF-8';
  res.writeHead(reply.status, {
    ...headers,
    'content-type': type,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function handle(state: EmulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const record: AuthleteEmulatorRequest = {
    at: Date.now(),
    method: req.method ?? 'GET',
    path: url.pathname,
    authenticated: false,
  };
  state.requests.push(record);
  const reply = (r: Reply) => {
    record.status = r.status;
    // A client that gave up (timeout) while a delayed fault waited gets nothing.
    if (!res.destroyed) send(res, r);
  };
  const answerFault = async (fault: AuthleteFault, apiPath: string): Promise<void> => {
    record.fault = true;
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (!fault.reset) return reply(faultReply(fault, apiPath));
    record.status = -1;
    res.destroy();
  };
  const text = await readBody(req);

  const byPath = routes.filter((r) => r.pattern.test(url.pathname));
  const route = byPath.find((r) => r.method === req.method);
  if (!route) {
    if (byPath.length > 0)
      return reply({
        ...result(405, 'A001002', url.pathname, 'Method not allowed.'),
        headers: { allow: byPath.map((r) => r.method).join(', ') },
      });
    return reply({ status: 404, body: { resultCode: '404', resultMessage: '' } });
  }
  const match = route.pattern.exec(url.pathname) as RegExpExecArray;
  const serviceId = match[1] as string;
  record.operation = route.operation;
  record.serviceId = serviceId;
  const body = parseBody(text, req.headers['content-type']);
  if (body !== undefined && text !== '') record.body = body;

  if (state.settings.latencyMs > 0) await new Promise((r) => setTimeout(r, state.settings.latencyMs));

  const taken = takeFault(state, route.operation, serviceId, record);
  // keepTokens is no failure: the call is answered as usual, only its removal is skipped.
  const keep = taken?.keepTokens === true;
  if (keep) record.fault = true;
  const fault = keep ? undefined : taken;
  if (fault && !fault.afterHandling) return answerFault(fault, route.apiPath);
  const denied = authenticate(state, req, serviceId, route.apiPath);
  if (denied) return reply(denied);
  record.authenticated = true;
  if (body === undefined)
    return reply(result(400, 'A001204', route.apiPath, 'The request body is not valid JSON.'));

  const service = state.store.service(serviceId);
  if (!service) return reply(result(403, 'A001216', route.apiPath, 'Unknown service.'));
  let answer: Reply;
  switch (route.operation) {
    case 'list':
      answer = listTokens(state.store, service, url.searchParams);
      break;
    case 'create':
      answer = createToken(state.store, service, body);
      break;
    case 'update':
      answer = updateToken(state.store, service, body);
      break;
    case 'delete':
      answer = deleteToken(state.store, service, decodeURIComponent(match[2] as string), keep);
      break;
    case 'revoke':
      answer = revokeTokens(
        state.store,
        service,
        body,
        service.revokeCountMax ?? state.settings.revokeCountMax,
        keep,
      );
      break;
    case 'introspection':
      answer = introspectToken(service, body);
      break;
    case 'reissue':
      answer = reissueIdToken(state.store, service, body, state.baseUrl());
      break;
  }
  // The work is done; the caller only sees the failure.
  if (fault) return answerFault(fault, route.apiPath);
  reply(answer);
}

export function createEmulatorServer(state: EmulatorState): Server {
  return createServer((req, res) => {
    handle(state, req, res).catch(() => {
      if (!res.headersSent) send(res, result(500, 'A001101', req.url ?? '', 'Authlete Server error.'));
      else res.destroy();
    });
  });
}
