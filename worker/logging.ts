import { readFileSync, statSync } from 'node:fs';
import { LogTimestamp, type Logger, type LogLevel, type LogMetadata } from '@temporalio/worker';
import pino from 'pino';
import { ConfigError } from '../common/config-error';

export const logLevels: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Thrown when the value is not a level: ConfigError naming the variable. */
export function parseLogLevel(env: NodeJS.ProcessEnv, variable: string, fallback: LogLevel): LogLevel {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const level = raw.toUpperCase();
  if (!(logLevels as readonly string[]).includes(level)) {
    throw new ConfigError(variable, `must be one of ${logLevels.join(', ')}; got "${raw}"`);
  }
  return level as LogLevel;
}

/**
 * Fields whose values are secrets wherever they appear in a log line's metadata (up to three levels
 * deep, and in arrays of objects). Values are replaced by `[Redacted]`; the key stays, so a reader
 * sees that something was there.
 */
export const redactedFields: readonly string[] = [
  'token',
  'refreshToken',
  'accessToken',
  'idToken',
  'continueToken',
  'clientSecret',
  'iamToken',
  'oauthToken',
  'apiKey',
  'serviceAccessToken',
  'privateKey',
  'private_key',
  'password',
  'secret',
  'authorization',
  'Authorization',
  'cookie',
  'codecKey',
  'keyring',
];

function redactPaths(fields: readonly string[]): string[] {
  return fields.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*[*].${f}`, `*.*[*].${f}`]);
}

const CENSOR = '[Redacted]';
/** Shorter values would match ordinary words; no real credential is that short. */
const MIN_SECRET_LENGTH = 8;

/** An Error as JSON: its name, message, code and stack, and its cause chain; never its details. */
function errorJson(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) return value;
  const e = value as Error & { type?: unknown; code?: unknown; nonRetryable?: unknown };
  return {
    type: e.name,
    message: e.message,
    ...(typeof e.type === 'string' ? { failureType: e.type } : {}),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof e.nonRetryable === 'boolean' ? { nonRetryable: e.nonRetryable } : {}),
    stack: e.stack,
    ...(e.cause !== undefined && depth < 5 ? { cause: errorJson(e.cause, depth + 1) } : {}),
  };
}

export interface WorkerLogging {
  /** The SDK logger to pass to `Runtime.install({ logger })`. */
  logger: Logger;
  level: LogLevel;
  /**
   * Adds values that must never appear in a line (configured credentials, codec keys). Every line is
   * checked for them, raw and JSON-escaped, after redaction by field name.
   */
  addSecrets(values: Iterable<string>): void;
  /**
   * An `info` line written whatever the level: the start banner ("worker ready …"), which `npm
   * start`, the tests and operators wait for.
   */
  banner(message: string, fields?: Record<string, unknown>): void;
  /** Writes any buffered output. */
  flush(): void;
}

export interface WorkerLoggingOptions {
  level: LogLevel;
  /** @default standard output */
  destination?: pino.DestinationStream;
}

/**
 * JSON lines through pino: `{"level":"info","time":"…","msg":"…", …}`. Lines about an operation
 * carry `operationId` (the workflow id) and `provider`; the SDK's `workflowId` becomes `operationId`,
 * and activity task tokens are dropped.
 */
export function createWorkerLogging(options: WorkerLoggingOptions): WorkerLogging {
  const secrets = new Set<string>();
  const scrub = (line: string): string => {
    let out = line;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(CENSOR);
    return out;
  };
  const p = pino(
    {
      level: options.level.toLowerCase(),
      base: { pid: process.pid },
      // The SDK stamps each entry when it is made (log forwarding delays delivery by up to 100 ms).
      timestamp: false,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: errorJson, err: errorJson, cause: errorJson, failure: errorJson },
      // The SDK's "Creating worker" line lists the worker options, the codec's key ring among them.
      redact: { paths: [...redactPaths(redactedFields), 'options.dataConverter'], censor: CENSOR },
      hooks: { streamWrite: scrub },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );

  const always = p.child({}, { level: 'info' });

  const logger: Logger = {
    log(level: LogLevel, message: string, meta?: LogMetadata) {
      const method = level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
      if (!p.isLevelEnabled(method)) return;
      p[method](lineFields(meta), message);
    },
    trace: (m, meta) => logger.log('TRACE', m, meta),
    debug: (m, meta) => logger.log('DEBUG', m, meta),
    info: (m, meta) => logger.log('INFO', m, meta),
    warn: (m, meta) => logger.log('WARN', m, meta),
    error: (m, meta) => logger.log('ERROR', m, meta),
  };

  return {
    logger,
    level: options.level,
    addSecrets(values) {
      for (const v of values) {
        if (v.length < MIN_SECRET_LENGTH) continue;
        secrets.add(v);
        const escaped = JSON.stringify(v).slice(1, -1);
        if (escaped !== v) secrets.add(escaped);
      }
    },
    banner: (message, fields) => always.info(lineFields(fields), message),
    flush: () => p.flush(),
  };
}

function lineFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const stamp = meta?.[LogTimestamp] as bigint | undefined;
  const time = new Date(typeof stamp === 'bigint' ? Number(stamp / 1_000_000n) : Date.now()).toISOString();
  const fields: Record<string, unknown> = { time };
  if (!meta) return fields;
  for (const [key, value] of Object.entries(meta)) {
    if (key === 'taskToken') continue;
    if (key === 'workflowId') fields.operationId = value;
    else fields[key] = value;
  }
  return fields;
}

const secretKey = new Set(redactedFields.map((f) => f.toLowerCase().replace(/_/g, '')));
const isSecretKey = (key: string) => secretKey.has(key.toLowerCase().replace(/_/g, ''));

function readSmallFile(path: string): string | undefined {
  try {
    if (statSync(path).size > 64 * 1024) return undefined;
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Every credential a connections config holds or points at: inline values of secret fields, the
 * values of the environment variables named by `…Env` fields, and the contents of `…File` fields (and,
 * for JSON files such as a Yandex service account key, their secret fields). Given to `addSecrets`
 * so that no log line can carry one, whatever code logged it.
 */
export function configuredSecrets(config: unknown, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth > 6 || node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (typeof value === 'string') {
        if (isSecretKey(key)) out.push(value);
        else if (key.endsWith('Env') && isSecretKey(key.slice(0, -3))) {
          const v = env[value];
          if (v) out.push(v);
        } else if (
          key.endsWith('File') &&
          (isSecretKey(key.slice(0, -4)) || key === 'serviceAccountKeyFile')
        ) {
          const content = readSmallFile(value);
          if (!content) continue;
          out.push(content);
          try {
            walk(JSON.parse(content), depth + 1);
          } catch {
            // Not JSON: the whole content is the secret.
          }
        }
      } else {
        walk(value, depth + 1);
      }
    }
  };
  walk(config, 0);
  return out;
}
