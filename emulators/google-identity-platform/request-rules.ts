import { isIP } from 'node:net';
import { identityToolkitError, googleError, type GoogleErrorBody } from './google-error';
import { TOKEN_TYPES, type EmulatedTokenType } from './public-types';

/** A RevokeTokenRequest that passed the server's checks. */
export interface RevokeTokenBody {
  providerId: string;
  tokenType: EmulatedTokenType;
  token: string;
  idToken: string;
  tenantId?: string;
  redirectUri?: string;
}

export type Checked =
  { ok: true; body: RevokeTokenBody } | { ok: false; error: GoogleErrorBody; reason: string };

const fields = ['providerId', 'tokenType', 'token', 'idToken', 'tenantId', 'redirectUri'] as const;
type Field = (typeof fields)[number];
const snake: Record<string, Field> = {
  provider_id: 'providerId',
  token_type: 'tokenType',
  id_token: 'idToken',
  tenant_id: 'tenantId',
  redirect_uri: 'redirectUri',
};
const protoName = (f: Field) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const enumType = 'type.googleapis.com/google.cloud.identitytoolkit.v2.RevokeTokenRequest.TokenType';

function payloadError(description: string, field?: string): Checked {
  return {
    ok: false,
    reason: 'INVALID_JSON_PAYLOAD',
    error: googleError(400, description, [
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ ...(field ? { field } : {}), description }],
      },
    ]),
  };
}

const reject = (code: string, detail: string, field: string): Checked => ({
  ok: false,
  reason: code,
  error: identityToolkitError(code, detail, field),
});

/** Proto JSON: an enum is its name, its number, or its number as a string (what Firebase iOS sends). */
function tokenTypeOf(value: unknown): EmulatedTokenType | 'TOKEN_TYPE_UNSPECIFIED' | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  const name = Number.isInteger(n) ? TOKEN_TYPES[n] : TOKEN_TYPES.find((t) => t === value);
  return name;
}

/** Google's words for CODE redirect URIs: "HTTPS with a domain name, no IP address or localhost". */
function redirectUriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'redirectUri is not a valid URL.';
  }
  if (url.protocol !== 'https:') return 'redirectUri must use HTTPS.';
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(host) !== 0) return 'redirectUri must contain a domain name, not an IP address.';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'redirectUri must not be localhost.';
  if (!host.includes('.')) return 'redirectUri must contain a domain name.';
  return undefined;
}

/** The server's own checks of a revokeToken body, in the order a proto front end meets them. */
export function checkRevokeTokenBody(json: unknown): Checked {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return payloadError('Invalid JSON payload received. Expected an object.');
  }
  const raw: Partial<Record<Field, unknown>> = {};
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    const field = (fields as readonly string[]).includes(key) ? (key as Field) : snake[key];
    if (!field)
      return payloadError(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
    raw[field] = value;
  }
  for (const f of ['providerId', 'token', 'idToken', 'tenantId', 'redirectUri'] as const) {
    const v = raw[f];
    if (v !== undefined && typeof v !== 'string') {
      return payloadError(
        `Invalid value at '${protoName(f)}' (TYPE_STRING), ${JSON.stringify(typeof v)}`,
        protoName(f),
      );
    }
  }
  const tokenType = raw.tokenType === undefined ? 'TOKEN_TYPE_UNSPECIFIED' : tokenTypeOf(raw.tokenType);
  if (tokenType === undefined) {
    return payloadError(
      `Invalid value at 'token_type' (${enumType}), ${JSON.stringify(raw.tokenType)}`,
      'token_type',
    );
  }
  const str = (f: Field) => (typeof raw[f] === 'string' ? (raw[f] as string) : '');

  if (str('providerId') !== 'apple.com') {
    return reject(
      'INVALID_PROVIDER_ID',
      'providerId must be apple.com; only Apple tokens can be revoked.',
      'providerId',
    );
  }
  if (tokenType === 'TOKEN_TYPE_UNSPECIFIED') {
    return reject(
      'INVALID_TOKEN_TYPE',
      'tokenType must be REFRESH_TOKEN, ACCESS_TOKEN or CODE.',
      'tokenType',
    );
  }
  if (!str('token')) return reject('MISSING_TOKEN', 'token is required.', 'token');
  if (!str('idToken')) return reject('MISSING_ID_TOKEN', 'idToken is required.', 'idToken');
  const redirectUri = raw.redirectUri === undefined ? undefined : str('redirectUri');
  if (tokenType === 'CODE' && !redirectUri) {
    return reject('MISSING_REDIRECT_URI', 'redirectUri is required when tokenType is CODE.', 'redirectUri');
  }
  if (redirectUri !== undefined) {
    const problem = redirectUriProblem(redirectUri);
    if (problem) return reject('INVALID_REDIRECT_URI', problem, 'redirectUri');
  }
  return {
    ok: true,
    body: {
      providerId: str('providerId'),
      tokenType,
      token: str('token'),
      idToken: str('idToken'),
      ...(raw.tenantId !== undefined && str('tenantId') ? { tenantId: str('tenantId') } : {}),
      ...(redirectUri !== undefined ? { redirectUri } : {}),
    },
  };
}
