import { JWT, type JWTOptions } from 'google-auth-library';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { tokenEndpointFailure, transportFailure } from './errors';

/** Google's OAuth 2.0 token endpoint; google-auth-library always posts there. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** The scope `accounts:revokeToken` names first ("Authorization scopes"). */
export const DEFAULT_GOOGLE_SCOPES = ['https://www.googleapis.com/auth/identitytoolkit'];

/** A service account, from its key file (`client_email`, `private_key`, `token_uri`). */
export interface GoogleServiceAccountCredentials {
  clientEmail: string;
  /** PEM. A credential: never logged, scrubbed from every error. */
  privateKey: string;
  /** The key file's `token_uri`. @default 'https://oauth2.googleapis.com/token' */
  tokenUri?: string;
  /** @default ['https://www.googleapis.com/auth/identitytoolkit'] */
  scopes?: string[];
}

/**
 * OAuth 2.0 access tokens for a service account, from google-auth-library's JWT client (it signs
 * the RS256 assertion, exchanges it, caches the token and refreshes it before it expires). The
 * library posts to Google's token URL whatever the key file says, so its fetch sends that request to
 * the key's `token_uri` instead (an emulator, a private endpoint), over the adapter's dispatcher.
 * Its own retries are off: Temporal owns retries.
 */
export class ServiceAccountTokens {
  private readonly jwt: JWT;
  private current: string | undefined;

  constructor(
    readonly credentials: GoogleServiceAccountCredentials,
    opts: { dispatcher?: Dispatcher | undefined; timeoutMs: number },
  ) {
    const tokenUri = credentials.tokenUri ?? GOOGLE_TOKEN_URL;
    const fetchImplementation = ((url: string | URL, init: Record<string, unknown>) => {
      const target = String(url) === GOOGLE_TOKEN_URL ? tokenUri : String(url);
      return undiciFetch(target, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        redirect: 'manual',
        ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      });
    }) as unknown as NonNullable<JWTOptions['transporterOptions']>['fetchImplementation'];
    this.jwt = new JWT({
      email: credentials.clientEmail,
      key: credentials.privateKey,
      scopes: credentials.scopes ?? DEFAULT_GOOGLE_SCOPES,
      transporterOptions: {
        fetchImplementation,
        timeout: opts.timeoutMs,
        retryConfig: { retry: 0, noResponseRetries: 0 },
      },
    });
  }

  /** The secrets this source knows: the private key and the latest access token. */
  secrets(): string[] {
    return [this.credentials.privateKey, ...(this.current ? [this.current] : [])];
  }

  /** A valid access token (cached until shortly before it expires). Thrown: a classified error. */
  async accessToken(): Promise<string> {
    let token: string | null | undefined;
    try {
      token = (await this.jwt.getAccessToken()).token;
    } catch (err) {
      const e = err as { response?: { status?: unknown; data?: unknown; headers?: unknown } };
      const status = e.response?.status;
      if (typeof status === 'number') throw tokenEndpointFailure(status, e.response?.data, this.secrets());
      throw transportFailure(err, 'no');
    }
    if (!token) throw tokenEndpointFailure(200, undefined, this.secrets());
    this.current = token;
    return token;
  }

  /** Forgets the cached token, so the next call fetches a new one (after a 401). */
  invalidate(): void {
    this.jwt.credentials = { refresh_token: 'jwt-placeholder', expiry_date: 1 };
  }
}
