import type { AuthleteStoredToken } from './public-types';
import type { Reply } from './handlers';
import type { Service } from './store';

type Body = Record<string, unknown>;

const PATH = '/auth/introspection';

function scopesOf(v: unknown): string[] | undefined {
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  if (typeof v === 'string') return v.split(/\s+/).filter(Boolean); // form encoding: space-separated
  return undefined;
}

/** An answer of the introspection API: always HTTP 200, the outcome is in `action`. */
function answer(
  action: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'OK',
  resultCode: string,
  message: string,
  error: string | undefined,
  fields: Record<string, unknown> = {},
): Reply {
  const resultMessage = `[${resultCode}] ${message}`;
  return {
    status: 200,
    body: {
      resultCode,
      resultMessage,
      action,
      responseContent: error
        ? `Bearer error="${error}",error_description="${resultMessage}"`
        : 'Bearer error="invalid_request"',
      existent: false,
      usable: false,
      sufficient: false,
      refreshable: false,
      ...fields,
    },
  };
}

function tokenFields(t: AuthleteStoredToken, now: number) {
  const live = (at: number) => at === 0 || at > now;
  return {
    clientId: t.clientId,
    clientIdAliasUsed: false,
    expiresAt: t.accessTokenExpiresAt,
    ...(t.subject !== undefined ? { subject: t.subject } : {}),
    scopes: t.scopes,
    existent: true,
    usable: live(t.accessTokenExpiresAt),
    refreshable: t.refreshToken !== undefined && live(t.refreshTokenExpiresAt),
    grantType: t.grantType,
    ...(t.properties.length > 0 ? { properties: t.properties.filter((p) => !p.hidden) } : {}),
  };
}

/**
 * `POST /api/{serviceId}/auth/introspection`, as the spec documents its actions: BAD_REQUEST (no
 * `token`), UNAUTHORIZED (no such access token, or expired), FORBIDDEN (a required scope not
 * covered, or another subject), OK (usable). The token is looked up by its value only: the spec's
 * `token` is "an access token to introspect", not a hash. A056001 and its text are from the spec;
 * the other result codes are this emulator's. INTERNAL_SERVER_ERROR comes from injected faults.
 */
export function introspectToken(service: Service, body: Body): Reply {
  const token = typeof body.token === 'string' && body.token !== '' ? body.token : undefined;
  if (token === undefined) {
    return answer(
      'BAD_REQUEST',
      'A056201',
      `${PATH}, The request does not contain a token.`,
      'invalid_request',
    );
  }
  const now = Date.now();
  const t = service.tokens.find((x) => x.accessToken === token);
  if (!t) {
    return answer('UNAUTHORIZED', 'A056301', `${PATH}, The access token does not exist.`, 'invalid_token');
  }
  const fields = tokenFields(t, now);
  if (!fields.usable) {
    return answer(
      'UNAUTHORIZED',
      'A056302',
      `${PATH}, The access token has expired.`,
      'invalid_token',
      fields,
    );
  }
  const required = scopesOf(body.scopes) ?? [];
  if (required.some((s) => !t.scopes.includes(s))) {
    return answer(
      'FORBIDDEN',
      'A056303',
      `${PATH}, The access token does not cover the required scopes.`,
      'insufficient_scope',
      fields,
    );
  }
  if (typeof body.subject === 'string' && body.subject !== t.subject) {
    return answer(
      'FORBIDDEN',
      'A056304',
      `${PATH}, The subject is not the one associated with the access token.`,
      'invalid_request',
      fields,
    );
  }
  return answer('OK', 'A056001', 'The access token is valid.', undefined, { ...fields, sufficient: true });
}
