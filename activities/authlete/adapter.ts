import { request, type Dispatcher } from 'undici';
import { scrubSecrets } from '../../api';
import { parseRetryAfter } from '../retry-after';
import { AuthleteApiError, AuthleteResponseError, AuthleteTransportError } from './errors';
import type {
  AuthleteIdTokenReissueRequest,
  AuthleteIdTokenReissueResponse,
  AuthleteIntrospection,
  AuthleteIntrospectionAction,
  AuthleteListQuery,
  AuthleteOperationName,
  AuthleteTokenCreateRequest,
  AuthleteTokenCreateResponse,
  AuthleteTokenList,
  AuthleteTokenRevokeRequest,
  AuthleteTokenRevokeResponse,
  AuthleteTokenUpdateRequest,
  AuthleteTokenUpdateResponse,
} from './types';

export type * from './types';

/** Authlete's v3 clusters. */
export const authleteClusters = ['us', 'jp', 'eu', 'br'] as const;
export type AuthleteCluster = (typeof authleteClusters)[number];

/** `us` → `https://us.authlete.com`. */
export function authleteClusterUrl(cluster: AuthleteCluster): string {
  return `https://${cluster}.authlete.com`;
}

/** How to reach one Authlete organization or service. */
export interface AuthleteConnection {
  /** Where the API is: a cluster URL (authleteClusterUrl) or a custom one; may carry a path prefix. */
  baseUrl: string;
  /** Service access token or organization token, sent as `Authorization: Bearer`. */
  serviceAccessToken: string;
  /** The transport. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** Per-call deadline, connection included. @default 15000 */
  callTimeoutMs?: number;
  /** Ask Authlete after each revoke whether the tokens are gone (introspection, the token list). @default true */
  verify?: boolean;
}

/** Per-call options. */
export interface AuthleteCallOptions {
  /** Aborts the call (an activity's cancellation signal); the abort reason is rethrown as is. */
  signal?: AbortSignal;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function assertField<T>(
  op: AuthleteOperationName,
  status: number,
  body: Json,
  field: string,
  check: (v: unknown) => v is T,
  what: string,
): T {
  const v = body[field];
  if (!check(v)) throw new AuthleteResponseError(op, status, `"${field}" is not ${what}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const introspectionActions: readonly string[] = [
  'INTERNAL_SERVER_ERROR',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'OK',
] satisfies AuthleteIntrospectionAction[];
const isIntrospectionAction = (v: unknown): v is AuthleteIntrospectionAction =>
  typeof v === 'string' && introspectionActions.includes(v);
const optionalString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Authlete's token management API (v3: `/api/{serviceId}/auth/token/...`) over undici: list,
 * create, update, delete, revoke and ID-token reissue. Every method throws AuthleteApiError (an
 * error answer), AuthleteTransportError (no answer) or AuthleteResponseError (an unreadable one);
 * classify them with classifyAuthleteError. No retries here: Temporal's retry policy owns them.
 */
export class AuthleteAdapter {
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly callTimeoutMs: number;
  /** Whether revocations through this connection are verified afterwards. */
  readonly verify: boolean;

  constructor(conn: AuthleteConnection) {
    const url = new URL(conn.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError('baseUrl must be an http(s) URL');
    }
    if (!conn.serviceAccessToken) throw new TypeError('serviceAccessToken must not be empty');
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.token = conn.serviceAccessToken;
    this.dispatcher = conn.dispatcher;
    this.callTimeoutMs = conn.callTimeoutMs ?? 15_000;
    this.verify = conn.verify ?? true;
  }

  /** `GET /api/{serviceId}/auth/token/get/list`: one page of tokens (hashes, never values). */
  async list(serviceId: string, query: AuthleteListQuery = {}, o: AuthleteCallOptions = {}) {
    const params = new URLSearchParams();
    for (const key of ['clientIdentifier', 'subject', 'start', 'end', 'tokenStatus'] as const) {
      const v = query[key];
      if (v !== undefined) params.set(key, String(v));
    }
    const qs = params.size > 0 ? `?${params.toString()}` : '';
    const { status, body } = await this.call(
      'list',
      'GET',
      `${this.servicePath(serviceId)}/auth/token/get/list${qs}`,
      o,
    );
    const json = this.object('list', status, body);
    const accessTokens = json.accessTokens ?? [];
    if (!isArray(accessTokens) || !accessTokens.every((t) => isObject(t) && isString(t.accessTokenHash))) {
      throw new AuthleteResponseError(
        'list',
        status,
        '"accessTokens" is not an array of tokens with accessTokenHash',
      );
    }
    return {
      ...json,
      start: assertField('list', status, json, 'start', isNumber, 'a number'),
      end: assertField('list', status, json, 'end', isNumber, 'a number'),
      totalCount: assertField('list', status, json, 'totalCount', isNumber, 'a number'),
      accessTokens,
    } as AuthleteTokenList;
  }

  /** `POST /api/{serviceId}/auth/token/create`. Thrown unless `action` is OK: AuthleteApiError. */
  async create(serviceId: string, req: AuthleteTokenCreateRequest, o: AuthleteCallOptions = {}) {
    const json = await this.post('create', `${this.servicePath(serviceId)}/auth/token/create`, req, o);
    return json as AuthleteTokenCreateResponse;
  }

  /** `POST /api/{serviceId}/auth/token/update`. Thrown unless `action` is OK: AuthleteApiError. */
  async update(serviceId: string, req: AuthleteTokenUpdateRequest, o: AuthleteCallOptions = {}) {
    const json = await this.post('update', `${this.servicePath(serviceId)}/auth/token/update`, req, o);
    return json as AuthleteTokenUpdateResponse;
  }

  /** `DELETE /api/{serviceId}/auth/token/delete/{accessTokenIdentifier}` → 204, no body. */
  async destroy(
    serviceId: string,
    accessTokenIdentifier: string,
    o: AuthleteCallOptions = {},
  ): Promise<void> {
    const path = `${this.servicePath(serviceId)}/auth/token/delete/${encodeURIComponent(accessTokenIdentifier)}`;
    await this.call('delete', 'DELETE', path, o);
  }

  /** `POST /api/{serviceId}/auth/token/revoke` → how many tokens this call revoked. */
  async revoke(serviceId: string, req: AuthleteTokenRevokeRequest, o: AuthleteCallOptions = {}) {
    const json = await this.post('revoke', `${this.servicePath(serviceId)}/auth/token/revoke`, req, o);
    const count = assertField('revoke', 200, json, 'count', isNumber, 'a number');
    return {
      resultCode: optionalString(json.resultCode) ?? '',
      resultMessage: optionalString(json.resultMessage) ?? '',
      count,
    } satisfies AuthleteTokenRevokeResponse;
  }

  /**
   * `POST /api/{serviceId}/auth/introspection` for one access token value. Every `action` is an
   * answer (UNAUTHORIZED: no such token, or expired), except INTERNAL_SERVER_ERROR and BAD_REQUEST,
   * which are thrown as AuthleteApiError (a failure at Authlete, a request it could not read).
   */
  async introspect(
    serviceId: string,
    token: string,
    o: AuthleteCallOptions = {},
  ): Promise<AuthleteIntrospection> {
    const { status, body } = await this.call(
      'introspection',
      'POST',
      `${this.servicePath(serviceId)}/auth/introspection`,
      o,
      { token },
    );
    const json = this.object('introspection', status, body);
    const action = assertField(
      'introspection',
      status,
      json,
      'action',
      isIntrospectionAction,
      'an introspection action',
    );
    const result = this.resultOf(json);
    if (action === 'INTERNAL_SERVER_ERROR' || action === 'BAD_REQUEST') {
      throw new AuthleteApiError('introspection', status, { action, ...result });
    }
    const flag = (field: string) => json[field] === true;
    return {
      action,
      resultCode: result.resultCode ?? '',
      resultMessage: result.resultMessage ?? '',
      // FORBIDDEN and OK are only answered for a token that exists; Authlete may omit the flags.
      existent: flag('existent') || action === 'OK' || action === 'FORBIDDEN',
      usable: flag('usable') || action === 'OK',
      refreshable: flag('refreshable'),
    };
  }

  /** `POST /api/{serviceId}/idtoken/reissue`. Thrown unless `action` is OK: AuthleteApiError. */
  async reissueIdToken(serviceId: string, req: AuthleteIdTokenReissueRequest, o: AuthleteCallOptions = {}) {
    const json = await this.post('reissue', `${this.servicePath(serviceId)}/idtoken/reissue`, req, o);
    return json as unknown as AuthleteIdTokenReissueResponse;
  }

  private servicePath(serviceId: string): string {
    return `/api/${encodeURIComponent(serviceId)}`;
  }

  private object(op: AuthleteOperationName, status: number, body: unknown): Json {
    if (!isObject(body)) throw new AuthleteResponseError(op, status, 'the body is not a JSON object');
    return body;
  }

  /** A POST whose answer is a JSON object; one with an `action` other than OK is an error. */
  private async post(
    op: AuthleteOperationName,
    path: string,
    payload: object,
    o: AuthleteCallOptions,
  ): Promise<Json> {
    const { status, body } = await this.call(op, 'POST', path, o, payload);
    const json = this.object(op, status, body);
    const action = json.action;
    if (action !== undefined && action !== 'OK') {
      throw new AuthleteApiError(op, status, {
        action: String(action),
        ...this.resultOf(json),
      });
    }
    return json;
  }

  private resultOf(json: Json): { resultCode?: string; resultMessage?: string } {
    const resultCode = optionalString(json.resultCode);
    const resultMessage = optionalString(json.resultMessage);
    return {
      ...(resultCode !== undefined ? { resultCode } : {}),
      ...(resultMessage !== undefined ? { resultMessage: scrubSecrets(resultMessage, [this.token]) } : {}),
    };
  }

  private async call(
    op: AuthleteOperationName,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    o: AuthleteCallOptions,
    payload?: object,
  ): Promise<{ status: number; body: unknown }> {
    const timeout = AbortSignal.timeout(this.callTimeoutMs);
    const signal = o.signal ? AbortSignal.any([timeout, o.signal]) : timeout;
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      res = await request(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload ? { body: JSON.stringify(payload) } : {}),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
        signal,
      });
      text = await res.body.text();
    } catch (err) {
      if (o.signal?.aborted) throw o.signal.reason ?? err;
      const e = err as { code?: unknown; message?: unknown; name?: unknown };
      const code = typeof e.code === 'string' ? e.code : undefined;
      const timedOut = timeout.aborted || /TIMEOUT/.test(code ?? '');
      // The message of a transport error may quote the request; only its code and a fixed text leave.
      throw new AuthleteTransportError(
        op,
        timedOut,
        code,
        timedOut
          ? `no answer within ${this.callTimeoutMs} ms`
          : `cannot reach Authlete${code ? ` (${code})` : ''}`,
      );
    }
    const status = res.statusCode;
    let body: unknown;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (status >= 200 && status < 300) {
      if (status !== 204 && body === undefined && text.length > 0) {
        throw new AuthleteResponseError(op, status, 'the body is not JSON');
      }
      return { status, body };
    }
    const result = isObject(body) ? this.resultOf(body) : {};
    const action = isObject(body) ? optionalString(body.action) : undefined;
    throw new AuthleteApiError(
      op,
      status,
      {
        ...result,
        ...(action !== undefined ? { action } : {}),
        ...(!isObject(body) && text.length > 0
          ? { text: scrubSecrets(text.slice(0, 200), [this.token]) }
          : {}),
      },
      parseRetryAfter(headerValue(res.headers, 'retry-after')),
    );
  }
}
