import { z } from 'zod';

/** Connection names are config keys such as `default` or `prod-eu`; never credentials. */
export const connectionName = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"');

/**
 * Whether `s` holds a character no caller text needs and attackers like: C0 and C1 controls and DEL
 * (log and header injection, NUL truncation), bidirectional embeddings, overrides and isolates (text
 * shown in the Web UI in another order than stored), or an unpaired surrogate (not UTF-8 encodable).
 */
function hasUnsafeTextChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return true;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return true;
      i += 1;
    }
  }
  return false;
}

/** In identifiers also invisible characters: zero-width space, LRM/RLM, joiners, word joiner, BOM. */
const invisibleChar = /[\u200b-\u200f\u2060-\u2064\ufeff]/;

export const unsafeTextMessage =
  'must not contain control characters, bidirectional overrides or unpaired surrogates';
export const unsafeIdentifierMessage =
  'must not contain control, invisible or bidirectional characters or unpaired surrogates';

/** True when `s` holds none of the characters refused in human-readable text. */
export const isSafeText = (s: string): boolean => !hasUnsafeTextChar(s);
/** True when `s` holds none of the characters refused in identifiers (a stricter `isSafeText`). */
export const isSafeIdentifier = (s: string): boolean => isSafeText(s) && !invisibleChar.test(s);

/** Human-readable text of at most `max` characters (descriptions, names of people and systems). */
export function plainText(max: number) {
  return z.string().max(max, `must be at most ${max} characters`).refine(isSafeText, unsafeTextMessage);
}

/** A non-empty identifier of bounded length, with the bound in the message. */
export function boundedString(max: number) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => s.trim().length > 0, 'must not be blank')
    .refine(isSafeIdentifier, unsafeIdentifierMessage);
}

/**
 * A token value (a secret) of bounded length. Tokens of every supported provider are visible ASCII
 * (RFC 6749 VSCHAR, base64url, JWTs); anything else is a copy-and-paste accident or an attack.
 */
export function tokenString(max: number) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (token characters)');
}
