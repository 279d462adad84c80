import type { EvidenceReference } from './evidence';
import { z } from 'zod';
import type { Operation, RevokeTokensResponse, Status, TypedMessage } from './operation';
import {
  authleteLimits,
  revocationRequest,
  secretsOf,
  yandexLimits,
  type RevocationRequest,
  type RevocationRequestInput,
} from './requests';
import { boundedString, connectionName, plainText } from './requests/common';
import { revokeTokensTiming } from './revoke-tokens-input';
import { parseOrThrow } from './validation';

/** Workflow id prefix of `revokeSubject` operations; children are `<parent id>/<index>-<provider>`. */
export const REVOKE_SUBJECT_ID_PREFIX = 'revoke-subject-';

export const revokeSubjectLimits = {
  /** Child operations per `revokeSubject` (targets and explicit requests together). */
  children: 100,
  subject: 256,
};

const subjectTypePrefix = 'type.googleapis.com/tokenrevocation.v1.';

export const RevokeSubjectTypeUrl = {
  metadata: `${subjectTypePrefix}RevokeSubjectMetadata`,
  response: `${subjectTypePrefix}RevokeSubjectResponse`,
} as const;

/** A Yandex Cloud subject: every refresh token whose `subjectId` matches, at one connection. */
export const yandexSubjectTarget = z.strictObject({
  provider: z.literal('yandex-cloud'),
  connection: connectionName.default('default'),
  subjectId: boundedString(yandexLimits.subjectId),
});

const authleteServiceId = z.preprocess(
  (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? String(v) : v),
  z
    .string()
    .regex(
      new RegExp(`^[1-9][0-9]{0,${authleteLimits.serviceIdDigits - 1}}$`),
      'must be a numeric Authlete service ID such as "715948317"',
    ),
) as unknown as z.ZodType<string, string | number>;

/** An Authlete subject: every token of `subject` in one service, at one connection. */
export const authleteSubjectTarget = z.strictObject({
  provider: z.literal('authlete'),
  connection: connectionName.default('default'),
  serviceId: authleteServiceId,
  subject: boundedString(authleteLimits.subject).regex(
    /^[\x20-\x7e]+$/,
    'must be printable ASCII (Authlete subjects are ASCII)',
  ),
});

const subjectTargetUnion = z.discriminatedUnion('provider', [yandexSubjectTarget, authleteSubjectTarget]);

/**
 * Where a subject can be revoked as a whole: the providers that revoke by subject. The provider is
 * checked first, so a wrong one gets its own message instead of the list of every provider.
 */
export const subjectTarget = z
  .looseObject({
    provider: z.enum(['yandex-cloud', 'authlete'], {
      error:
        'must be "yandex-cloud" or "authlete" (revoke by subject); give other providers\' tokens in requests',
    }),
  })
  .pipe(subjectTargetUnion);

export type SubjectTarget = z.output<typeof subjectTargetUnion>;
export type SubjectTargetInput = z.input<typeof subjectTargetUnion>;

function targetKey(t: SubjectTarget): string {
  return t.provider === 'yandex-cloud'
    ? JSON.stringify([t.provider, t.connection, t.subjectId])
    : JSON.stringify([t.provider, t.connection, t.serviceId, t.subject]);
}

export const revokeSubjectInput = z
  .strictObject({
    /** The subject as people name it (an email, an employee id); shown and searchable, never sent to a provider. */
    subject: z
      .string()
      .min(1, 'must not be empty')
      .max(revokeSubjectLimits.subject, `must be at most ${revokeSubjectLimits.subject} characters`)
      .refine((s) => s.trim().length > 0, 'must not be blank')
      .refine((s) => !/['"\\\p{Cc}]/u.test(s), 'must not contain quotes, backslashes or control characters'),
    targets: z.array(subjectTarget).max(revokeSubjectLimits.children).default([]),
    requests: z.array(revocationRequest).max(revokeSubjectLimits.children).default([]),
    description: plainText(256).optional(),
    createdBy: plainText(256).min(1, 'must not be empty').optional(),
    /** Passed to every child `revokeTokens` operation. */
    timing: revokeTokensTiming.optional(),
  })
  .superRefine((input, ctx) => {
    const count = input.targets.length + input.requests.length;
    if (count === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['targets'],
        message: 'give at least one target or request',
      });
    }
    if (count > revokeSubjectLimits.children) {
      ctx.addIssue({
        code: 'custom',
        path: ['requests'],
        message: `targets and requests together must be at most ${revokeSubjectLimits.children} (got ${count})`,
      });
    }
    const seen = new Map<string, number>();
    input.targets.forEach((t, i) => {
      const key = targetKey(t);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else ctx.addIssue({ code: 'custom', path: ['targets', i], message: `repeats targets.${first}` });
    });
    // Subject, description and createdBy are shown in the Web UI in plain text; refuse any that quote a token.
    const secrets = input.requests.flatMap(secretsOf);
    for (const field of ['subject', 'description', 'createdBy'] as const) {
      const text = input[field] ?? '';
      if (secrets.some((s) => text.includes(s))) {
        ctx.addIssue({ code: 'custom', path: [field], message: 'must not contain a token being revoked' });
      }
    }
  });

export type RevokeSubjectInput = z.output<typeof revokeSubjectInput>;

/** What callers send to the `revokeSubject` workflow. */
export interface RevokeSubjectWorkflowInput {
  subject: string;
  targets?: SubjectTargetInput[];
  /** Explicit token requests, for providers that cannot revoke by subject (or single tokens anywhere). */
  requests?: RevocationRequestInput[];
  description?: string;
  createdBy?: string;
  timing?: z.input<typeof revokeTokensTiming>;
}

/** Thrown when invalid: InvalidArgumentError naming each bad field (`targets.0.subjectId`, `requests.1.token`, ...). */
export function parseRevokeSubjectInput(value: unknown): RevokeSubjectInput {
  return parseOrThrow(revokeSubjectInput, value, '');
}

/** The `revokeTokens` request a subject target becomes. */
export function requestOfTarget(t: SubjectTarget): RevocationRequest {
  if (t.provider === 'yandex-cloud') {
    return { provider: 'yandex-cloud', connection: t.connection, revokeFilter: { subjectId: t.subjectId } };
  }
  return {
    provider: 'authlete',
    connection: t.connection,
    serviceId: t.serviceId,
    action: 'revoke',
    subject: t.subject,
  };
}

/** Every child request, in child index order: targets first, then the explicit requests as they are. */
export function childRequestsOf(input: RevokeSubjectInput): RevocationRequest[] {
  return [...input.targets.map(requestOfTarget), ...input.requests];
}

/** The workflow id of child `index`; built from ids and the provider key only, never from the request. */
export function childWorkflowId(parentId: string, index: number, provider: string): string {
  return `${parentId}/${index}-${provider}`;
}

/** The default human description of a `revokeSubject` operation; at most 256 characters. */
export function defaultSubjectDescription(subject: string, children: number): string {
  const tail = ` holds (${children} revocation${children === 1 ? '' : 's'})`;
  const head = 'Revoke everything ';
  const room = 256 - head.length - tail.length;
  const shown = subject.length > room ? `${subject.slice(0, room - 1)}…` : subject;
  return `${head}${shown}${tail}`;
}

/** The state of one child operation as the parent sees it. */
export type ChildState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface RevokeSubjectChild {
  /** The child's workflow id (an Operation id: `get`/`wait`/`cancel` take it). */
  id: string;
  provider: string;
  connection: string;
  /** What the child revokes, without secrets. */
  target: string;
  state: ChildState;
  /** Set when the child ended FAILED or CANCELLED. */
  error?: Status;
}

export interface RevokeSubjectMetadata extends TypedMessage {
  '@type': typeof RevokeSubjectTypeUrl.metadata;
  subject: string;
  children: RevokeSubjectChild[];
  total: number;
  succeeded: number;
  /** Children that ended without success, the CANCELLED ones included. */
  failed: number;
  /** Of `failed`, those that were cancelled. */
  cancelled: number;
  running: number;
}

export interface RevokeSubjectChildOutcome {
  id: string;
  provider: string;
  connection: string;
  target: string;
  outcome: Exclude<ChildState, 'RUNNING'>;
  /** The child's response, when it succeeded. */
  response?: RevokeTokensResponse;
  /** The child's error, when it did not. */
  error?: Status;
}

/** The report: each child's outcome. Also the first detail of the error of a parent that failed or was cancelled. */
export interface RevokeSubjectResponse extends TypedMessage {
  '@type': typeof RevokeSubjectTypeUrl.response;
  subject: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  children: RevokeSubjectChildOutcome[];
  /** The children's evidence records: every record with jobId = this operation's id, one per child. */
  evidence?: EvidenceReference;
}

export type RevokeSubjectOperation = Operation<RevokeSubjectMetadata, RevokeSubjectResponse>;

/** True when the operation is a `revokeSubject` one (its metadata type says so). */
export function isRevokeSubjectOperation(op: Operation): op is RevokeSubjectOperation {
  return op.metadata['@type'] === RevokeSubjectTypeUrl.metadata;
}

export interface NewSubjectOperationFields {
  id: string;
  description: string;
  createdAt: Date;
  createdBy: string;
  subject: string;
  children: Array<Pick<RevokeSubjectChild, 'id' | 'provider' | 'connection' | 'target'>>;
}

/** A `revokeSubject` Operation as it is when started: every child RUNNING, not done. */
export function newRevokeSubjectOperation(f: NewSubjectOperationFields): RevokeSubjectOperation {
  const at = f.createdAt.toISOString();
  return {
    id: f.id,
    description: f.description,
    createdAt: at,
    createdBy: f.createdBy,
    modifiedAt: at,
    done: false,
    metadata: {
      '@type': RevokeSubjectTypeUrl.metadata,
      subject: f.subject,
      children: f.children.map((c) => ({ ...c, state: 'RUNNING' })),
      total: f.children.length,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      running: f.children.length,
    },
  };
}
