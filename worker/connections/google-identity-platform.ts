import { z } from 'zod';
import {
  DEFAULT_GOOGLE_IDENTITY_TOOLKIT_URL,
  GoogleIdentityPlatformAdapter,
} from '../../activities/google-identity-platform/adapter';
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
    /** Limit for the response headers and body each, in ms. @default 15000 */
    callTimeoutMs: z.number().int().positive().max(120_000).optional(),
  })
  .refine(
    (c) => [c.apiKey, c.apiKeyFile, c.apiKeyEnv].filter((v) => v !== undefined).length === 1,
    'set exactly one of apiKey, apiKeyFile, apiKeyEnv',
  );

function apiKeyOf(name: string, c: z.output<typeof schema>, env: NodeJS.ProcessEnv): string {
  return readCredential(
    `google-identity-platform.${name}.apiKey`,
    { inline: c.apiKey, file: c.apiKeyFile, variable: c.apiKeyEnv },
    env,
  );
}

/** `{"google-identity-platform": {"default": {"apiKeyEnv": "GIP_API_KEY"}}}` */
export const googleIdentityPlatformConnections: ConnectionSection<
  typeof schema,
  GoogleIdentityPlatformAdapter
> = {
  schema,
  build: (name, c) =>
    new GoogleIdentityPlatformAdapter({
      apiKey: apiKeyOf(name, c, process.env),
      baseUrl: c.baseUrl ?? DEFAULT_GOOGLE_IDENTITY_TOOLKIT_URL,
      ...(c.callTimeoutMs !== undefined ? { callTimeoutMs: c.callTimeoutMs } : {}),
    }),
};
