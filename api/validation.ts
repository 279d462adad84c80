import type { z } from 'zod';
import { InvalidArgumentError, type FieldViolation } from './errors';
import { providerKeys } from './requests';

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'provider') {
    return `unknown or missing provider; expected one of ${providerKeys.join(', ')}`;
  }
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') {
    // Zod's own text echoes the received value's type only; safe, and clearer than ours.
    return issue.message.replace(/^Invalid input: /, '');
  }
  return issue.message;
}

function toViolations(root: string, error: z.ZodError): FieldViolation[] {
  return error.issues.map((issue) => {
    const field = [root, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return { field: field || root, description: describeIssue(issue) };
  });
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
