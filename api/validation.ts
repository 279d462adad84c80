import type { z } from 'zod';
import { InvalidArgumentError, type FieldViolation } from './errors';
import { providerKeys } from './requests';

/** The name of the whole input when a schema is parsed without a root (`parseRevokeTokensInput`). */
const INPUT_FIELD = 'input';
const MAX_KEYS_NAMED = 5;
const MAX_KEY_LENGTH = 40;

/**
 * An unknown key as it may appear in a message: plain names as they are, anything else (a pasted
 * token, newlines, 100 KB of text) quoted with escapes and cut short, so a key cannot forge log lines.
 */
function keyForMessage(key: string): string {
  if (/^[A-Za-z0-9_.$-]{1,40}$/.test(key)) return key;
  const cut = key.length > MAX_KEY_LENGTH ? `${key.slice(0, MAX_KEY_LENGTH)}…` : key;
  return JSON.stringify(cut).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The text of one zod issue, without the offending value. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'provider') {
    return `unknown or missing provider; expected one of ${providerKeys.join(', ')}`;
  }
  if (issue.code === 'unrecognized_keys') {
    const named = issue.keys.slice(0, MAX_KEYS_NAMED).map(keyForMessage).join(', ');
    const more = issue.keys.length - MAX_KEYS_NAMED;
    return `unknown field(s) ${named}${more > 0 ? ` and ${more} more` : ''}`;
  }
  if (issue.code === 'invalid_type') {
    // Zod's own text echoes the received value's type only; safe, and clearer than ours.
    return issue.message.replace(/^Invalid input: /, '');
  }
  return issue.message;
}

/** The dotted path of an issue under `root`; the whole input is `input` when there is no root. */
export function issueField(root: string, path: readonly PropertyKey[]): string {
  const field = [root, ...path.map((p) => (typeof p === 'string' ? keyForMessage(p) : String(p)))]
    .filter((p) => p !== '')
    .join('.');
  return field || INPUT_FIELD;
}

function toViolations(root: string, error: z.ZodError): FieldViolation[] {
  return error.issues.map((issue) => ({
    field: issueField(root, issue.path),
    description: describeIssue(issue),
  }));
}

/**
 * Parses `value` with `schema` or throws an InvalidArgumentError naming each bad field under
 * `root` (for example `request.refreshTokenId`). Messages never include the value itself.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, root: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidArgumentError(toViolations(root, result.error));
}
