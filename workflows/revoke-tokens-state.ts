import {
  newRevokeOperation,
  TypeUrl,
  type NewOperationFields,
  type RevokePhase,
  type RevokeTokensMetadata,
  type RevokeTokensMetadataFields,
  type RevokeTokensOperation,
  type RevokeTokensResponse,
  type RevokeTokensResponseFields,
  type Status,
} from '../api';
import { revokeCurrentDetails, type RevokeProgressNote } from './current-details';
import { OperationState, type FailedOperation } from './operation-state';

/**
 * The Operation of a `revokeTokens` workflow: its phase, its provider calls and polls, the latest
 * failed attempt while a retry is pending.
 */
export class RevokeTokensState extends OperationState<RevokeTokensMetadata, RevokeTokensResponse> {
  /** What the Web UI shows beyond the Operation: the next poll, the failed attempt. */
  private note: RevokeProgressNote = {};

  constructor(init: NewOperationFields) {
    super(newRevokeOperation(init));
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

  /** The durable wait before poll `poll` (shown in the Web UI; not part of the Operation). */
  waitingForPoll(poll: number, delayMs: number): void {
    this.note.nextPoll = { poll, at: new Date(Date.now() + delayMs), delayMs };
    this.showDetails();
  }

  revoked(response: RevokeTokensResponseFields): RevokeTokensOperation {
    return this.succeed({ '@type': TypeUrl.revokeTokensResponse, ...response }, { phase: 'DONE' });
  }

  ended(status: Status): FailedOperation<RevokeTokensMetadata, RevokeTokensResponse> {
    return this.fail(status, { phase: 'DONE' });
  }

  protected override currentDetails(): string {
    return revokeCurrentDetails(this.op, this.note);
  }
}
