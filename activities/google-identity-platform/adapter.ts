import { request, type Dispatcher } from 'undici';
import type { GoogleTokenType } from '../../api';
import { GoogleIdentityPlatformError, httpFailure, Scrubber, transportFailure } from './errors';
import { ServiceAccountTokens, type GoogleServiceAccountCredentials } from './service-account';

export type { GoogleServiceAccountCredentials } from './service-account';

export const DEFAULT_GOOGLE_IDENTITY_TOOLKIT_URL = 'https://identitytoolkit.googleapis.com';

/**
 * How to reach one Google Cloud project's Identity Platform, and how to authenticate: an API key, a
 * service account (OAuth 2.0 bearer tokens with an identitytoolkit or cloud-platform scope), or both.
 */
export interface GoogleIdentityPlatformConnection {
  /** The project's API key; sent as `?key=`. A credential. */
  apiKey?: string;
  /** A service account: each call carries `Authorization: Bearer <access token>`. */
  serviceAccount?: GoogleServiceAccountCredentials;
  /** @default 'https://identitytoolkit.googleapis.com' */
  baseUrl?: string;
  /** @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** Limit for the response headers and body each. @default 15000 */
  callTimeoutMs?: number;
}

/** The body of `accounts:revokeToken`, as Identity Toolkit v2 names it. `token` and `idToken` are secrets. */
export interface GoogleRevokeTokenRequest {
  providerId: string;
  tokenType: GoogleTokenType;
  token: string;
  idToken: string;
  tenantId?: string;
  redirectUri?: string;
}

export interface GoogleRevokeTokenResult {
  httpStatus: number;
  /** The service account whose access token authorized the call, when one did (not a secret). */
  serviceAccount?: string;
}

/** Called right before the revokeToken request is sent (not before a token fetch). */
export type BeforeSend = () => void;

/**
 * Identity Toolkit v2 `accounts:revokeToken` over undici. Every failure is thrown as a classified
 * GoogleIdentityPlatformError with the credentials and the tokens scrubbed; no retries here
 * (Temporal owns them), except that a bearer token Google no longer accepts (401) is replaced once.
 */
export class GoogleIdentityPlatformAdapter {
  private readonly apiKey: string | undefined;
  private readonly tokens: ServiceAccountTokens | undefined;
  private readonly endpoint: string;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly callTimeoutMs: number;

  constructor(conn: GoogleIdentityPlatformConnection) {
    if (conn.apiKey === undefined && conn.serviceAccount === undefined) {
      throw new TypeError('set apiKey, serviceAccount or both');
    }
    if (conn.apiKey === '') throw new TypeError('apiKey must not be empty');
    this.apiKey = conn.apiKey;
    const base = (conn.baseUrl ?? DEFAULT_GOOGLE_IDENTITY_TOOLKIT_URL).replace(/\/+$/, '');
    this.endpoint = `${base}/v2/accounts:revokeToken`;
    this.dispatcher = conn.dispatcher;
    this.callTimeoutMs = conn.callTimeoutMs ?? 15_000;
    this.tokens = conn.serviceAccount
      ? new ServiceAccountTokens(conn.serviceAccount, {
          dispatcher: conn.dispatcher,
          timeoutMs: this.callTimeoutMs,
        })
      : undefined;
  }

  /** A scrubber for everything this adapter and `extra` (the request's tokens) must never show. */
  scrubber(extra: ReadonlyArray<string | undefined> = []): Scrubber {
    return new Scrubber([this.apiKey, ...(this.tokens?.secrets() ?? []), ...extra]);
  }

  /**
   * Revokes one Apple token; a duplicate after a successful revoke also answers 200 `{}`.
   * `beforeSend` runs right before each revokeToken request leaves (so a caller can record that it
   * may reach Google); a token fetch that fails throws before it.
   */
  async revokeToken(
    req: GoogleRevokeTokenRequest,
    beforeSend?: BeforeSend,
  ): Promise<GoogleRevokeTokenResult> {
    try {
      return await this.call(req, beforeSend);
    } catch (err) {
      // A 401 on a bearer call: the cached token was revoked or expired early. One fresh token.
      if (!(this.tokens && err instanceof GoogleIdentityPlatformError && err.httpStatus === 401)) throw err;
      this.tokens.invalidate();
      return this.call(req, beforeSend);
    }
  }

  private async call(
    req: GoogleRevokeTokenRequest,
    beforeSend?: BeforeSend,
  ): Promise<GoogleRevokeTokenResult> {
    const bearer = this.tokens ? await this.tokens.accessToken() : undefined;
    const scrub = this.scrubber([req.token, req.idToken]);
    const body = JSON.stringify({
      providerId: req.providerId,
      tokenType: req.tokenType,
      token: req.token,
      idToken: req.idToken,
      ...(req.tenantId !== undefined ? { tenantId: req.tenantId } : {}),
      ...(req.redirectUri !== undefined ? { redirectUri: req.redirectUri } : {}),
    });
    const url =
      this.apiKey === undefined ? this.endpoint : `${this.endpoint}?key=${encodeURIComponent(this.apiKey)}`;
    let res: Dispatcher.ResponseData;
    beforeSend?.();
    try {
      res = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(bearer !== undefined ? { authorization: `Bearer ${bearer}` } : {}),
        },
        body,
        headersTimeout: this.callTimeoutMs,
        bodyTimeout: this.callTimeoutMs,
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
    } catch (err) {
      throw transportFailure(err);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw transportFailure(err);
    }
    // Success is `{}`; its content carries nothing, so it is not required to parse.
    if (res.statusCode >= 200 && res.statusCode < 300) {
      return {
        httpStatus: res.statusCode,
        ...(this.tokens ? { serviceAccount: this.tokens.credentials.clientEmail } : {}),
      };
    }
    throw httpFailure(res.statusCode, text, res.headers['retry-after'], scrub);
  }
}
