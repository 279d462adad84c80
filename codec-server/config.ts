import { readFileSync } from 'node:fs';
import { loadCodecKeyring } from '../common/codec-keys';
import type { CodecServerOptions } from './server';
import { ConfigError } from '../common/config-error';

export interface CodecServerConfig {
  options: CodecServerOptions;
  host: string;
  port: number;
  /** PEM certificate and key when the server terminates TLS itself. */
  tls?: { cert: Buffer; key: Buffer };
}

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

function token(env: NodeJS.ProcessEnv): string {
  const { REVOCATION_CODEC_SERVER_TOKEN: value, REVOCATION_CODEC_SERVER_TOKEN_FILE: file } = env;
  if (value && file)
    throw new ConfigError(
      'REVOCATION_CODEC_SERVER_TOKEN',
      'set either it or REVOCATION_CODEC_SERVER_TOKEN_FILE',
    );
  let t = value ?? '';
  if (file) {
    try {
      t = readFileSync(file, 'utf8').trim();
    } catch (cause) {
      throw new ConfigError('REVOCATION_CODEC_SERVER_TOKEN_FILE', `cannot read ${file}`, { cause });
    }
  }
  if (!t)
    throw new ConfigError(
      'REVOCATION_CODEC_SERVER_TOKEN',
      'the codec server needs a bearer token: set REVOCATION_CODEC_SERVER_TOKEN or REVOCATION_CODEC_SERVER_TOKEN_FILE',
    );
  if (t.length < 16 || /\s/.test(t))
    throw new ConfigError(
      file ? 'REVOCATION_CODEC_SERVER_TOKEN_FILE' : 'REVOCATION_CODEC_SERVER_TOKEN',
      'the token must be at least 16 characters without spaces',
    );
  return t;
}

function tlsFiles(env: NodeJS.ProcessEnv): CodecServerConfig['tls'] {
  const certFile = env.REVOCATION_CODEC_SERVER_TLS_CERT_FILE;
  const keyFile = env.REVOCATION_CODEC_SERVER_TLS_KEY_FILE;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile)
    throw new ConfigError(
      certFile ? 'REVOCATION_CODEC_SERVER_TLS_KEY_FILE' : 'REVOCATION_CODEC_SERVER_TLS_CERT_FILE',
      'TLS needs both REVOCATION_CODEC_SERVER_TLS_CERT_FILE and REVOCATION_CODEC_SERVER_TLS_KEY_FILE',
    );
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (cause) {
      throw new ConfigError(name, `cannot read ${path}`, { cause });
    }
  };
  return {
    cert: read('REVOCATION_CODEC_SERVER_TLS_CERT_FILE', certFile),
    key: read('REVOCATION_CODEC_SERVER_TLS_KEY_FILE', keyFile),
  };
}

/**
 * The codec server's configuration from the environment: the same codec key variables as the worker
 * (REVOCATION_CODEC_KEY_FILE | _KEY_DIR | _KEY) and REVOCATION_CODEC_SERVER_* for the server itself.
 * Thrown: ConfigError naming the variable.
 */
export function loadCodecServerConfig(env: NodeJS.ProcessEnv = process.env): CodecServerConfig {
  const namespaces = list(env.REVOCATION_CODEC_SERVER_NAMESPACES);
  for (const origin of list(env.REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS)) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin)
      throw new ConfigError(
        'REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS',
        `"${origin}" is not an origin (scheme://host[:port], no path or trailing slash)`,
      );
  }
  const tls = tlsFiles(env);
  return {
    host: env.REVOCATION_CODEC_SERVER_HOST || '127.0.0.1',
    port: integer(env, 'REVOCATION_CODEC_SERVER_PORT', 8888, 0, 65535),
    ...(tls ? { tls } : {}),
    options: {
      keyring: loadCodecKeyring(env),
      token: token(env),
      allowedOrigins: list(env.REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS),
      maxBodyBytes: integer(env, 'REVOCATION_CODEC_SERVER_MAX_BODY_BYTES', 4 * 1024 * 1024, 1024, 1024 ** 3),
      ...(namespaces.length > 0 ? { namespaces } : {}),
      acceptTokenInPath: bool(env, 'REVOCATION_CODEC_SERVER_TOKEN_IN_PATH'),
    },
  };
}
