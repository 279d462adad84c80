import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ConnectionRegistry } from '../activities';
import { YandexCloudAdapter, type YandexCredentials } from '../activities/yandex-cloud/adapter';
import { connectionName } from '../api/requests/common';
import { ConfigError } from './errors';

const yandexConnection = z
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
  })
  .refine(
    (c) => [c.iamToken, c.iamTokenFile, c.oauthToken, c.serviceAccountKeyFile].filter(Boolean).length === 1,
    'set exactly one of iamToken, iamTokenFile, oauthToken, serviceAccountKeyFile',
  );

export const connectionsConfig = z.strictObject({
  'yandex-cloud': z.record(connectionName, yandexConnection).optional(),
});

export type ConnectionsConfig = z.output<typeof connectionsConfig>;
type YandexConnectionConfig = z.output<typeof yandexConnection>;

/**
 * Provider connections, from `REVOCATION_CONNECTIONS_FILE` (a JSON file) or `REVOCATION_CONNECTIONS`
 * (inline JSON): `{"yandex-cloud": {"default": {"serviceAccountKeyFile": "/etc/keys/sa.json"}}}`.
 * Thrown when malformed: ConfigError naming the variable and the bad field.
 */
export function loadConnectionsConfig(env: NodeJS.ProcessEnv = process.env): ConnectionsConfig {
  const variable = env.REVOCATION_CONNECTIONS_FILE ? 'REVOCATION_CONNECTIONS_FILE' : 'REVOCATION_CONNECTIONS';
  let text: string | undefined;
  try {
    text = env.REVOCATION_CONNECTIONS_FILE
      ? readFileSync(env.REVOCATION_CONNECTIONS_FILE, 'utf8')
      : env.REVOCATION_CONNECTIONS;
  } catch (cause) {
    throw new ConfigError(variable, `cannot read ${env.REVOCATION_CONNECTIONS_FILE}`, { cause });
  }
  if (!text) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(variable, 'is not valid JSON', { cause });
  }
  const parsed = connectionsConfig.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(variable, issues);
  }
  return parsed.data;
}

function readFile(field: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new ConfigError(field, `cannot read ${path}`, { cause });
  }
}

function yandexCredentials(name: string, c: YandexConnectionConfig): YandexCredentials {
  if (c.iamToken) return { iamToken: c.iamToken };
  if (c.iamTokenFile) return { iamToken: readFile(`yandex-cloud.${name}.iamTokenFile`, c.iamTokenFile) };
  if (c.oauthToken) return { oauthToken: c.oauthToken };
  const field = `yandex-cloud.${name}.serviceAccountKeyFile`;
  const key = JSON.parse(readFile(field, c.serviceAccountKeyFile as string)) as Record<
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

/** Adapters are built on first use, so a connection that is never used never touches its files. */
export function buildConnectionRegistry(config: ConnectionsConfig): ConnectionRegistry {
  const yandex = new Map<string, YandexCloudAdapter>();
  return {
    yandexCloud(name) {
      const c = config['yandex-cloud']?.[name];
      if (!c) return undefined;
      let adapter = yandex.get(name);
      if (!adapter) {
        adapter = new YandexCloudAdapter({
          credentials: yandexCredentials(name, c),
          endpoint: c.endpoint,
          operationEndpoint: c.operationEndpoint,
          rootCerts: c.rootCertFile
            ? Buffer.from(readFile(`yandex-cloud.${name}.rootCertFile`, c.rootCertFile))
            : undefined,
          callTimeoutMs: c.callTimeoutMs,
        });
        yandex.set(name, adapter);
      }
      return adapter;
    },
    names(provider) {
      return Object.keys((config as Record<string, Record<string, unknown> | undefined>)[provider] ?? {});
    },
  };
}
