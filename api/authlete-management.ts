import { z } from 'zod';
import type {
  AuthleteIdTokenReissueRequest,
  AuthleteIdTokenReissueResponse,
  AuthleteTokenCreateResponse,
  AuthleteTokenList,
  AuthleteTokenUpdateResponse,
} from './authlete-types';
import { fingerprint } from './fingerprint';
import type { Operation } from './operation';
import { authleteLimits, authleteServiceId } from './requests/authlete';
import { boundedString, connectionName, plainText, tokenString } from './requests/common';
import { parseOrThrow } from './validation';

/**
 * Authlete token management beyond revoke and delete (those are `revokeTokens` operations): one
 * `authleteTokenCall` workflow per call, so the service access token stays in the worker. Inputs
 * and results travel as payloads, encrypted by the codec; results of create, update and reissue
 * hold token values (secrets) and are never summarised, logged or searchable.
 */
export const authleteTokenCalls = ['list', 'create', 'update', 'reissue'] as const;
export type AuthleteTokenCall = (typeof authleteTokenCalls)[number];

/** Workflow type of one token-management call. */
export const AUTHLETE_TOKEN_CALL_WORKFLOW = 'authleteTokenCall';
/** Workflow ids are `authlete-<call>-<uuid>`: no secret, and the call is visible in the Web UI list. */
export const authleteTokenCallIdPrefix = (call: AuthleteTokenCall): string => `authlete-${call}-`;

/** Ours: a page of the token list fits a workflow result comfortably (about 0.5 KB a token). */
export const AUTHLETE_LIST_PAGE_MAX = 1000;

const typePrefix = 'type.googleapis.com/tokenrevocation.v1.';
export const AuthleteTypeUrl = {
  tokenCallMetadata: `${typePrefix}AuthleteTokenCallMetadata`,
  tokenCallResponse: `${typePrefix}AuthleteTokenCallResponse`,
} as const;

const grantTypes = [
  'AUTHORIZATION_CODE',
  'IMPLICIT',
  'PASSWORD',
  'CLIENT_CREDENTIALS',
  'REFRESH_TOKEN',
  'CIBA',
  'DEVICE_CODE',
  'TOKEN_EXCHANGE',
  'JWT_BEARER',
  'PRE_AUTHORIZED_CODE',
] as const;

const subject = boundedString(authleteLimits.subject).regex(
  /^[\x20-\x7e]+$/,
  'must be printable ASCII (Authlete subjects are ASCII)',
);
const clientIdentifier = boundedString(authleteLimits.clientIdentifier);
const scopes = z
  .array(boundedString(256).regex(/^[\x21-\x7e]+$/, 'must be one scope (no spaces)'))
  .max(100, 'must be at most 100 scopes');
const seconds = z
  .number()
  .int('must be whole seconds')
  .min(0)
  .max(100 * 365 * 86_400);
const epochMs = z.number().int('must be milliseconds since the epoch').min(0);
const properties = z
  .array(
    z.strictObject({
      key: boundedString(256),
      value: z.string().max(4096, 'must be at most 4096 characters'),
      hidden: z.boolean().optional(),
    }),
  )
  .max(50, 'must be at most 50 properties');
const jsonObject = z.record(z.string(), z.unknown());

const listRequest = z
  .strictObject({
    clientIdentifier: clientIdentifier.optional(),
    subject: subject.optional(),
    start: z.number().int().min(0).optional(),
    end: z.number().int().min(0).optional(),
    tokenStatus: z.enum(['VALID', 'INVALID', 'ALL']).optional(),
  })
  .superRefine((r, ctx) => {
    const start = r.start ?? 0;
    const end = r.end ?? start + 5;
    if (end < start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must not be less than start' });
    else if (end - start > AUTHLETE_LIST_PAGE_MAX) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `a page holds at most ${AUTHLETE_LIST_PAGE_MAX} tokens (end - start)`,
      });
    }
  });

const createRequest = z
  .strictObject({
    grantType: z.enum(grantTypes, { error: `must be one of ${grantTypes.join(', ')}` }),
    clientId: z.number().int().positive().optional(),
    clientIdentifier: clientIdentifier.optional(),
    subject: subject.optional(),
    scopes: scopes.optional(),
    accessTokenDuration: seconds.optional(),
    refreshTokenDuration: seconds.optional(),
    accessTokenPersistent: z.boolean().optional(),
    properties: properties.optional(),
    /** Values to import instead of generated ones: secrets. */
    accessToken: tokenString(authleteLimits.tokenIdentifier).optional(),
    refreshToken: tokenString(authleteLimits.tokenIdentifier).optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.clientId === undefined) === (r.clientIdentifier === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['clientIdentifier'],
        message: 'give exactly one of clientId (numeric) and clientIdentifier (ID or alias)',
      });
    }
    if (r.grantType !== 'CLIENT_CREDENTIALS' && r.subject === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: `is required for grant type ${r.grantType}`,
      });
    }
  });

const updateChanges = [
  'scopes',
  'accessTokenExpiresAt',
  'refreshTokenExpiresAt',
  'properties',
  'accessTokenPersistent',
  'accessTokenValueUpdated',
] as const;

const updateRequest = z
  .strictObject({
    /** The token value (a secret) or its hash, as the token list shows it; exactly one. */
    accessToken: tokenString(authleteLimits.tokenIdentifier).optional(),
    accessTokenHash: tokenString(256).optional(),
    scopes: scopes.optional(),
    accessTokenExpiresAt: epochMs.optional(),
    refreshTokenExpiresAt: epochMs.optional(),
    accessTokenExpiresAtUpdatedOnScopeUpdate: z.boolean().optional(),
    refreshTokenExpiresAtUpdatedOnScopeUpdate: z.boolean().optional(),
    properties: properties.optional(),
    accessTokenPersistent: z.boolean().optional(),
    /** A new access token value replaces the old one (the answer holds it). */
    accessTokenValueUpdated: z.boolean().optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.accessToken === undefined) === (r.accessTokenHash === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['accessToken'],
        message: 'give exactly one of accessToken (the value) and accessTokenHash',
      });
    }
    if (!updateChanges.some((k) => r[k] !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['scopes'],
        message: `nothing to change: give at least one of ${updateChanges.join(', ')}`,
      });
    }
  });

/**
 * What `/auth/token` answered with `action: ID_TOKEN_REISSUABLE` (authlete-openapi.yaml,
 * `/idtoken/reissue`: "expected to be called only when" it did). Other fields of that answer are
 * dropped, so a caller may pass the whole answer.
 */
const tokenResponse = z.object({
  action: z.literal('ID_TOKEN_REISSUABLE', {
    error:
      'must be "ID_TOKEN_REISSUABLE": Authlete reissues ID tokens only for a token response (/auth/token) with that action',
  }),
  accessToken: tokenString(16_384),
  refreshToken: tokenString(authleteLimits.tokenIdentifier),
  jwtAccessToken: tokenString(16_384).optional(),
});

const reissueRequest = z.strictObject({
  tokenResponse,
  sub: subject.optional(),
  claims: jsonObject.optional(),
  idtHeaderParams: jsonObject.optional(),
  idTokenAudType: z.enum(['array', 'string']).optional(),
});

const common = {
  connection: connectionName.default('default'),
  serviceId: authleteServiceId,
  createdBy: plainText(256).optional(),
  description: plainText(256).optional(),
};

export const authleteTokenCallInput = z.discriminatedUnion('call', [
  z.strictObject({ call: z.literal('list'), ...common, request: listRequest.default({}) }),
  z.strictObject({ call: z.literal('create'), ...common, request: createRequest }),
  z.strictObject({ call: z.literal('update'), ...common, request: updateRequest }),
  z.strictObject({ call: z.literal('reissue'), ...common, request: reissueRequest }),
]);

/** A call as callers write it (`connection` may be omitted). */
export type AuthleteTokenCallInputRaw = z.input<typeof authleteTokenCallInput>;
export type AuthleteTokenCallInput = z.output<typeof authleteTokenCallInput>;
export type AuthleteTokenCallRequest<C extends AuthleteTokenCall> = Extract<
  AuthleteTokenCallInput,
  { call: C }
>['request'];

/** Thrown when invalid: InvalidArgumentError naming each field (`request.scopes.0`), never the value. */
export function parseAuthleteTokenCallInput(raw: unknown): AuthleteTokenCallInput {
  return parseOrThrow(authleteTokenCallInput, raw, '');
}

/** The wire request of `/idtoken/reissue`: the JWT access token when there is one, as the spec says. */
export function authleteReissueWireRequest(
  r: AuthleteTokenCallRequest<'reissue'>,
): AuthleteIdTokenReissueRequest {
  return {
    accessToken: r.tokenResponse.jwtAccessToken ?? r.tokenResponse.accessToken,
    refreshToken: r.tokenResponse.refreshToken,
    ...(r.sub !== undefined ? { sub: r.sub } : {}),
    ...(r.claims !== undefined ? { claims: JSON.stringify(r.claims) } : {}),
    ...(r.idtHeaderParams !== undefined ? { idtHeaderParams: JSON.stringify(r.idtHeaderParams) } : {}),
    ...(r.idTokenAudType !== undefined ? { idTokenAudType: r.idTokenAudType } : {}),
  };
}

/** The token values in a call's input (to scrub from any text). */
export function authleteTokenCallSecrets(input: AuthleteTokenCallInput): string[] {
  const values: Array<string | undefined> = [];
  switch (input.call) {
    case 'create':
      values.push(input.request.accessToken, input.request.refreshToken);
      break;
    case 'update':
      values.push(input.request.accessToken, input.request.accessTokenHash);
      break;
    case 'reissue':
      values.push(
        input.request.tokenResponse.accessToken,
        input.request.tokenResponse.refreshToken,
        input.request.tokenResponse.jwtAccessToken,
      );
      break;
    case 'list':
      break;
  }
  return values.filter((v): v is string => v !== undefined);
}

/** What a call is about, without secrets (token identifiers as fingerprints). */
export function authleteTokenCallTarget(input: AuthleteTokenCallInput): string {
  const at = `in service ${input.serviceId}`;
  switch (input.call) {
    case 'list': {
      const r = input.request;
      const who = [
        r.subject !== undefined ? `of subject ${r.subject}` : undefined,
        r.clientIdentifier !== undefined ? `issued to client ${r.clientIdentifier}` : undefined,
      ].filter(Boolean);
      return `tokens ${who.length > 0 ? `${who.join(' ')} ` : ''}${at}`;
    }
    case 'create': {
      const r = input.request;
      const client = r.clientIdentifier ?? String(r.clientId);
      return `a ${r.grantType} token for ${r.subject !== undefined ? `subject ${r.subject}, ` : ''}client ${client} ${at}`;
    }
    case 'update':
      return `access token ${fingerprint(input.request.accessToken ?? input.request.accessTokenHash ?? '')} ${at}`;
    case 'reissue':
      return `an ID token for access token ${fingerprint(input.request.tokenResponse.accessToken)} ${at}`;
  }
}

const verbs: Record<AuthleteTokenCall, string> = {
  list: 'List',
  create: 'Create',
  update: 'Update',
  reissue: 'Reissue',
};

/** The default description; never holds a secret. */
export function authleteTokenCallDescription(input: AuthleteTokenCallInput): string {
  return input.description || `${verbs[input.call]} ${authleteTokenCallTarget(input)} at Authlete`;
}

export interface AuthleteTokenCallResults {
  list: AuthleteTokenList;
  create: AuthleteTokenCreateResponse;
  update: AuthleteTokenUpdateResponse;
  reissue: AuthleteIdTokenReissueResponse;
}

export interface AuthleteTokenCallMetadata {
  '@type': typeof AuthleteTypeUrl.tokenCallMetadata;
  provider: 'authlete';
  connection: string;
  serviceId: string;
  /** `unknown` for an input that did not parse. */
  call: AuthleteTokenCall | 'unknown';
  /** Without secrets. */
  target: string;
  /** Provider calls made that ended (a retried call is counted by its last attempt). */
  attempts: number;
  subjectId?: string;
  [field: string]: unknown;
}

export interface AuthleteTokenCallResponse<C extends AuthleteTokenCall = AuthleteTokenCall> {
  '@type': typeof AuthleteTypeUrl.tokenCallResponse;
  call: C;
  /** Authlete's answer as it came. For create, update and reissue it holds token values: a secret. */
  result: AuthleteTokenCallResults[C];
}

export type AuthleteTokenCallOperation<C extends AuthleteTokenCall = AuthleteTokenCall> = Operation<
  AuthleteTokenCallMetadata,
  AuthleteTokenCallResponse<C>
>;

/** Fields of Authlete's answers that hold token values (`responseContent` is the client's token response). */
export const authleteResultSecretFields = [
  'accessToken',
  'refreshToken',
  'jwtAccessToken',
  'idToken',
  'responseContent',
] as const;

/** A copy of `result` with each token value replaced by its fingerprint, for human output. */
export function redactAuthleteResult<T extends object>(result: T): T {
  const out = { ...result } as Record<string, unknown>;
  for (const key of authleteResultSecretFields) {
    const v = out[key];
    if (typeof v === 'string' && v !== '') out[key] = fingerprint(v);
  }
  return out as T;
}

/**
 * `op` with the token values of an `authleteTokenCall` answer as fingerprints; any other operation
 * as it is. For output that has no `--show-token` (`revoke get`, `wait`, `get --watch`).
 */
export function redactTokenCallOperation<O extends Operation>(op: O): O {
  if (op.metadata['@type'] !== AuthleteTypeUrl.tokenCallMetadata || !op.response) return op;
  const response = op.response as unknown as { result?: unknown };
  if (typeof response.result !== 'object' || response.result === null) return op;
  return { ...op, response: { ...response, result: redactAuthleteResult(response.result) } };
}
