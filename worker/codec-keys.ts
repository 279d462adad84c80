import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';
import type { CodecKeyring } from './payload-codec';

const keyFile = z.strictObject({
  currentKeyId: z.string().min(1),
  keys: z.record(z.string().min(1), z.string().min(1)),
});

function decodeKey(variable: string, id: string, b64: string): Buffer {
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 32)
    throw new ConfigError(variable, `key "${id}" must be 32 bytes of base64 (got ${key.length} bytes)`);
  return key;
}

/**
 * The payload codec keys, from `REVOCATION_CODEC_KEY_FILE` (JSON `{currentKeyId, keys: {id: base64}}`)
 * or `REVOCATION_CODEC_KEY` (base64, 32 bytes) with `REVOCATION_CODEC_KEY_ID` (@default 'default').
 * Thrown when neither is set or a key is malformed: ConfigError naming the variable.
 */
export function loadCodecKeyring(env: NodeJS.ProcessEnv = process.env): CodecKeyring {
  if (env.REVOCATION_CODEC_KEY_FILE) {
    const variable = 'REVOCATION_CODEC_KEY_FILE';
    let parsed: z.output<typeof keyFile>;
    try {
      parsed = keyFile.parse(JSON.parse(readFileSync(env.REVOCATION_CODEC_KEY_FILE, 'utf8')));
    } catch (cause) {
      throw new ConfigError(variable, `cannot read a key ring from ${env.REVOCATION_CODEC_KEY_FILE}`, {
        cause,
      });
    }
    const keys = new Map(Object.entries(parsed.keys).map(([id, b64]) => [id, decodeKey(variable, id, b64)]));
    if (!keys.has(parsed.currentKeyId))
      throw new ConfigError(variable, `currentKeyId "${parsed.currentKeyId}" has no key`);
    return { currentKeyId: parsed.currentKeyId, keys };
  }
  if (env.REVOCATION_CODEC_KEY) {
    const id = env.REVOCATION_CODEC_KEY_ID || 'default';
    return {
      currentKeyId: id,
      keys: new Map([[id, decodeKey('REVOCATION_CODEC_KEY', id, env.REVOCATION_CODEC_KEY)]]),
    };
  }
  throw new ConfigError(
    'REVOCATION_CODEC_KEY_FILE',
    'no payload encryption key configured; set REVOCATION_CODEC_KEY_FILE or REVOCATION_CODEC_KEY (npm start creates .data/codec-keys.json)',
  );
}

/** Creates a key ring file with one random key if none exists (owner-readable only). */
export function ensureLocalKeyFile(path: string): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const id = `local-${new Date().toISOString().slice(0, 10)}`;
  const body = { currentKeyId: id, keys: { [id]: randomBytes(32).toString('base64') } };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}
