import { ApplicationFailure, defineUpdate, setHandler, workflowInfo } from '@temporalio/workflow';
import { InvalidArgumentError, RequestIdConflictError, TypeUrl, UpdateNames, type Operation } from '../api';
import { requestIdentity, type IdempotentKind } from '../api/idempotency';

/**
 * `confirmRequest`: a caller in any SDK sends it with update-with-start (conflict policy
 * USE_EXISTING) carrying the same input as the start. It answers the current Operation when this
 * workflow runs that request, and is rejected with ALREADY_EXISTS naming `requestId` (here: the
 * workflow id) when it runs a different one (AIP-155). Rejected in the validator, so a conflict
 * leaves nothing in the history.
 */
export const confirmRequestUpdate = defineUpdate<Operation, [unknown]>(UpdateNames.confirmRequest);

function rejection(type: string, message: string, details: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details });
}

/** Registers `confirmRequest` for a workflow whose own input is `raw`; `parse` is its input check. */
export function answerConfirmRequest<I extends object>(
  kind: IdempotentKind,
  raw: unknown,
  parse: (raw: never) => I,
  snapshot: () => Operation,
): void {
  let own: string | undefined;
  const identityOf = (input: unknown): string => requestIdentity(kind, parse(input as never));
  setHandler(confirmRequestUpdate, () => snapshot(), {
    validator: (candidate: unknown) => {
      let theirs: string;
      try {
        theirs = identityOf(candidate);
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err;
        throw rejection('INVALID_ARGUMENT', err.message, [
          { '@type': TypeUrl.badRequest, fieldViolations: err.violations },
        ]);
      }
      // A workflow with an invalid input ends at once; an update never finds it running.
      own ??= identityOf(raw);
      if (theirs === own) return;
      const conflict = new RequestIdConflictError(workflowInfo().workflowId);
      throw rejection('ALREADY_EXISTS', conflict.message, [
        {
          '@type': TypeUrl.errorInfo,
          reason: 'REQUEST_ID_CONFLICT',
          domain: 'token-revocation',
          metadata: { field: conflict.field, operationId: conflict.operationId },
        },
      ]);
    },
  });
}
