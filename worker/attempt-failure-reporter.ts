import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptors,
  Next,
} from '@temporalio/worker';
import { Code, SignalNames, type Status } from '../api';

function retryableStatus(err: unknown): Status | undefined {
  if (err instanceof ApplicationFailure) {
    if (err.nonRetryable) return undefined;
    const detail = err.details?.[0] as Status | undefined;
    if (detail && typeof detail.code === 'number') return detail;
    return { code: Code.UNAVAILABLE, message: err.message, details: [] };
  }
  // An unclassified throw is retried by the policy; show it without its (unscrubbed) text.
  return { code: Code.UNKNOWN, message: 'provider call failed unexpectedly; retrying', details: [] };
}

/**
 * Retries live in activity options, where the workflow cannot see them. So that `getOperation` shows
 * the latest transient failure (done=false, error set) while a retry is pending, each failed attempt
 * that will be retried is reported to the calling workflow by a signal. Best effort: a failed signal
 * only loses the progress display, never the revocation.
 */
class AttemptFailureReporter implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: Context) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    try {
      return await next(input);
    } catch (err) {
      const status = retryableStatus(err);
      const { workflowExecution, activityType, attempt, workflowType } = this.ctx.info;
      if (status && workflowExecution && workflowType === 'revokeTokens') {
        await this.ctx.client.workflow
          .getHandle(workflowExecution.workflowId, workflowExecution.runId)
          .signal(SignalNames.attemptFailed, { activityType, attempt, status })
          .catch(() => undefined);
      }
      throw err;
    }
  }
}

export const attemptFailureReporter = (ctx: Context): ActivityInterceptors => ({
  inbound: new AttemptFailureReporter(ctx),
});
