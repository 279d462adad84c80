import { status } from '@grpc/grpc-js';
import { refreshTokenService } from '@yandex-cloud/nodejs-sdk/iam-v1';
import type { operation } from '@yandex-cloud/nodejs-sdk/operation';
import { yandexResourceId } from './ids';
import type { YandexEmulatorBehaviour, YandexOperationError, YandexOperationSnapshot } from './public-types';
import type { RevokeSelection } from './revoke-selection';
import { invalidArgument, notFound } from './rpc-error';

const METADATA_TYPE_URL = 'type.googleapis.com/yandex.cloud.iam.v1.RevokeRefreshTokenMetadata';
const RESPONSE_TYPE_URL = 'type.googleapis.com/yandex.cloud.iam.v1.RevokeRefreshTokenResponse';
const CANCELLED = { code: status.CANCELLED, message: 'Operation cancelled' };

interface RevokeOperation {
  id: string;
  createdBy: string;
  createdAt: Date;
  modifiedAt: Date;
  selection: RevokeSelection;
  // Captured at Revoke time so that configure() only affects operations started afterwards.
  pollsUntilDone: number;
  readyAtMs: number;
  failWith: YandexOperationError | undefined;
  /** Finish naming the ids, but leave the tokens active (the keepRevokedTokens fault). */
  keepTokens: boolean;
  gets: number;
  done: boolean;
  cancelled: boolean;
  error: YandexOperationError | undefined;
}

export type RevokeBehaviour = Pick<
  YandexEmulatorBehaviour,
  'pollsUntilDone' | 'operationDelayMs' | 'operationError' | 'keepRevokedTokens'
>;

/**
 * Revoke operations. Tokens are chosen when Revoke is called but only revoked when the operation
 * completes, so a client that stops polling still sees them active until then.
 * Operations of another subject are reported as NOT_FOUND (never PERMISSION_DENIED), so operation ids
 * cannot be probed.
 */
export class OperationStore {
  private readonly operations = new Map<string, RevokeOperation>();
  /** Not done yet; settleDue runs on every call and must not walk every operation ever made. */
  private readonly pending = new Set<RevokeOperation>();

  constructor(private readonly revokeTokens: (ids: readonly string[], at: Date) => void) {}

  startRevoke(
    selection: RevokeSelection,
    createdBy: string,
    behaviour: RevokeBehaviour,
  ): operation.Operation {
    const now = new Date();
    const op: RevokeOperation = {
      id: yandexResourceId(),
      createdBy,
      createdAt: now,
      modifiedAt: now,
      selection,
      pollsUntilDone: behaviour.pollsUntilDone,
      readyAtMs: now.getTime() + behaviour.operationDelayMs,
      failWith: behaviour.operationError ? { ...behaviour.operationError } : undefined,
      keepTokens: behaviour.keepRevokedTokens,
      gets: 0,
      done: false,
      cancelled: false,
      error: undefined,
    };
    this.operations.set(op.id, op);
    this.pending.add(op);
    this.completeIfReady(op, now);
    return toOperationMessage(op);
  }

  get(operationId: string, callerSubjectId: string): operation.Operation {
    const op = this.find(operationId, callerSubjectId);
    const now = new Date();
    op.gets += 1;
    this.completeIfReady(op, now);
    return toOperationMessage(op);
  }

  cancel(operationId: string, callerSubjectId: string): operation.Operation {
    const op = this.find(operationId, callerSubjectId);
    this.completeIfReady(op, new Date());
    if (!op.done) {
      op.done = true;
      op.cancelled = true;
      op.error = { ...CANCELLED };
      op.modifiedAt = new Date();
      this.pending.delete(op);
    }
    return toOperationMessage(op);
  }

  /** Completes operations that only waited for time to pass; real operations finish without being polled. */
  settleDue(): void {
    const now = new Date();
    for (const op of this.pending) this.completeIfReady(op, now);
  }

  snapshot(operationId: string): YandexOperationSnapshot | undefined {
    const op = this.operations.get(operationId);
    return op && { id: op.id, done: op.done, cancelled: op.cancelled, gets: op.gets };
  }

  private find(operationId: string, callerSubjectId: string): RevokeOperation {
    if (operationId === '') throw invalidArgument('operation_id: value is required');
    const op = this.operations.get(operationId);
    if (!op || op.createdBy !== callerSubjectId) throw notFound(`operation ${operationId} not found`);
    return op;
  }

  private completeIfReady(op: RevokeOperation, now: Date): void {
    if (op.done || op.gets < op.pollsUntilDone || now.getTime() < op.readyAtMs) return;
    op.done = true;
    op.modifiedAt = now;
    this.pending.delete(op);
    if (op.failWith) op.error = op.failWith;
    else if (!op.keepTokens) this.revokeTokens(op.selection.refreshTokenIds, now);
  }
}

function toOperationMessage(op: RevokeOperation): operation.Operation {
  const { subjectId, refreshTokenIds } = op.selection;
  const message: operation.Operation = {
    id: op.id,
    description: 'Revoke refresh tokens',
    createdAt: op.createdAt,
    createdBy: op.createdBy,
    modifiedAt: op.modifiedAt,
    done: op.done,
    metadata: {
      typeUrl: METADATA_TYPE_URL,
      value: Buffer.from(
        refreshTokenService.RevokeRefreshTokenMetadata.encode({ subjectId, refreshTokenIds }).finish(),
      ),
    },
  };
  if (op.error) {
    message.error = { code: op.error.code, message: op.error.message, details: [] };
  } else if (op.done) {
    message.response = {
      typeUrl: RESPONSE_TYPE_URL,
      value: Buffer.from(refreshTokenService.RevokeRefreshTokenResponse.encode({ refreshTokenIds }).finish()),
    };
  }
  return message;
}
