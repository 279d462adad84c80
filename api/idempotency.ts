import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha256';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** The operation kinds that take a request id (AIP-155). */
export type IdempotentKind = 'revokeTokens' | 'revokeSubject' | 'bulkRevocation' | 'authleteTokenCall';

/**
 * Input fields that describe an operation rather than say what it does. A retry from another
 * process (whose default `createdBy` is its own identity) is still the same request.
 */
const descriptiveFields = new Set(['description', 'createdBy']);

/** JSON with object keys sorted at every level and `undefined` members dropped, so equal values print equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * What makes two starts the same request: the kind and the parsed (defaults filled) input without
 * its descriptive fields, as canonical JSON. Holds the request's secrets: compare it in memory,
 * never write it anywhere; `requestFingerprint` is what may be kept.
 */
export function requestIdentity(kind: IdempotentKind, parsedInput: object): string {
  const what = Object.fromEntries(Object.entries(parsedInput).filter(([k]) => !descriptiveFields.has(k)));
  return canonicalJson({ kind, input: what });
}

/**
 * The fingerprint kept with an operation (its memo) to tell a repeated request from a different one
 * under the same request id: `hmac-sha256:` and 32 hex digits of an HMAC keyed by the request id.
 * Keyed, so that someone who can read memos but does not know the request id (stored nowhere; ids
 * hold only a hash of it) cannot test a guessed token against it. Pure JS, like `fingerprint`.
 */
export function requestFingerprint(requestId: string, identity: string): string {
  const key = utf8ToBytes(`token-revocation/request-id:${requestId}`);
  return `hmac-sha256:${bytesToHex(hmac(sha256, key, utf8ToBytes(identity))).slice(0, 32)}`;
}
