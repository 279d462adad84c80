import { z } from 'zod';
import { parseOrThrow } from './validation';
import {
  revocationRequest,
  secretsOf,
  type RevocationRequest,
  type RevocationRequestInput,
} from './requests';

/** Durations are milliseconds or strings such as `500ms`, `30s`, `1m`, `1h`. */
const duration = z.union([
  z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600_000),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'must be a duration such as "500ms", "30s", "1h"'),
]);

export const revokeTokensTiming = z.strictObject({
  /** First wait between provider operation polls. @default '1s' */
  pollInitialInterval: duration.optional(),
  /** Cap of the doubling poll interval. @default '30s' */
  pollMaxInterval: duration.optional(),
  /** First wait before retrying a failed provider call. @default '1s' */
  retryInitialInterval: duration.optional(),
  /** The whole operation's deadline; past it the operation ends DEADLINE_EXCEEDED. @default '1h' */
  deadline: duration.optional(),
});

export const revokeTokensInput = z
  .strictObject({
    request: revocationRequest,
    description: z.string().max(256, 'must be at most 256 characters').optional(),
    createdBy: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters').optional(),
    timing: revokeTokensTiming.optional(),
  })
  .superRefine((input, ctx) => {
    // A description is shown in the Web UI in plain text; refuse one that quotes the token.
    const text = `${input.description ?? ''}\n${input.createdBy ?? ''}`;
    for (const secret of secretsOf(input.request)) {
      if (text.includes(secret)) {
        const field = (input.description ?? '').includes(secret) ? 'description' : 'createdBy';
        ctx.addIssue({ code: 'custom', path: [field], message: 'must not contain the token being revoked' });
      }
    }
  });

export type RevokeTokensInput = z.output<typeof revokeTokensInput>;
export type RevokeTokensTiming = z.output<typeof revokeTokensTiming>;

/** What callers send to the `revokeTokens` workflow. */
export interface RevokeTokensWorkflowInput {
  request: RevocationRequestInput;
  description?: string;
  createdBy?: string;
  timing?: z.input<typeof revokeTokensTiming>;
}

/** Thrown when invalid: InvalidArgumentError naming each bad field (`request.refreshTokenId`, ...). */
export function parseRevokeTokensInput(value: unknown): RevokeTokensInput {
  return parseOrThrow(revokeTokensInput, value, '');
}

/** Thrown when invalid: InvalidArgumentError naming each bad field under `request.`. */
export function parseRevocationRequest(value: unknown): RevocationRequest {
  return parseOrThrow(revocationRequest, value, 'request');
}
