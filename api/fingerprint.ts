import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/**
 * A short, stable stand-in for a secret: `sha256:` and the first 16 hex digits of its SHA-256.
 * Pure JS so workflow code can use it too.
 */
export function fingerprint(secret: string): string {
  return `sha256:${bytesToHex(sha256(utf8ToBytes(secret))).slice(0, 16)}`;
}

/** Full hex SHA-256, for ids derived from caller input. */
export function sha256Hex(value: string): string {
  return bytesToHex(sha256(utf8ToBytes(value)));
}

/** Replaces every occurrence of each secret in `text` by its fingerprint. */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    // Very short strings would shred ordinary words; real tokens are long.
    if (secret && secret.length >= 6) out = out.split(secret).join(`[${fingerprint(secret)}]`);
  }
  return out;
}
