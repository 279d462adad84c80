import { z } from 'zod';

/** Connection names are config keys such as `default` or `prod-eu`; never credentials. */
export const connectionName = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"');

/** A non-empty string of bounded length, with the bound in the message. */
export function boundedString(max: number) {
  return z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => s.trim().length > 0, 'must not be blank');
}
