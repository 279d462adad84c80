import { z } from 'zod';
import { durationMs } from './duration';
import { plainText } from './requests/common';
import { parseOrThrow } from './validation';
import {
  revocationRequest,
  secretsOf,
  type RevocationRequest,
  type RevocationRequestInput,
} from './requests';

const MAX_DURATION_MS = 7 * 24 * 3600_000;
const durationText = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/;

/** Durations are milliseconds or strings such as `500ms`, `30s`, `1m`, `1h`; from 1 ms to 7 days. */
export const duration = z.union([
  z.number().int().positive().max(MAX_DURATION_MS),
  z
    .string()
    .max(32, 'must be at most 32 characters')
    .regex(durationText, 'must be a duration such as "500ms", "30s", "1h"')
    // A timer beyond the SDK's range fails every workflow task instead of the operation. Zod runs
    // this check after a failed regex too, so it must not parse what the regex refused.
    .refine((s) => {
      if (!durationText.test(s)) return true;
      const ms = durationMs(s);
      return ms >= 1 && ms <= MAX_DURATION_MS;
    }, 'must be from 1ms to 7d'),
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
    description: plainText(256).optional(),
    createdBy: plainText(256).min(1, 'must not be empty').optional(),
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
