import { z } from 'zod';
import { providerKeys } from './requests';
import { parseOrThrow } from './validation';

const subjectMessage = 'must be 1-256 characters without quotes or backslashes';
const pageSizeMessage = 'must be an integer from 1 to 1000';

/**
 * Filters and paging of `RevocationClient.list`. Provider and subject go into a visibility query
 * inside single quotes, so a subject may hold no quote or backslash that could end the literal.
 */
export const listOperationsOptions = z.object({
  provider: z.enum(providerKeys, { error: `must be one of ${providerKeys.join(', ')}` }).optional(),
  subject: z
    .string({ error: subjectMessage })
    .regex(/^[^'"\\]{1,256}$/, subjectMessage)
    .optional(),
  /** Only operations that are done (true) or still running (false); both when absent. */
  done: z.boolean().optional(),
  /** @default 50 */
  pageSize: z
    .number({ error: pageSizeMessage })
    .int(pageSizeMessage)
    .min(1, pageSizeMessage)
    .max(1000, pageSizeMessage)
    .default(50),
  /** The `nextPageToken` of the previous page (base64url). */
  pageToken: z.string().optional(),
});

export type ListOperationsOptions = z.output<typeof listOperationsOptions>;

/** Thrown when invalid: InvalidArgumentError naming `provider`, `subject` or `pageSize`. */
export function parseListOperationsOptions(value: unknown): ListOperationsOptions {
  return parseOrThrow(listOperationsOptions, value, '');
}
