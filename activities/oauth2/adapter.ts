import * as oauth from 'oauth4webapi';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { OAuth2TokenTypeHint } from '../../api';
import {
  clientAuthentication,
  type OAuth2ClientAuthMethod,
  type OAuth2ClientCredentials,
} from './client-auth';
import { OAuth2CallError, safeUrl, type OAuth2Phase } from './errors';

export type { OAuth2ClientAuthMethod, OAuth2ClientCredentials, OAuth2SigningAlg } from './client-auth';

/** Where the revocation endpoint is: configured, or discovered from the issuer's metadata. */
export type OAuth2ServerLocation =
  | {
      revocationEndpoint: string;
      /** Used as the private_key_jwt audience when set. */
      issuer?: string;
    }
  | {
      issuer: string;
      /** `oauth2`: RFC 8414 `/.well-known/oauth-authorization-server` (inserted before the issuer's path); `oidc`: `/.well-known/openid-configuration` (appended). */
      discovery: 'oauth2' | 'oidc';
    };

/** How to reach one authorization server as one client. */
export interface OAuth2Connection {
  clientId: string;
  credentials: OAuth2ClientCredentials;
  server: OAuth2ServerLocation;
  /** Allow http:// endpoints (local emulators only). @default false */
  allowInsecureRequests?: boolean;
  /** The transport (a custom CA, a proxy). @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** Time limit of each HTTP request. @default 15000 */
  timeoutMs?: number;
  /** How long discovered metadata is reused. @default 3600000 (1 h) */
  discoveryTtlMs?: number;
  /** The RFC 7662 endpoint. @default the discovered `introspection_endpoint`, if any */
  introspectionEndpoint?: string;
  /** Ask the introspection endpoint whether a revoked token still works. @default true */
  verify?: boolean;
}

/** What one successful revocation call reached; no secrets. */
export interface OAuth2RevokeResult {
  revocationEndpoint: string;
  clientAuthMethod: OAuth2ClientAuthMethod;
  /** Present when the endpoint came from discovery: which well-known document, and its issuer. */
  discovery?: 'oauth2' | 'oidc';
  issuer?: string;
}

/**
 * What an RFC 7662 introspection said about a token, without the token: `active` and a few claims
 * that name no secret. `skipped` says why nothing was asked.
 */
export type OAuth2IntrospectResult =
  | {
      introspectionEndpoint: string;
      clientAuthMethod: OAuth2ClientAuthMethod;
      active: boolean;
      /** Claims of an active token worth showing: token_type, client_id, exp (never the token). */
      claims: { token_type?: string; client_id?: string; exp?: number };
    }
  | { skipped: 'verify-off' | 'no-endpoint'; discovery?: 'oauth2' | 'oidc' };

interface ResolvedServer {
  as: oauth.AuthorizationServer;
  discovery?: 'oauth2' | 'oidc';
}

/**
 * RFC 7009 revocation with oauth4webapi. oauth4webapi has no retries and accepts only a 200; every
 * other outcome is thrown as an OAuth2CallError for the activity to classify. Discovered metadata is
 * cached per adapter (one adapter per connection per worker).
 */
export class OAuth2Adapter {
  private readonly client: oauth.Client;
  private readonly timeoutMs: number;
  private readonly discoveryTtlMs: number;
  private auth: Promise<oauth.ClientAuth> | undefined;
  private discovered: { at: number; server: Promise<ResolvedServer> } | undefined;

  constructor(private readonly conn: OAuth2Connection) {
    this.client = { client_id: conn.clientId };
    this.timeoutMs = conn.timeoutMs ?? 15_000;
    this.discoveryTtlMs = conn.discoveryTtlMs ?? 3_600_000;
  }

  get clientAuthMethod(): OAuth2ClientAuthMethod {
    return this.conn.credentials.method;
  }

  /** Credentials to scrub from any text that leaves the engine. */
  secrets(): string[] {
    const c = this.conn.credentials;
    return c.method === 'client_secret_basic' || c.method === 'client_secret_post' ? [c.clientSecret] : [];
  }

  /** Revokes `token`. Resolves when the server answered 200 (revoked, or never valid: RFC 7009 §2.2). */
  async revoke(token: string, tokenTypeHint?: OAuth2TokenTypeHint): Promise<OAuth2RevokeResult> {
    const { as, discovery } = await this.server();
    const auth = await this.clientAuth();
    const endpoint = safeUrl(String(as.revocation_endpoint));
    await this.exchange('revocation', endpoint, async (options) => {
      const response = await oauth.revocationRequest(as, this.client, auth, token, {
        ...options,
        ...(tokenTypeHint ? { additionalParameters: { token_type_hint: tokenTypeHint } } : {}),
      });
      await oauth.processRevocationResponse(response);
      // RFC 7009 §2.2: the client ignores the body; release the connection.
      await response.body?.cancel();
    });
    return {
      revocationEndpoint: endpoint,
      clientAuthMethod: this.clientAuthMethod,
      ...(discovery ? { discovery, issuer: as.issuer } : {}),
    };
  }

  /**
   * RFC 7662 introspection of `token` with the same client authentication as revocation; resolves
   * with `active` as the server answered (RFC 7662 §2.2: false for unknown, expired or revoked
   * tokens), or `skipped` when verification is off or there is no introspection endpoint.
   */
  async introspect(token: string, tokenTypeHint?: OAuth2TokenTypeHint): Promise<OAuth2IntrospectResult> {
    if (this.conn.verify === false) return { skipped: 'verify-off' };
    const { as, discovery } = await this.server();
    const configured = this.conn.introspectionEndpoint;
    const url =
      configured ?? (typeof as.introspection_endpoint === 'string' ? as.introspection_endpoint : undefined);
    if (url === undefined) return { skipped: 'no-endpoint', ...(discovery ? { discovery } : {}) };
    const auth = await this.clientAuth();
    const endpoint = safeUrl(url);
    const target = { ...as, introspection_endpoint: url };
    const answer = await this.exchange('introspection', endpoint, async (options) => {
      const response = await oauth.introspectionRequest(target, this.client, auth, token, {
        ...options,
        ...(tokenTypeHint ? { additionalParameters: { token_type_hint: tokenTypeHint } } : {}),
      });
      return oauth.processIntrospectionResponse(target, this.client, response);
    });
    const claims = {
      ...(typeof answer.token_type === 'string' ? { token_type: answer.token_type.slice(0, 100) } : {}),
      ...(typeof answer.client_id === 'string' ? { client_id: answer.client_id.slice(0, 200) } : {}),
      ...(typeof answer.exp === 'number' ? { exp: answer.exp } : {}),
    };
    return {
      introspectionEndpoint: endpoint,
      clientAuthMethod: this.clientAuthMethod,
      active: answer.active,
      claims,
    };
  }

  private clientAuth(): Promise<oauth.ClientAuth> {
    return (this.auth ??= clientAuthentication(this.conn.credentials).catch((err: unknown) => {
      this.auth = undefined;
      throw err;
    }));
  }

  private server(): Promise<ResolvedServer> {
    const location = this.conn.server;
    if ('revocationEndpoint' in location) {
      // oauth4webapi needs an issuer; it is only the default assertion audience here.
      const issuer = location.issuer ?? location.revocationEndpoint;
      return Promise.resolve({ as: { issuer, revocation_endpoint: location.revocationEndpoint } });
    }
    const now = Date.now();
    if (!this.discovered || now - this.discovered.at > this.discoveryTtlMs) {
      const server = this.discover(location.issuer, location.discovery);
      const entry = { at: now, server };
      this.discovered = entry;
      // A failed discovery is not cached: the next attempt asks again.
      server.catch(() => {
        if (this.discovered === entry) this.discovered = undefined;
      });
    }
    return this.discovered.server;
  }

  private async discover(issuer: string, discovery: 'oauth2' | 'oidc'): Promise<ResolvedServer> {
    const issuerUrl = new URL(issuer);
    const as = await this.exchange('discovery', undefined, async (options) => {
      const response = await oauth.discoveryRequest(issuerUrl, { ...options, algorithm: discovery });
      return oauth.processDiscoveryResponse(issuerUrl, response);
    });
    if (typeof as.revocation_endpoint !== 'string') {
      throw new OAuth2CallError('discovery', safeUrl(issuer), {
        cause: new oauth.OperationProcessingError(
          `the authorization server metadata of ${safeUrl(issuer)} (${discovery} discovery) has no revocation_endpoint`,
          { code: oauth.MISSING_SERVER_METADATA },
        ),
      });
    }
    return { as, discovery };
  }

  /**
   * Runs one oauth4webapi exchange through undici with this connection's dispatcher and time limit;
   * the URL actually called goes into the error, so messages name it.
   */
  private async exchange<T>(
    phase: OAuth2Phase,
    knownUrl: string | undefined,
    run: (options: {
      signal: AbortSignal;
      [oauth.customFetch]: (url: string, init: RequestInit) => Promise<Response>;
      [oauth.allowInsecureRequests]?: boolean;
    }) => Promise<T>,
  ): Promise<T> {
    let calledUrl = knownUrl;
    const dispatcher = this.conn.dispatcher;
    const customFetch = (url: string, init: RequestInit): Promise<Response> => {
      calledUrl = safeUrl(url);
      const undiciInit = { ...init, ...(dispatcher ? { dispatcher } : {}) } as Parameters<
        typeof undiciFetch
      >[1];
      // undici's Response is a WHATWG Response; oauth4webapi checks it by its toStringTag.
      return undiciFetch(url, undiciInit) as unknown as Promise<Response>;
    };
    try {
      return await run({
        signal: AbortSignal.timeout(this.timeoutMs),
        [oauth.customFetch]: customFetch,
        ...(this.conn.allowInsecureRequests ? { [oauth.allowInsecureRequests]: true } : {}),
      });
    } catch (cause) {
      throw new OAuth2CallError(phase, calledUrl, { cause });
    }
  }
}
