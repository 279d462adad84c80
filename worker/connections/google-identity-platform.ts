import { z } from 'zod';
import {
  DEFAULT_GOOGLE_IDENTITY_TOOLKIT_URL,
  GoogleIdentityPlatformAdapter,
  type GoogleServiceAccountCredentials,
} from '../../activities/google-identity-platform/adapter';
import { ConfigError } from '../../common/config-error';
import { envVariableName, readCredential, type ConnectionSection } from './section';

const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** https, or http to this machine only (an emulator): the API key travels in the query string. */
const baseUrl = z
  .string()
  .refine((s) => URL.canParse(s), 'must be an absolute URL')
  .refine((s) => {
    const u = new URL(s);
    return u.protocol === 'https:' || (u.protocol === 'http:' && loopbackHosts.has(u.hostname));
  }, 'must use https (http only to 127.0.0.1, [::1] or localhost): the API key is part of the URL')
  .refine((s) => {
    const u = new URL(s);
    return u.search === '' && u.hash === '' && u.username === '' && u.password === '';
  }, 'must not have a query, fragment or user info');

/** https, or http to this machine only: the assertion and the access token travel over it. */
const tokenUri = z
  .string()
  .refine((s) => URL.canParse(s), 'must be an absolute URL')
  .refine((s) => {
    const u = new URL(s);
    return u.protocol === 'https:' || (u.protocol === 'http:' && loopbackHosts.has(u.hostname));
  }, 'must use https (http only to 127.0.0.1, [::1] or localhost)');

/** An OAuth scope URL (`https://www.googleapis.com/auth/…`). */
const scope = z
  .string()
  .regex(/^https:\/\/www\.googleapis\.com\/auth\/[\w.-]+$/, 'must be a Google OAuth scope URL');

const schema = z
  .strictObject({
    /** The API key inline (prefer apiKeyFile or apiKeyEnv: inline keys end up in config dumps). */
    apiKey: z.string().min(1).optional(),
    /** A file holding the API key (trimmed). */
    apiKeyFile: z.string().min(1).optional(),
    /** The name of an environment variable of the worker holding the API key. */
    apiKeyEnv: envVariableName.optional(),
    /** @default 'https://identitytoolkit.googleapis.com' */
    baseUrl: baseUrl.optional(),
    /** A service account key file (Google's JSON): calls carry an OAuth 2.0 bearer token. */
    serviceAccountKeyFile: z.string().min(1).optional(),
    /** The name of an environment variable of the worker holding the key file's JSON. */
    serviceAccountKeyEnv: envVariableName.optional(),
    /** Scopes the access token asks for. @default ['https://www.googleapis.com/auth/identitytoolkit'] */
    scopes: z.array(scope).min(1).max(10).optional(),
    /** Limit for the response headers and body each, in ms. @default 15000 */
    callTimeoutMs: z.number().int().positive().max(120_000).optional(),
  })
  .refine(
    (c) => [c.apiKey, c.apiKeyFile, c.apiKeyEnv].filter((v) => v !== undefined).length <= 1,
    'set at most one of apiKey, apiKeyFile, apiKeyEnv',
  )
  .refine(
    (c) => [c.serviceAccountKeyFile, c.serviceAccountKeyEnv].filter((v) => v !== undefined).length <= 1,
    'set at most one of serviceAccountKeyFile, serviceAccountKeyEnv',
  )
  .refine(
    (c) =>
      [c.apiKey, c.apiKeyFile, c.apiKeyEnv, c.serviceAccountKeyFile, c.serviceAccountKeyEnv].some(
        (v) => v !== undefined,
      ),
    'set an API key (apiKey, apiKeyFile or apiKeyEnv), a service account (serviceAccountKeyFile or serviceAccountKeyEnv), or both',
  )
  .refine(
    (c) =>
      c.scopes === undefined || c.serviceAccountKeyFile !== undefined || c.serviceAccountKeyEnv !== undefined,
    {
      message: 'scopes apply to a service account only',
      path: ['scopes'],
    },
  );

const keyFileFields = z.object({
  type: z.literal('service_account', { error: 'must be "service_account"' }),
  client_email: z.string().min(1).max(320),
  private_key: z.string().includes('PRIVATE KEY', { error: 'must be a PEM private key' }),
  token_uri: tokenUri.optional(),
});

/**
 * The key file's JSON, checked: a ConfigError names the field and the problem, never a value (the
 * file holds the private key).
 */
function serviceAccountOf(
  name: string,
  c: z.output<typeof schema>,
  env: NodeJS.ProcessEnv,
): GoogleServiceAccountCredentials | undefined {
  if (c.serviceAccountKeyFile === undefined && c.serviceAccountKeyEnv === undefined) return undefined;
  const field = `google-identity-platform.${name}.serviceAccountKey`;
  const text = readCredential(
    field,
    { inline: undefined, file: c.serviceAccountKeyFile, variable: c.serviceAccountKeyEnv },
    env,
  );
  const where = `${field}${c.serviceAccountKeyFile !== undefined ? 'File' : 'Env'}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(where, 'is not a service account key file (not JSON)');
  }
  const parsed = keyFileFields.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`);
    throw new ConfigError(where, `is not a usable service account key file: ${issues.join('; ')}`);
  }
  return {
    clientEmail: parsed.data.client_email,
    privateKey: parsed.data.private_key,
    ...(parsed.data.token_uri !== undefined ? { tokenUri: parsed.data.token_uri } : {}),
    ...(c.scopes !== undefined ? { scopes: c.scopes } : {}),
  };
}

function apiKeyOf(name: string, c: z.output<typeof schema>, env: NodeJS.ProcessEnv): string | undefined {
  if (c.apiKey === undefined && c.apiKeyFile === undefined && c.apiKeyEnv === undefined) return undefined;
  return readCredential(
    `google-identity-platform.${name}.apiKey`,
    { inline: c.apiKey, file: c.apiKeyFile, variable: c.apiKeyEnv },
    env,
  );
}

/**
 * `{"google-identity-platform": {"default": {"apiKeyEnv": "GIP_API_KEY"}}}`, or with a service
 * account: `{"serviceAccountKeyFile": "/run/secrets/gip-sa.json"}`.
 */
export const googleIdentityPlatformConnections: ConnectionSection<
  typeof schema,
  GoogleIdentityPlatformAdapter
> = {
  schema,
  build: (name, c) => {
    const apiKey = apiKeyOf(name, c, process.env);
    const serviceAccount = serviceAccountOf(name, c, process.env);
    return new GoogleIdentityPlatformAdapter({
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(serviceAccount !== undefined ? { serviceAccount } : {}),
      baseUrl: c.baseUrl ?? DEFAULT_GOOGLE_IDENTITY_TOOLKIT_URL,
      ...(c.callTimeoutMs !== undefined ? { callTimeoutMs: c.callTimeoutMs } : {}),
    });
  },
};
