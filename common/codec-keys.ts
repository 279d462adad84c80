import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error';
import type { CodecKeyring } from './payload-codec';

const keyFile = z.strictObject({
  currentKeyId: z.string().min(1),
  keys: z.record(z.string().min(1), z.string().min(1)),
});

/** Key ids travel in payload metadata and file names: keep them plain. */
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const SOURCES = ['REVOCATION_CODEC_KEY_FILE', 'REVOCATION_CODEC_KEY_DIR', 'REVOCATION_CODEC_KEY'] as const;

function decodeKey(variable: string, id: string, b64: string): Buffer {
  if (!KEY_ID.test(id))
    throw new ConfigError(variable, `key id "${id}" must be letters, digits, ".", "_" or "-" (at most 128)`);
  const text = b64.trim();
  const key = Buffer.from(text, 'base64');
  // Buffer.from ignores stray characters; re-encoding catches a key that is not base64 at all.
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== text.replace(/=+$/, ''))
    throw new ConfigError(variable, `key "${id}" must be 32 bytes of base64 (got ${key.length} bytes)`);
  return key;
}

function currentFrom(
  variable: string,
  keys: ReadonlyMap<string, Buffer>,
  currentKeyId: string,
): CodecKeyring {
  if (!keys.has(currentKeyId))
    throw new ConfigError(
      variable,
      `current key "${currentKeyId}" has no key; configured ids: ${[...keys.keys()].join(', ') || 'none'}`,
    );
  return { currentKeyId, keys };
}

function fromRingFile(path: string): CodecKeyring {
  const variable = 'REVOCATION_CODEC_KEY_FILE';
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    // A JSON syntax error quotes the file's text, which holds keys: keep only its kind.
    const reason = cause instanceof SyntaxError ? 'not valid JSON' : (cause as Error).message;
    throw new ConfigError(variable, `cannot read a key ring from ${path}: ${reason}`);
  }
  const parsed = keyFile.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new ConfigError(variable, `${path} must be {currentKeyId, keys: {id: base64}}; bad: ${fields}`);
  }
  const keys = new Map(
    Object.entries(parsed.data.keys).map(([id, b64]) => [id, decodeKey(variable, id, b64)]),
  );
  return currentFrom(variable, keys, parsed.data.currentKeyId);
}

function fromKeyDirectory(dir: string, currentKeyId: string | undefined): CodecKeyring {
  const variable = 'REVOCATION_CODEC_KEY_DIR';
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    throw new ConfigError(variable, `cannot list the key directory ${dir}`, { cause });
  }
  const keys = new Map<string, Buffer>();
  // Hidden entries are skipped: Kubernetes secret volumes keep their own ..data links there.
  for (const name of names.filter((n) => !n.startsWith('.')).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    keys.set(name, decodeKey(variable, name, readFileSync(path, 'utf8')));
  }
  if (keys.size === 0) throw new ConfigError(variable, `no key files in ${dir}`);
  if (!currentKeyId)
    throw new ConfigError(
      'REVOCATION_CODEC_CURRENT_KEY_ID',
      `must name the key that encrypts (one of: ${[...keys.keys()].join(', ')})`,
    );
  return currentFrom('REVOCATION_CODEC_CURRENT_KEY_ID', keys, currentKeyId);
}

/**
 * The payload codec keys, from exactly one source:
 * - `REVOCATION_CODEC_KEY_FILE`: a JSON key ring `{currentKeyId, keys: {id: base64}}`;
 * - `REVOCATION_CODEC_KEY_DIR`: one file per key, the file name is the key id and the content the
 *   base64 key, with `REVOCATION_CODEC_CURRENT_KEY_ID` naming the key that encrypts;
 * - `REVOCATION_CODEC_KEY` (base64, 32 bytes) with `REVOCATION_CODEC_KEY_ID` (@default 'default').
 * Every configured key decrypts; only the current one encrypts.
 * Thrown when no source or several are set, or a key is malformed: ConfigError naming the variable
 * and the key id, never the key.
 */
export function loadCodecKeyring(env: NodeJS.ProcessEnv = process.env): CodecKeyring {
  const set = SOURCES.filter((name) => env[name]);
  if (set.length > 1) throw new ConfigError(set.join(', '), 'set only one source of payload codec keys');
  if (env.REVOCATION_CODEC_CURRENT_KEY_ID && !env.REVOCATION_CODEC_KEY_DIR)
    throw new ConfigError(
      'REVOCATION_CODEC_CURRENT_KEY_ID',
      'applies to REVOCATION_CODEC_KEY_DIR only (a key ring file names its currentKeyId; REVOCATION_CODEC_KEY uses REVOCATION_CODEC_KEY_ID)',
    );
  if (env.REVOCATION_CODEC_KEY_FILE) return fromRingFile(env.REVOCATION_CODEC_KEY_FILE);
  if (env.REVOCATION_CODEC_KEY_DIR)
    return fromKeyDirectory(env.REVOCATION_CODEC_KEY_DIR, env.REVOCATION_CODEC_CURRENT_KEY_ID);
  if (env.REVOCATION_CODEC_KEY) {
    const id = env.REVOCATION_CODEC_KEY_ID || 'default';
    return {
      currentKeyId: id,
      keys: new Map([[id, decodeKey('REVOCATION_CODEC_KEY', id, env.REVOCATION_CODEC_KEY)]]),
    };
  }
  throw new ConfigError(
    'REVOCATION_CODEC_KEY_FILE',
    'no payload encryption key configured; set REVOCATION_CODEC_KEY_FILE, REVOCATION_CODEC_KEY_DIR or REVOCATION_CODEC_KEY (npm start creates .data/codec-keys.json)',
  );
}

/** Whether the environment names any payload codec key source. */
export function hasCodecKeySource(env: NodeJS.ProcessEnv): boolean {
  return SOURCES.some((name) => env[name]);
}

/** Creates a key ring file with one random key if none exists (owner-readable only). */
export function ensureLocalKeyFile(path: string): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const id = `local-${new Date().toISOString().slice(0, 10)}`;
  const body = { currentKeyId: id, keys: { [id]: randomBytes(32).toString('base64') } };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}
