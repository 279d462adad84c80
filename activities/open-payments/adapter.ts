import type { KeyObject } from 'node:crypto';
import { createHeaders, generateJwk, type JWK } from '@interledger/http-signature-utils';
import { request, type Dispatcher } from 'undici';
import {
  OpenPaymentsHttpError,
  OpenPaymentsKeyNotPublishedError,
  OpenPaymentsPolicyError,
  OpenPaymentsResponseError,
  OpenPaymentsTransportError,
  type OpenPaymentsErrorBody,
} from './errors';
import { parseRetryAfter } from '../retry-after';

/** How to act as one Open Payments client (one key pair published in the client's wallet address JWKS). */
export interface OpenPaymentsConnection {
  /** The client's Ed25519 private key; its public half is in `{walletAddressUrl}/jwks.json` under `keyId`. */
  privateKey: KeyObject;
  keyId: string;
  /**
   * The client's wallet address. Informational for requests; when set, an ambiguous 401 on a retry is
   * only read as "already revoked" once its JWKS is confirmed to hold our key (see `gnapDelete`).
   */
  walletAddressUrl?: string;
  /** Allow http:// auth servers (local emulators). @default false */
  allowInsecureHttp?: boolean;
  /** Whole-request timeout, connect to last body byte. @default 10000 */
  requestTimeoutMs?: number;
  /** @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /**
   * The auth server's GNAP token introspection endpoint (RFC 9767 §3.3), the one resource servers
   * call. Without it a revoke cannot be verified. @default none
   */
  introspectionEndpoint?: string;
  /** RFC 9767 `resource_server`: how the AS knows this caller (by reference). @default not sent */
  resourceServer?: string;
  /** Verify each revoked token by introspection. @default true */
  verify?: boolean;
}

/** What GNAP introspection said about a token (never the token), or why nothing was asked. */
export type GnapIntrospectResult =
  | { introspectionEndpoint: string; active: boolean; httpStatus: number; grant?: string }
  | { skipped: 'verify-off' | 'no-endpoint' };

/** Which Temporal attempt this call is (1 = first); retries are Temporal's, never the adapter's. */
export interface AttemptContext {
  attempt: number;
}

export interface GnapDeleteResult {
  /** The HTTP status that ended the call: 2xx, or 401 when read as "already revoked". */
  httpStatus: number;
  /**
   * True when the auth server said the token or grant no longer exists (Rafiki's 401 on a retry).
   * False after a 2xx; per GNAP that may still be a repeat of an earlier, lost success.
   */
  alreadyRevoked: boolean;
  /** Whether the client's JWKS was checked before reading a 401 as "already revoked". */
  keyPublicationChecked?: boolean;
}

type GnapAction = 'revokeToken' | 'cancelGrant';

/**
 * The error code Rafiki answers for a token or grant it no longer has (its lookups skip revoked
 * rows): `invalid_client` "invalid access token" for a manage URL, `invalid_continuation` "invalid
 * grant" for a continue URI.
 */
const goneCodes: Record<GnapAction, string> = {
  revokeToken: 'invalid_client',
  cancelGrant: 'invalid_continuation',
};

const maxBodyBytes = 64 * 1024;

function parseErrorBody(text: string): OpenPaymentsErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  const error = (json as { error?: unknown } | null)?.error;
  if (typeof error === 'string') return { code: error };
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; description?: unknown };
    return {
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.description === 'string' ? { description: e.description } : {}),
    };
  }
  // Older Rafiki releases answered {"error": "...", "message": "..."}; handled above as the string form.
  return {};
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    chunks.push(buf);
    if (size >= maxBodyBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, maxBodyBytes);
}

function transportError(err: unknown, what: string, timeoutMs: number): OpenPaymentsTransportError {
  const e = err as { name?: string; code?: string; message?: string };
  const timedOut =
    e.name === 'TimeoutError' ||
    e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e.code === 'UND_ERR_BODY_TIMEOUT' ||
    e.code === 'UND_ERR_CONNECT_TIMEOUT';
  if (timedOut) return new OpenPaymentsTransportError(`${what}: no response within ${timeoutMs} ms`, true);
  const code = e.code ? ` (${e.code})` : '';
  return new OpenPaymentsTransportError(`${what}: ${e.message ?? 'connection failed'}${code}`, false);
}

/**
 * GNAP token and grant management against an Open Payments auth server, over undici, signed with
 * RFC 9421 HTTP message signatures by @interledger/http-signature-utils.
 *
 * Deliberately not @interledger/open-payments: its ky-based client retries DELETE by itself and the
 * retries carry `Signature: undefined` (reference/providers.md §4). Here every call is one HTTP
 * request, signed when it is made, so each Temporal retry carries a fresh, valid signature.
 */
export class OpenPaymentsAdapter {
  private readonly timeoutMs: number;
  /** Our public key as a JWK, to compare with what the client's wallet address publishes. */
  readonly publicJwk: JWK;

  constructor(private readonly conn: OpenPaymentsConnection) {
    this.timeoutMs = conn.requestTimeoutMs ?? 10_000;
    this.publicJwk = generateJwk({ privateKey: conn.privateKey, keyId: conn.keyId });
  }

  /** Revokes one access token: `DELETE {manageUrl}`, `Authorization: GNAP {accessToken}`. */
  revokeToken(
    input: { manageUrl: string; accessToken: string },
    ctx: AttemptContext,
  ): Promise<GnapDeleteResult> {
    return this.gnapDelete('revokeToken', input.manageUrl, input.accessToken, ctx);
  }

  /** Cancels (revokes) a grant and with it its tokens: `DELETE {continueUri}`, `Authorization: GNAP {continueToken}`. */
  cancelGrant(
    input: { continueUri: string; continueToken: string },
    ctx: AttemptContext,
  ): Promise<GnapDeleteResult> {
    return this.gnapDelete('cancelGrant', input.continueUri, input.continueToken, ctx);
  }

  /**
   * RFC 9767 §3.3 token introspection: `POST {introspectionEndpoint}` with the JSON body
   * `{access_token, proof: "httpsig", resource_server?}`, HTTP-signed (with Content-Digest) by this
   * connection's key. Rafiki's own resource-server connection takes the same body and ignores the
   * rest. Resolves with `active` as the AS said it; non-2xx is an OpenPaymentsHttpError, as for DELETE.
   */
  async introspect(accessToken: string): Promise<GnapIntrospectResult> {
    if (this.conn.verify === false) return { skipped: 'verify-off' };
    if (this.conn.introspectionEndpoint === undefined) return { skipped: 'no-endpoint' };
    const url = this.checkTarget(this.conn.introspectionEndpoint, 'introspectionEndpoint').href;
    const body = JSON.stringify({
      access_token: accessToken,
      proof: 'httpsig',
      ...(this.conn.resourceServer !== undefined ? { resource_server: this.conn.resourceServer } : {}),
    });
    const signed = await createHeaders({
      request: { method: 'POST', url, headers: {}, body },
      privateKey: this.conn.privateKey,
      keyId: this.conn.keyId,
    });
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(signed))
      if (value !== undefined) headers[name.toLowerCase()] = value;
    const what = `POST ${url}`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(this.conn.dispatcher ? { dispatcher: this.conn.dispatcher } : {}),
      });
    } catch (err) {
      throw transportError(err, what, this.timeoutMs);
    }
    const text = await readCapped(res.body).catch((err: unknown) => {
      throw transportError(err, `${what} (reading the response)`, this.timeoutMs);
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new OpenPaymentsHttpError(
        res.statusCode,
        parseErrorBody(text),
        text,
        parseRetryAfter(res.headers['retry-after']),
      );
    }
    let json: { active?: unknown; grant?: unknown } | null;
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      json = null;
    }
    if (typeof json?.active !== 'boolean') {
      throw new OpenPaymentsResponseError(
        `${what} answered ${res.statusCode} without a boolean "active": not a GNAP introspection response`,
      );
    }
    return {
      introspectionEndpoint: url,
      active: json.active,
      httpStatus: res.statusCode,
      ...(typeof json.grant === 'string' ? { grant: json.grant.slice(0, 200) } : {}),
    };
  }

  private checkTarget(raw: string, field: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OpenPaymentsPolicyError(`${field} is not an absolute URL`);
    }
    if (url.protocol === 'https:') return url;
    if (url.protocol === 'http:' && this.conn.allowInsecureHttp) return url;
    throw new OpenPaymentsPolicyError(
      url.protocol === 'http:'
        ? `${field} ${url.origin} is plain http; the connection allows only https (set allowInsecureHttp for a local server)`
        : `${field} must be an https URL`,
    );
  }

  private async gnapDelete(
    action: GnapAction,
    rawUrl: string,
    token: string,
    ctx: AttemptContext,
  ): Promise<GnapDeleteResult> {
    const field = action === 'revokeToken' ? 'manageUrl' : 'continueUri';
    const url = this.checkTarget(rawUrl, field).href;
    const authorization = `GNAP ${token}`;
    // Signed here, per attempt: `created` is this attempt's time, and nothing is reused from a
    // previous attempt. No body, so no Content-Digest; the components are @method, @target-uri and
    // authorization, exactly what Rafiki's verifier (the same library) rebuilds from the request.
    const signature = await createHeaders({
      request: { method: 'DELETE', url, headers: { authorization } },
      privateKey: this.conn.privateKey,
      keyId: this.conn.keyId,
    });
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'DELETE',
        headers: {
          authorization,
          signature: signature.Signature,
          'signature-input': signature['Signature-Input'],
          accept: 'application/json',
        },
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(this.conn.dispatcher ? { dispatcher: this.conn.dispatcher } : {}),
      });
    } catch (err) {
      throw transportError(err, `DELETE ${url}`, this.timeoutMs);
    }
    let text: string;
    try {
      text = await readCapped(res.body);
    } catch (err) {
      throw transportError(err, `DELETE ${url} (reading the response)`, this.timeoutMs);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) {
      return { httpStatus: res.statusCode, alreadyRevoked: false };
    }
    const error = new OpenPaymentsHttpError(
      res.statusCode,
      parseErrorBody(text),
      text,
      parseRetryAfter(res.headers['retry-after']),
    );
    if (this.isGoneOnRetry(action, error, ctx)) {
      const keyPublicationChecked = await this.confirmKeyPublished();
      return { httpStatus: error.status, alreadyRevoked: true, keyPublicationChecked };
    }
    throw error;
  }

  /**
   * Whether a failed DELETE means the token (or grant) is already gone, which is what we wanted.
   *
   * GNAP (RFC 9635 §6.2) says revoking an already revoked token SHOULD succeed with 204, so a retry
   * after a lost 204 is harmless there. Rafiki instead looks tokens and grants up among the unrevoked
   * ones and answers 401 `invalid_client` ("invalid access token") or `invalid_continuation`
   * ("invalid grant"). When attempt 1 revoked the token but its 204 was lost (reset, timeout, a 5xx
   * from a proxy), attempt 2 gets that 401. Failing there would report a revoked token as not
   * revoked and, worse, suggest a credential problem.
   *
   * So on attempt 2 and later that 401 means "no active token (grant) at this URL any more": the goal
   * state. On attempt 1 it stays UNAUTHENTICATED: nothing of ours can have revoked it, so the token
   * was wrong or already revoked by someone else, and the caller should hear about it.
   *
   * Could a bad signature hide behind the same 401? Rafiki answers `invalid_client` for a bad
   * signature too. It is still safe:
   * - Every attempt signs the same components (method, URL, Authorization) with the same key and key
   *   id; only `created` changes, and Rafiki's verifier does not check it. A signature the server
   *   rejects on attempt N would have been rejected on attempt 1, and that 401 would have been final
   *   (non-retryable): there would be no attempt N.
   * - The hole left is an attempt 1 that never reached the verifier (connection refused, a proxy's
   *   503) with a key the server does not know. For that: a description naming the signature (Rafiki
   *   says "invalid signature" / "invalid signature headers") is never read as gone; and with
   *   `walletAddressUrl` set, `confirmKeyPublished` checks that the client's JWKS, which is what the
   *   auth server verifies against, holds our key id with our public key before concluding.
   * - The key itself is checked when the connection is built (Ed25519, private, with a key id).
   */
  private isGoneOnRetry(action: GnapAction, err: OpenPaymentsHttpError, ctx: AttemptContext): boolean {
    return (
      ctx.attempt > 1 &&
      err.status === 401 &&
      err.error.code === goneCodes[action] &&
      !/signature/i.test(err.error.description ?? '')
    );
  }

  /**
   * True when `{walletAddressUrl}/jwks.json` holds our key id with our public key; false when there
   * is no wallet address to check. Thrown when it does not hold it: OpenPaymentsKeyNotPublishedError
   * (then the 401 was about our signature); transport errors and 5xx are retryable as usual.
   */
  private async confirmKeyPublished(): Promise<boolean> {
    if (!this.conn.walletAddressUrl) return false;
    const jwksUrl = `${this.checkTarget(this.conn.walletAddressUrl, 'walletAddressUrl').href.replace(/\/+$/, '')}/jwks.json`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(jwksUrl, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(this.conn.dispatcher ? { dispatcher: this.conn.dispatcher } : {}),
      });
    } catch (err) {
      throw transportError(err, `GET ${jwksUrl}`, this.timeoutMs);
    }
    const text = await readCapped(res.body).catch((err: unknown) => {
      throw transportError(err, `GET ${jwksUrl} (reading the response)`, this.timeoutMs);
    });
    if (res.statusCode >= 500 || res.statusCode === 429) {
      throw new OpenPaymentsHttpError(res.statusCode, {}, '', parseRetryAfter(res.headers['retry-after']));
    }
    let keys: unknown;
    try {
      keys = res.statusCode === 200 ? (JSON.parse(text) as { keys?: unknown }).keys : undefined;
    } catch {
      keys = undefined;
    }
    const ours = this.publicJwk;
    const published =
      Array.isArray(keys) &&
      keys.some((k: Partial<JWK> | null) => k?.kid === ours.kid && k.x === ours.x && k.crv === ours.crv);
    if (!published) {
      throw new OpenPaymentsKeyNotPublishedError(
        `the auth server refused the request (401) and key id "${ours.kid}" with this connection's public key is not in ${jwksUrl} (HTTP ${res.statusCode}); the signature, not the token, is the problem`,
      );
    }
    return true;
  }
}
