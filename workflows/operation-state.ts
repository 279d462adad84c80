import { setCurrentDetails } from '@temporalio/workflow';
import {
  newRevokeOperation,
  TypeUrl,
  type NewOperationFields,
  type RevokePhase,
  type RevokeTokensMetadata,
  type RevokeTokensMetadataFields,
  type RevokeTokensOperation,
  type RevokeTokensResponseFields,
  type Status,
} from '../api';
import { revokeCurrentDetails, type RevokeProgressNote } from './current-details';

/**
 * The Operation a `revokeTokens` workflow keeps and serves through `getOperation`. Every mutation
 * goes through here so `modifiedAt` and the Web UI's current details follow each state change.
 */
export class OperationState {
  private readonly op: RevokeTokensOperation;
  private note: RevokeProgressNote = {};

  constructor(init: NewOperationFields) {
    this.op = newRevokeOperation(init);
    this.touch();
  }

  get metadata(): Readonly<RevokeTokensMetadata> {
    return this.op.metadata;
  }

  /** A copy, so a query caller never holds live state. */
  snapshot(): RevokeTokensOperation {
    return JSON.parse(JSON.stringify(this.op)) as RevokeTokensOperation;
  }

  update(patch: Partial<RevokeTokensMetadataFields>): void {
    Object.assign(this.op.metadata, patch);
    this.touch();
  }

  phase(phase: RevokePhase): void {
    this.update({ phase });
  }

  /** A provider call succeeded: the latest transient failure no longer describes the operation. */
  callSucceeded(patch: Partial<RevokeTokensMetadataFields> = {}): void {
    delete this.op.error;
    this.note = {};
    this.update({ ...patch, attempts: this.op.metadata.attempts + 1 });
  }

  /** A provider call failed and will be retried: `done` stays false, `error` shows why. */
  attemptFailed(status: Status, attempt?: number): void {
    if (this.op.done) return;
    this.op.error = status;
    this.note = attempt !== undefined ? { retry: { attempt } } : {};
    this.update({ attempts: this.op.metadata.attempts + 1 });
  }

  succeed(response: RevokeTokensResponseFields): RevokeTokensOperation {
    delete this.op.error;
    this.op.response = { '@type': TypeUrl.revokeTokensResponse, ...response };
    this.op.done = true;
    this.update({ phase: 'DONE' });
    return this.snapshot();
  }

  fail(status: Status): RevokeTokensOperation {
    delete this.op.response;
    this.op.error = status;
    this.op.done = true;
    this.update({ phase: 'DONE' });
    return this.snapshot();
  }

  /** The durable wait before poll `poll` (shown in the Web UI; not part of the Operation). */
  waitingForPoll(poll: number, delayMs: number): void {
    this.note.nextPoll = { poll, at: new Date(Date.now() + delayMs), delayMs };
    setCurrentDetails(revokeCurrentDetails(this.op, this.note));
  }

  private touch(): void {
    this.op.modifiedAt = new Date().toISOString();
    setCurrentDetails(revokeCurrentDetails(this.op, this.note));
  }
}
