import { request, type Dispatcher } from 'undici';
import type { GoogleTokenType } from '../../api';
import { httpFailure, Scrubber, transportFailure } from './errors';

export const DEFAULT_GOOGLE_IDENTITY_TOOLKIT_URL = 'https://identitytoolkit.googleapis.com';

/** How to reach one Google Cloud project's Identity Platform. */
export interface GoogleIdentityPlatformConnection {
  /** The project's API key; sent as `?key=`, as the API requires. A credential. */
  apiKey: string;
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
}

/**
 * Identity Toolkit v2 `accounts:revokeToken` over undici. Every failure is thrown as a classified
 * GoogleIdentityPlatformError with the API key and the tokens scrubbed; no retries here (Temporal
 * owns them).
 */
export class GoogleIdentityPlatformAdapter {
  private readonly apiKey: string;
  private readonly endpoint: string;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly callTimeoutMs: number;

  constructor(conn: GoogleIdentityPlatformConnection) {
    if (!conn.apiKey) throw new TypeError('apiKey must not be empty');
    this.apiKey = conn.apiKey;
    const base = (conn.baseUrl ?? DEFAULT_GOOGLE_IDENTITY_TOOLKIT_URL).replace(/\/+$/, '');
    this.endpoint = `${base}/v2/accounts:revokeToken`;
    this.dispatcher = conn.dispatcher;
    this.callTimeoutMs = conn.callTimeoutMs ?? 15_000;
  }

  /** A scrubber for everything this adapter and `extra` (the request's tokens) must never show. */
  scrubber(extra: ReadonlyArray<string | undefined> = []): Scrubber {
    return new Scrubber([this.apiKey, ...extra]);
  }

  /** Revokes one Apple token; a duplicate after a successful revoke also answers 200 `{}`. */
  async revokeToken(req: GoogleRevokeTokenRequest): Promise<GoogleRevokeTokenResult> {
    const scrub = this.scrubber([req.token, req.idToken]);
    const body = JSON.stringify({
      providerId: req.providerId,
      tokenType: req.tokenType,
      token: req.token,
      idToken: req.idToken,
      ...(req.tenantId !== undefined ? { tenantId: req.tenantId } : {}),
      ...(req.redirectUri !== undefined ? { redirectUri: req.redirectUri } : {}),
    });
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.endpoint}?key=${encodeURIComponent(this.apiKey)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
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
    if (res.statusCode >= 200 && res.statusCode < 300) return { httpStatus: res.statusCode };
    throw httpFailure(res.statusCode, text, res.headers['retry-after'], scrub);
  }
}
