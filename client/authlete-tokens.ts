import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  AUTHLETE_TOKEN_CALL_WORKFLOW,
  authleteTokenCallDescription,
  authleteTokenCallIdPrefix,
  authleteTokenCallTarget,
  parseAuthleteTokenCallInput,
  type AuthleteAccessToken,
  type AuthleteTokenCall,
  type AuthleteTokenCallInputRaw,
  type AuthleteTokenCallOperation,
  type AuthleteTokenCallResults,
  type AuthleteTokenCreateResponse,
  type AuthleteTokenList,
  type AuthleteTokenUpdateResponse,
  type AuthleteIdTokenReissueResponse,
  type RevokeTokensOperation,
  type Status,
} from '../api';
import { AuthleteCallFailedError, OperationNotFoundError, OperationWaitTimeoutError } from './errors';
import {
  checkRequestId,
  fingerprintOf,
  idempotentStartPolicies,
  operationId,
  REQUEST_FINGERPRINT_MEMO,
  startOnce,
} from './idempotent-start';
import type { RevocationClient, RevokeOptions } from './revocation-client';

/** Which service, through which worker connection. */
export interface AuthleteService {
  /** @default "default" */
  connection?: string;
  /** The numeric Authlete service ID. */
  serviceId: string | number;
}

export interface AuthleteCallOptions {
  /** Who asked; recorded in the Operation and searchable. @default the client's `createdBy` */
  createdBy?: string;
  /** Shown in the Web UI; no secret. */
  description?: string;
  /** How long to wait for the answer. @default 60000 */
  timeout?: number;
  /**
   * Idempotency key (AIP-155): a repeated call with it returns the first call's answer (a create
   * returns the same token instead of issuing another); with a different request, RequestIdConflictError.
   */
  requestId?: string;
}

type RequestOf<C extends AuthleteTokenCall> = Extract<AuthleteTokenCallInputRaw, { call: C }>['request'];

/** What a by-client and/or by-subject revoke would hit, from the token list. */
export interface AuthleteRevokePreview {
  /** Every token matching the selector now (Authlete's `totalCount`). */
  totalCount: number;
  /** The first of them, hashes only. */
  tokens: AuthleteAccessToken[];
  /** More match than `tokens` holds. */
  truncated: boolean;
}

/**
 * Authlete's token management from a caller that holds no Authlete credential: each call is one
 * short `authleteTokenCall` workflow run by a worker that has the connection. `list`, `create`,
 * `update` and `reissueIdToken` wait for Authlete's answer and return it; `revoke` and `delete`
 * start a `revokeTokens` operation (durable, with retries) and return it not done.
 *
 * Answers of create, update and reissue hold token values: keep them out of logs. Thrown when the
 * input is invalid: InvalidArgumentError naming the field (nothing starts); when Authlete refused:
 * AuthleteCallFailedError; when no answer came in time: OperationWaitTimeoutError.
 */
export class AuthleteTokens {
  constructor(readonly client: RevocationClient) {}

  /** `GET /auth/token/get/list`: one page (`start` inclusive, `end` exclusive; Authlete's default 0-5). */
  async list(
    service: AuthleteService,
    query: RequestOf<'list'> = {},
    options: AuthleteCallOptions = {},
  ): Promise<AuthleteTokenList> {
    return (await this.call('list', service, query, options)).response.result as AuthleteTokenList;
  }

  /**
   * The tokens `revoke({clientIdentifier, subject})` would revoke now, without revoking: Authlete's
   * list with the same filters (every status, as revoke does not look at expiry).
   */
  async previewRevoke(
    selector: AuthleteService & { clientIdentifier?: string; subject?: string },
    options: AuthleteCallOptions & { pageSize?: number } = {},
  ): Promise<AuthleteRevokePreview> {
    const { connection, serviceId, clientIdentifier, subject } = selector;
    const list = await this.list(
      { ...(connection !== undefined ? { connection } : {}), serviceId },
      {
        ...(clientIdentifier !== undefined ? { clientIdentifier } : {}),
        ...(subject !== undefined ? { subject } : {}),
        start: 0,
        end: options.pageSize ?? 50,
        tokenStatus: 'ALL',
      },
      options,
    );
    return {
      totalCount: list.totalCount,
      tokens: list.accessTokens,
      truncated: list.totalCount > list.accessTokens.length,
    };
  }

  /** `POST /auth/token/create`. Not retried: a repeat after a lost answer would issue a second token. */
  async create(
    service: AuthleteService,
    request: RequestOf<'create'>,
    options: AuthleteCallOptions = {},
  ): Promise<AuthleteTokenCreateResponse> {
    return (await this.call('create', service, request, options)).response
      .result as AuthleteTokenCreateResponse;
  }

  /** `POST /auth/token/update`; fewer `scopes` than the token has is a partial revocation. */
  async update(
    service: AuthleteService,
    request: RequestOf<'update'>,
    options: AuthleteCallOptions = {},
  ): Promise<AuthleteTokenUpdateResponse> {
    return (await this.call('update', service, request, options)).response
      .result as AuthleteTokenUpdateResponse;
  }

  /** `POST /idtoken/reissue`, for a token response whose action was `ID_TOKEN_REISSUABLE`. */
  async reissueIdToken(
    service: AuthleteService,
    request: RequestOf<'reissue'>,
    options: AuthleteCallOptions = {},
  ): Promise<AuthleteIdTokenReissueResponse> {
    return (await this.call('reissue', service, request, options)).response
      .result as AuthleteIdTokenReissueResponse;
  }

  /** `POST /auth/token/revoke` as a `revokeTokens` operation (returned not done; `client.wait` it). */
  revoke(
    service: AuthleteService,
    selector: {
      accessTokenIdentifier?: string;
      refreshTokenIdentifier?: string;
      clientIdentifier?: string;
      subject?: string;
    },
    options: RevokeOptions = {},
  ): Promise<RevokeTokensOperation> {
    return this.client.revoke({ provider: 'authlete', ...service, action: 'revoke', ...selector }, options);
  }

  /** `DELETE /auth/token/delete/{accessTokenIdentifier}` as a `revokeTokens` operation. */
  delete(
    service: AuthleteService,
    accessTokenIdentifier: string,
    options: RevokeOptions = {},
  ): Promise<RevokeTokensOperation> {
    return this.client.revoke(
      { provider: 'authlete', ...service, action: 'delete', accessTokenIdentifier },
      options,
    );
  }

  /** One call: starts its workflow and waits for the Operation, done. */
  async call<C extends AuthleteTokenCall>(
    call: C,
    service: AuthleteService,
    request: RequestOf<C>,
    options: AuthleteCallOptions = {},
  ): Promise<
    AuthleteTokenCallOperation<C> & { response: NonNullable<AuthleteTokenCallOperation<C>['response']> }
  > {
    const raw = {
      call,
      ...service,
      request,
      createdBy: options.createdBy ?? this.client.createdBy,
      ...(options.description !== undefined ? { description: options.description } : {}),
    } as AuthleteTokenCallInputRaw;
    checkRequestId(options.requestId);
    const input = parseAuthleteTokenCallInput(raw);
    const id = operationId(authleteTokenCallIdPrefix(call), options.requestId, 'authleteTokenCall:');
    const description = authleteTokenCallDescription(input);
    const fingerprint = fingerprintOf('authleteTokenCall', options.requestId, input);
    const temporal = this.client.temporal;
    await startOnce({
      temporal,
      id,
      ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
      ...(fingerprint !== undefined ? { fingerprint } : {}),
      get: (existing) => Promise.resolve(existing),
      start: () =>
        temporal.workflow.start(AUTHLETE_TOKEN_CALL_WORKFLOW, {
          taskQueue: this.client.taskQueue,
          workflowId: id,
          args: [input],
          ...idempotentStartPolicies,
          // Described by the target's fingerprints and names only; the input itself is encrypted.
          memo: {
            description,
            createdBy: input.createdBy ?? 'unknown',
            provider: 'authlete',
            connection: input.connection,
            target: authleteTokenCallTarget(input),
            ...(fingerprint !== undefined ? { [REQUEST_FINGERPRINT_MEMO]: fingerprint } : {}),
          },
          staticSummary: description,
        }),
    });
    const handle = temporal.workflow.getHandle(id);
    const timeout = options.timeout ?? 60_000;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeout);
    try {
      const op = await temporal.connection.withAbortSignal(
        abort.signal,
        () => handle.result() as Promise<AuthleteTokenCallOperation<C>>,
      );
      if (!op.response) throw new Error(`operation ${id} completed without a response`);
      return op as AuthleteTokenCallOperation<C> & { response: NonNullable<typeof op.response> };
    } catch (err) {
      if (abort.signal.aborted) throw new OperationWaitTimeoutError(id, timeout);
      if (err instanceof WorkflowNotFoundError) throw new OperationNotFoundError(id);
      const failed = failedOperation(err);
      if (failed) throw new AuthleteCallFailedError(failed);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

function failedOperation(err: unknown): (AuthleteTokenCallOperation & { error: Status }) | undefined {
  if (!(err instanceof WorkflowFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const op = err.cause.details?.[0] as AuthleteTokenCallOperation | undefined;
  return op && op.done && op.error ? (op as AuthleteTokenCallOperation & { error: Status }) : undefined;
}

export type { AuthleteTokenCallResults };
