import { ApplicationFailure, defineQuery, setCurrentDetails } from '@temporalio/workflow';
import { codeName, QueryNames, type Operation, type Status, type TypedMessage } from '../api';

/**
 * Answers with the operation as it is now; served by every workflow of the engine (`revokeTokens`,
 * `revokeSubject`, `bulkRevocation`), by running and closed executions alike, so the client's `get`
 * and `wait` read any of them.
 */
export const getOperationQuery = defineQuery<Operation>(QueryNames.getOperation);

/** An Operation that ended with an error. */
export type FailedOperation<M extends TypedMessage, R extends TypedMessage> = Operation<M, R> & {
  error: Status;
};

/**
 * The Operation a workflow keeps and serves through `getOperationQuery`. Every change goes through
 * here, so `modifiedAt` and the Web UI's current details follow each one, and `done`, `error` and
 * `response` keep the envelope's rules: while running, `error` is at most the latest transient
 * failure; once done, exactly one of `error` and `response` is set.
 *
 * Each workflow extends it with its own transitions and says how its current details read
 * (`currentDetails`); used as is, it serves an Operation without current details.
 */
export class OperationState<M extends TypedMessage, R extends TypedMessage> {
  /** Served as given: the first change (or a subclass's constructor) stamps `modifiedAt`. */
  constructor(protected readonly op: Operation<M, R>) {}

  get metadata(): Readonly<M> {
    return this.op.metadata;
  }

  get done(): boolean {
    return this.op.done;
  }

  /** A copy, so a query caller never holds live state. */
  snapshot(): Operation<M, R> {
    return JSON.parse(JSON.stringify(this.op)) as Operation<M, R>;
  }

  update(patch: Partial<M>): void {
    Object.assign(this.op.metadata, patch);
    this.touch();
  }

  succeed(response: R, patch: Partial<M> = {}): Operation<M, R> {
    delete this.op.error;
    this.op.response = response;
    this.op.done = true;
    this.update(patch);
    return this.snapshot();
  }

  fail(status: Status, patch: Partial<M> = {}): FailedOperation<M, R> {
    delete this.op.response;
    this.op.error = status;
    this.op.done = true;
    this.update(patch);
    return this.snapshot() as FailedOperation<M, R>;
  }

  /** The Web UI's current details of the Operation as it is; undefined shows none. */
  protected currentDetails(): string | undefined {
    return undefined;
  }

  /** Shows the current details again, for a change outside the Operation (`modifiedAt` stays). */
  protected showDetails(): void {
    const details = this.currentDetails();
    if (details !== undefined) setCurrentDetails(details);
  }

  protected touch(): void {
    this.op.modifiedAt = new Date().toISOString();
    this.showDetails();
  }
}

/**
 * The failure that ends an execution with a failed Operation: its type is the code's name, so the
 * Web UI's Failed filter finds it, and its first detail is the final Operation.
 */
export function operationFailure(operation: FailedOperation<TypedMessage, TypedMessage>): ApplicationFailure {
  return ApplicationFailure.create({
    type: codeName(operation.error.code),
    message: operation.error.message,
    nonRetryable: true,
    details: [operation],
  });
}
