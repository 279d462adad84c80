import { z } from 'zod';
import { YandexCloudAdapter, type YandexCredentials } from '../../activities/yandex-cloud/adapter';
import { ConfigError } from '../../common/config-error';
import { readConfigFile, type ConnectionSection } from './section';

const schema = z
  .strictObject({
    endpoint: z.string().min(1).optional(),
    operationEndpoint: z.string().min(1).optional(),
    rootCertFile: z.string().min(1).optional(),
    callTimeoutMs: z.number().int().positive().optional(),
    iamToken: z.string().min(1).optional(),
    iamTokenFile: z.string().min(1).optional(),
    oauthToken: z.string().min(1).optional(),
    /** A Yandex authorized key JSON (`yc iam key create --output key.json`). */
    serviceAccountKeyFile: z.string().min(1).optional(),
    /** List the subject's refresh tokens after each revoke to check they are gone. @default true */
    verify: z.boolean().optional(),
  })
  .refine(
    (c) => [c.iamToken, c.iamTokenFile, c.oauthToken, c.serviceAccountKeyFile].filter(Boolean).length === 1,
    'set exactly one of iamToken, iamTokenFile, oauthToken, serviceAccountKeyFile',
  );

function credentials(name: string, c: z.output<typeof schema>): YandexCredentials {
  if (c.iamToken) return { iamToken: c.iamToken };
  if (c.iamTokenFile)
    return { iamToken: readConfigFile(`yandex-cloud.${name}.iamTokenFile`, c.iamTokenFile) };
  if (c.oauthToken) return { oauthToken: c.oauthToken };
  const field = `yandex-cloud.${name}.serviceAccountKeyFile`;
  const key = JSON.parse(readConfigFile(field, c.serviceAccountKeyFile as string)) as Record<
    string,
    string | undefined
  >;
  if (!key.id || !key.service_account_id || !key.private_key) {
    throw new ConfigError(
      field,
      'must be a Yandex authorized key with id, service_account_id and private_key',
    );
  }
  return {
    serviceAccountJson: {
      serviceAccountId: key.service_account_id,
      accessKeyId: key.id,
      privateKey: key.private_key,
    },
  };
}

export const yandexCloudConnections: ConnectionSection<typeof schema, YandexCloudAdapter> = {
  schema,
  build: (name, c) =>
    new YandexCloudAdapter({
      credentials: credentials(name, c),
      endpoint: c.endpoint,
      operationEndpoint: c.operationEndpoint,
      rootCerts: c.rootCertFile
        ? Buffer.from(readConfigFile(`yandex-cloud.${name}.rootCertFile`, c.rootCertFile))
        : undefined,
      callTimeoutMs: c.callTimeoutMs,
      verify: c.verify,
    }),
};
