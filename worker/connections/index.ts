import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AdapterProvider, ConnectionRegistry, ProviderAdapters } from '../../activities';
import { connectionName } from '../../api/requests/common';
import { ConfigError } from '../../common/config-error';
import { authleteConnections } from './authlete';
import { googleIdentityPlatformConnections } from './google-identity-platform';
import { oauth2Connections } from './oauth2';
import { openPaymentsConnections } from './open-payments';
import type { ConnectionSection } from './section';
import { yandexCloudConnections } from './yandex-cloud';

/** One section per provider key; a new provider adds a row. */
const sections = {
  'yandex-cloud': yandexCloudConnections,
  authlete: authleteConnections,
  'google-identity-platform': googleIdentityPlatformConnections,
  'open-payments': openPaymentsConnections,
  oauth2: oauth2Connections,
} satisfies { [P in AdapterProvider]: ConnectionSection<z.ZodType, ProviderAdapters[P]> };

type Sections = typeof sections;

/** The connections config as written: provider key → connection name → that provider's fields. */
export type ConnectionsConfig = { [P in AdapterProvider]?: Record<string, z.input<Sections[P]['schema']>> };

export const connectionsConfig = z.strictObject(
  Object.fromEntries(
    Object.entries(sections).map(([provider, section]) => [
      provider,
      z.record(connectionName, section.schema).optional(),
    ]),
  ) as { [P in AdapterProvider]: z.ZodOptional<z.ZodRecord<typeof connectionName, Sections[P]['schema']>> },
);

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
  return parsed.data as ConnectionsConfig;
}

/** Adapters are built on first use and then reused. Config is validated here too (tests pass objects). */
export function buildConnectionRegistry(config: ConnectionsConfig): ConnectionRegistry {
  const parsed = connectionsConfig.parse(config) as Record<string, Record<string, unknown> | undefined>;
  const built = new Map<string, unknown>();
  return {
    get(provider, name) {
      const c = parsed[provider]?.[name];
      if (c === undefined) return undefined;
      const key = `${provider}\u0000${name}`;
      if (!built.has(key)) {
        const section = sections[provider] as ConnectionSection<z.ZodType, unknown>;
        built.set(key, section.build(name, c));
      }
      return built.get(key) as ProviderAdapters[typeof provider];
    },
    names(provider) {
      return Object.keys(parsed[provider] ?? {});
    },
  };
}
