import {
  Client,
  Connection,
  isGrpcServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, type SearchAttributePair } from '@temporalio/common';
import { google, temporal } from '@temporalio/proto';
import {
  Code,
  DEFAULT_TASK_QUEUE,
  defaultDescription,
  describeTarget,
  durationMs,
  newRevokeOperation,
  OPERATION_ID_PREFIX,
  parseListOperationsOptions,
  parseRevokeTokensInput,
  providerTitle,
  QueryNames,
  SearchAttributes,
  subjectOf,
  WorkflowTypes,
  type Outcome,
  type RevocationRequestInput,
  type RevokeTokensOperation,
  type RevokeTokensWorkflowInput,
  type Status,
} from '../api';
import { AesGcmPayloadCodec, type CodecKeyring } from '../common/payload-codec';
import { loadCodecKeyring } from '../common/codec-keys';
import { temporalTarget } from '../common/temporal-connection';
import { ConfigError } from '../common/config-error';
import { OperationNotFoundError, OperationWaitTimeoutError, TemporalUnreachableError } from './errors';
import { revokeTokensDetails, revokeTokensSummary } from '../api/operation-summary';
import {
  checkRequestId,
  fingerprintOf,
  idempotentStartPolicies,
  operationId,
  REQUEST_FINGERPRINT_MEMO,
  startOnce,
} from './idempotent-start';

export interface RevokeOptions {
  /**
   * Idempotency key (AIP-155): a repeated call with the same key and request returns the same
   * operation; the same key with a different request is refused (RequestIdConflictError).
   */
  requestId?: string;
  /** Shown in the Web UI; 0-256 characters, no secret. */
  description?: string;
  /** Who asked; recorded and searchable. @default the client's `createdBy` */
  createdBy?: string;
  timing?: RevokeTokensWorkflowInput['timing'];
}

/** One row of `list`: what visibility knows without asking the workflow. */
export interface OperationSummary {
  id: string;
  description: string;
  createdAt: string;
  modifiedAt: string;
  createdBy: string;
  done: boolean;
  outcome: Outcome | 'UNKNOWN';
  provider?: string;
  connection?: string;
  subject?: string;
}

export interface ListOptions {
  provider?: string;
  subject?: string;
  done?: boolean;
  /** @default 50 */
  pageSize?: number;
  pageToken?: string;
}

interface OperationMemo {
  description: string;
  createdBy: string;
  provider: string;
  connection: string;
  target: string;
}

const QUERY_DEADLINE_MS = 5_000;

/**
 * Starts and reads revocation operations. Mirrors the Yandex Cloud SDK and AIP-151: `revoke`
 * returns at once with an operation that is not done; `wait` blocks until it is, with a timeout.
 */
export class RevocationClient {
  readonly taskQueue: string;
  /** Recorded as `createdBy` on what this client starts, unless a call names its own. */
  readonly createdBy: string;

  constructor(
    readonly temporal: Client,
    options: {
      taskQueue?: string;
      /** Who starts operations, for entry points that authenticate their callers. @default the Temporal client identity (pid@host unless set) */
      createdBy?: string;
    } = {},
  ) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.createdBy = options.createdBy ?? temporal.options.identity;
  }

  /**
   * Connects using Temporal's environment conventions and the codec key configuration. The codec key
   * is checked first, so a configuration error needs no network to be reported.
   * Thrown: ConfigError (codec key, Temporal settings, `REVOCATION_CONNECT_TIMEOUT`), TemporalUnreachableError.
   */
  static async connect(
    options: {
      env?: NodeJS.ProcessEnv;
      keyring?: CodecKeyring;
      taskQueue?: string;
      /** @default the Temporal client identity, pid@host */
      createdBy?: string;
      /** @default REVOCATION_CONNECT_TIMEOUT, else 10 s (Temporal's own default) */
      connectTimeoutMs?: number;
    } = {},
  ): Promise<RevocationClient> {
    const env = options.env ?? process.env;
    const keyring = options.keyring ?? loadCodecKeyring(env);
    const connectTimeout = options.connectTimeoutMs ?? connectTimeoutFromEnv(env);
    let target;
    try {
      target = temporalTarget(env);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ConfigError('TEMPORAL_*', `cannot load the Temporal connection settings: ${reason}`, {
        cause,
      });
    }
    let connection: Connection;
    try {
      connection = await Connection.connect({ ...target.connectionOptions, connectTimeout });
    } catch (cause) {
      // The SDK wraps a refusal (e.g. UNAUTHENTICATED for a wrong API key) in a generic message; keep the gRPC one.
      const grpc = cause instanceof Error && isGrpcServiceError(cause.cause) ? cause.cause : cause;
      throw new TemporalUnreachableError(
        target.connectionOptions.address ?? 'localhost:7233',
        target.namespace,
        {
          cause: grpc,
        },
      );
    }
    const temporal = new Client({
      connection,
      namespace: target.namespace,
      dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(keyring)] },
    });
    return new RevocationClient(temporal, {
      taskQueue: options.taskQueue ?? (env.REVOCATION_TASK_QUEUE || undefined),
      ...(options.createdBy !== undefined ? { createdBy: options.createdBy } : {}),
    });
  }

  async close(): Promise<void> {
    await this.temporal.connection.close();
  }

  /**
   * Starts a revocation and returns its Operation, not done yet.
   * Thrown when the input is invalid: InvalidArgumentError naming each bad field; when `requestId`
   * was used for a different request: RequestIdConflictError (ALREADY_EXISTS). Nothing starts.
   */
  async revoke(request: RevocationRequestInput, options: RevokeOptions = {}): Promise<RevokeTokensOperation> {
    checkRequestId(options.requestId);
    const raw: RevokeTokensWorkflowInput = {
      request,
      ...(options.description !== undefined ? { description: options.description } : {}),
      // Only an absent one takes the default: a bad value (null, '') must be refused, not replaced.
      createdBy: options.createdBy === undefined ? this.createdBy : options.createdBy,
      ...(options.timing !== undefined ? { timing: options.timing } : {}),
    };
    const input = parseRevokeTokensInput(raw);
    const r = input.request;
    // Ids are visible everywhere; derive them from the request id, never from the request.
    const id = operationId(OPERATION_ID_PREFIX, options.requestId);
    const memo: OperationMemo = {
      description: input.description || defaultDescription(describeTarget(r), providerTitle(r)),
      createdBy: input.createdBy ?? 'unknown',
      provider: r.provider,
      connection: r.connection,
      target: describeTarget(r),
    };
    const attributes: SearchAttributePair[] = [
      { key: SearchAttributes.provider, value: r.provider },
      { key: SearchAttributes.connection, value: r.connection },
      { key: SearchAttributes.outcome, value: 'RUNNING' },
    ];
    const fingerprint = fingerprintOf('revokeTokens', options.requestId, input);
    if (input.createdBy) attributes.push({ key: SearchAttributes.createdBy, value: input.createdBy });
    const subject = subjectOf(r);
    if (subject) attributes.push({ key: SearchAttributes.subject, value: subject });

    const summaryInput = { ...input, request: r, requestId: options.requestId };
    const existing = await startOnce({
      temporal: this.temporal,
      id,
      requestId: options.requestId,
      fingerprint,
      get: (x) => this.get(x),
      start: () =>
        this.temporal.workflow.start(WorkflowTypes.revokeTokens, {
          taskQueue: this.taskQueue,
          workflowId: id,
          args: [input satisfies RevokeTokensWorkflowInput],
          ...idempotentStartPolicies,
          memo: { ...memo, ...(fingerprint ? { [REQUEST_FINGERPRINT_MEMO]: fingerprint } : {}) },
          typedSearchAttributes: attributes,
          staticSummary: revokeTokensSummary(summaryInput),
          staticDetails: revokeTokensDetails(summaryInput),
        }),
    });
    return existing ?? newRevokeOperation({ id, createdAt: new Date(), ...memo });
  }

  /**
   * The operation as it is now; answers for running and closed operations, also with no worker.
   * Thrown when unknown: OperationNotFoundError.
   */
  async get(id: string): Promise<RevokeTokensOperation> {
    const handle = this.temporal.workflow.getHandle<() => Promise<RevokeTokensOperation>>(id);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new OperationNotFoundError(id);
      throw err;
    }
    switch (description.status.name) {
      case 'COMPLETED':
        return handle.result();
      case 'FAILED': {
        const fromFailure = await this.operationFromFailure(handle);
        if (fromFailure) return fromFailure;
        return this.synthesize(id, description, {
          code: Code.INTERNAL,
          message: 'operation failed',
          details: [],
        });
      }
      case 'CANCELLED': {
        // A closed run answers queries when a worker is up; its Operation says what was done.
        const answered = await this.query(handle, QUERY_DEADLINE_MS);
        if (answered?.done) return answered;
        return this.synthesize(id, description, {
          code: Code.CANCELLED,
          message: 'operation cancelled',
          details: [],
        });
      }
      case 'TERMINATED':
        return this.synthesize(id, description, {
          code: Code.ABORTED,
          message: 'operation terminated',
          details: [],
        });
      case 'TIMED_OUT':
        return this.synthesize(id, description, {
          code: Code.DEADLINE_EXCEEDED,
          message: 'operation timed out',
          details: [],
        });
      default:
        return this.queryOrSynthesize(handle, description);
    }
  }

  /**
   * Waits until the operation is done and returns it, done.
   * Thrown when not done within `timeout` ms: OperationWaitTimeoutError (an Error, never a hang).
   */
  async wait(id: string, options: { timeout?: number } = {}): Promise<RevokeTokensOperation> {
    const timeout = options.timeout ?? 600_000;
    const handle = this.temporal.workflow.getHandle(id);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeout);
    try {
      await this.temporal.connection.withAbortSignal(abort.signal, () => handle.result());
    } catch (err) {
      if (abort.signal.aborted) throw new OperationWaitTimeoutError(id, timeout);
      if (err instanceof WorkflowNotFoundError) throw new OperationNotFoundError(id);
      // A failed or cancelled operation is done too; `get` turns it into its Operation.
    } finally {
      clearTimeout(timer);
    }
    return this.get(id);
  }

  /**
   * Requests cancellation; the operation ends CANCELLED once the provider was asked to stop, or, when
   * the provider had already finished (cancellation is best effort), done with its response and
   * `cancelTooLate: true`. Returns the operation as it is right after the request.
   */
  async cancel(id: string): Promise<RevokeTokensOperation> {
    try {
      await this.temporal.workflow.getHandle(id).cancel();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new OperationNotFoundError(id);
      throw err;
    }
    return this.get(id);
  }

  /** Operations by provider, subject and done, newest first, from the visibility store. */
  async list(options: ListOptions = {}): Promise<{ operations: OperationSummary[]; nextPageToken?: string }> {
    const { provider, subject, done, pageSize, pageToken } = parseListOperationsOptions(options);
    const clauses = [`WorkflowType = '${WorkflowTypes.revokeTokens}'`];
    if (provider !== undefined) clauses.push(`${SearchAttributes.provider.name} = '${provider}'`);
    if (subject !== undefined) clauses.push(`${SearchAttributes.subject.name} = '${subject}'`);
    if (done !== undefined) clauses.push(`ExecutionStatus ${done ? '!=' : '='} 'Running'`);
    const res = await this.temporal.workflowService.listWorkflowExecutions({
      namespace: this.temporal.options.namespace,
      query: clauses.join(' AND '),
      pageSize,
      nextPageToken: pageToken ? Buffer.from(pageToken, 'base64url') : undefined,
    });
    const operations: OperationSummary[] = [];
    for (const raw of res.executions) {
      operations.push(await this.summarize(raw));
    }
    const token =
      res.nextPageToken && res.nextPageToken.length > 0
        ? Buffer.from(res.nextPageToken).toString('base64url')
        : undefined;
    return { operations, ...(token ? { nextPageToken: token } : {}) };
  }

  private async summarize(raw: Parameters<typeof executionInfo>[1]): Promise<OperationSummary> {
    const info = await executionInfo(this.temporal, raw);
    const memo = (info.memo ?? {}) as Partial<OperationMemo>;
    const sa = info.typedSearchAttributes;
    const done = info.status.name !== 'RUNNING';
    const outcome = (sa.get(SearchAttributes.outcome) as Outcome | undefined) ?? 'UNKNOWN';
    return {
      id: info.workflowId,
      description: memo.description ?? '',
      createdAt: info.startTime.toISOString(),
      modifiedAt: (info.closeTime ?? info.executionTime ?? info.startTime).toISOString(),
      createdBy: memo.createdBy ?? sa.get(SearchAttributes.createdBy) ?? 'unknown',
      done,
      outcome: done && outcome === 'RUNNING' ? statusOutcome(info.status.name) : outcome,
      provider: sa.get(SearchAttributes.provider) ?? memo.provider,
      connection: sa.get(SearchAttributes.connection) ?? memo.connection,
      subject: sa.get(SearchAttributes.subject),
    };
  }

  private async operationFromFailure(handle: WorkflowHandle): Promise<RevokeTokensOperation | undefined> {
    try {
      await handle.result();
    } catch (err) {
      if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) {
        const op = err.cause.details?.[0] as RevokeTokensOperation | undefined;
        if (op && typeof op.id === 'string' && op.done === true) return op;
      }
    }
    return undefined;
  }

  private async queryOrSynthesize(
    handle: WorkflowHandle,
    description: Awaited<ReturnType<WorkflowHandle['describe']>>,
  ): Promise<RevokeTokensOperation> {
    return (await this.query(handle, QUERY_DEADLINE_MS)) ?? this.synthesize(handle.workflowId, description);
  }

  /** `getOperation`, or undefined when no worker answers in time (a query would otherwise wait). */
  private async query(
    handle: WorkflowHandle,
    deadlineMs: number,
  ): Promise<RevokeTokensOperation | undefined> {
    try {
      return await this.temporal.connection.withDeadline(Date.now() + deadlineMs, () =>
        handle.query<RevokeTokensOperation>(QueryNames.getOperation),
      );
    } catch {
      return undefined;
    }
  }

  /** The Operation as far as the server knows it without a worker: from the memo and status. */
  private synthesize(
    id: string,
    d: Awaited<ReturnType<WorkflowHandle['describe']>>,
    error?: Status,
  ): RevokeTokensOperation {
    const memo = (d.memo ?? {}) as Partial<OperationMemo>;
    const op = newRevokeOperation({
      id,
      createdAt: d.startTime,
      description: memo.description ?? '',
      createdBy: memo.createdBy ?? 'unknown',
      provider: memo.provider ?? 'unknown',
      connection: memo.connection ?? 'unknown',
      target: memo.target ?? '',
    });
    op.modifiedAt = (d.closeTime ?? d.startTime).toISOString();
    if (error) {
      op.done = true;
      op.error = error;
      op.metadata.phase = 'DONE';
    }
    return op;
  }
}

function connectTimeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.REVOCATION_CONNECT_TIMEOUT;
  if (!raw) return 10_000;
  try {
    return durationMs(raw);
  } catch (cause) {
    throw new ConfigError('REVOCATION_CONNECT_TIMEOUT', 'must be a duration such as "5s" or "500ms"', {
      cause,
    });
  }
}

function statusOutcome(status: string): Outcome | 'UNKNOWN' {
  if (status === 'COMPLETED') return 'SUCCEEDED';
  if (status === 'CANCELLED') return 'CANCELLED';
  if (status === 'FAILED' || status === 'TERMINATED' || status === 'TIMED_OUT') return 'FAILED';
  return 'UNKNOWN';
}

type RawExecution = temporal.api.workflow.v1.IWorkflowExecutionInfo;

interface ExecutionInfo {
  workflowId: string;
  status: { name: string };
  startTime: Date;
  closeTime?: Date;
  executionTime?: Date;
  memo: Record<string, unknown>;
  typedSearchAttributes: { get(key: { name: string }): string | undefined };
}

function timestamp(t: google.protobuf.ITimestamp | null | undefined): Date | undefined {
  if (!t) return undefined;
  return new Date(Number(String(t.seconds ?? 0)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6));
}

/**
 * Reads a raw visibility record with the client's own data converter (memo through its codecs),
 * as the SDK's list does, but through public API only: list needs the page token the SDK hides.
 */
async function executionInfo(client: Client, raw: RawExecution): Promise<ExecutionInfo> {
  const { payloadConverter, payloadCodecs } = client.options.loadedDataConverter;
  const memo: Record<string, unknown> = {};
  for (const [key, payload] of Object.entries(raw.memo?.fields ?? {})) {
    let decoded = [payload];
    for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    if (decoded[0]) memo[key] = payloadConverter.fromPayload(decoded[0]);
  }
  // Search attributes are stored unencoded, as JSON (keyword values here).
  const indexed = raw.searchAttributes?.indexedFields ?? {};
  const status = temporal.api.enums.v1.WorkflowExecutionStatus[raw.status ?? 0] ?? 'UNSPECIFIED';
  return {
    workflowId: raw.execution?.workflowId ?? '',
    status: { name: status.replace(/^WORKFLOW_EXECUTION_STATUS_/, '') },
    startTime: timestamp(raw.startTime) ?? new Date(0),
    closeTime: timestamp(raw.closeTime),
    executionTime: timestamp(raw.executionTime),
    memo,
    typedSearchAttributes: {
      get: ({ name }) => {
        const p = indexed[name];
        const v: unknown = p ? defaultPayloadConverter.fromPayload(p) : undefined;
        return typeof v === 'string' ? v : undefined;
      },
    },
  };
}
