import { z } from 'zod';
import { AuthleteAdapter, authleteClusters, authleteClusterUrl } from '../../activities/authlete/adapter';
import { envVariableName, readCredential, type ConnectionSection } from './section';

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

const schema = z
  .strictObject({
    /** An Authlete v3 cluster: `us`, `jp`, `eu` or `br` → https://{cluster}.authlete.com. */
    cluster: z.enum(authleteClusters, { error: 'must be one of us, jp, eu, br' }).optional(),
    /** Any other base URL (a private deployment, a proxy, the emulator). */
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .refine((u) => {
        const url = new URL(u);
        return url.protocol === 'https:' || loopbackHosts.has(url.hostname);
      }, 'must be https (plain http only for 127.0.0.1, localhost or [::1]): the bearer token travels with every call')
      .optional(),
    /** The service access token (or organization token), inline. */
    serviceAccessToken: z.string().min(1).optional(),
    /** A file holding it (trimmed). */
    serviceAccessTokenFile: z.string().min(1).optional(),
    /** The name of an environment variable holding it, read when the connection is first used. */
    serviceAccessTokenEnv: envVariableName.optional(),
    /** Per-call deadline. @default 15000 */
    callTimeoutMs: z.number().int().positive().max(600_000).optional(),
    /** Ask Authlete after each revoke whether the tokens are gone (introspection, token list). @default true */
    verify: z.boolean().optional(),
  })
  .refine((c) => (c.cluster === undefined) !== (c.baseUrl === undefined), {
    message: 'set exactly one of cluster, baseUrl',
  })
  .refine(
    (c) =>
      [c.serviceAccessToken, c.serviceAccessTokenFile, c.serviceAccessTokenEnv].filter((v) => v !== undefined)
        .length === 1,
    { message: 'set exactly one of serviceAccessToken, serviceAccessTokenFile, serviceAccessTokenEnv' },
  );

export type AuthleteConnectionConfig = z.input<typeof schema>;

function serviceAccessToken(name: string, c: z.output<typeof schema>, env: NodeJS.ProcessEnv): string {
  return readCredential(
    `authlete.${name}.serviceAccessToken`,
    { inline: c.serviceAccessToken, file: c.serviceAccessTokenFile, variable: c.serviceAccessTokenEnv },
    env,
  );
}

/**
 * `authlete` connections: where the API is (a cluster or a base URL) and the bearer token (inline,
 * from a file, or from an environment variable). Built on first use.
 */
export const authleteConnections: ConnectionSection<typeof schema, AuthleteAdapter> = {
  schema,
  build: (name, c) =>
    new AuthleteAdapter({
      baseUrl: c.baseUrl ?? authleteClusterUrl(c.cluster ?? 'us'),
      serviceAccessToken: serviceAccessToken(name, c, process.env),
      ...(c.callTimeoutMs !== undefined ? { callTimeoutMs: c.callTimeoutMs } : {}),
      ...(c.verify !== undefined ? { verify: c.verify } : {}),
    }),
};
