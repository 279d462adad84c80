import {
  ApplicationFailure,
  ContinueAsNew,
  isCancellation,
  log,
  metricMeter,
  TemporalFailure,
  workflowInfo,
  type ActivityInput,
  type GetLogAttributesInput,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { TypedSearchAttributes } from '@temporalio/common';
import { SearchAttributes, type BulkCounts } from '../api';
import {
  bulkTargetOutcomes,
  connectionLabel,
  EngineMetrics,
  INVALID,
  MIXED,
  operationLabels,
  outcomeLabel,
  type OperationLabels,
} from '../api/metric-names';

/**
 * Operation metrics and the `provider`/`connection` fields of every log line a workflow writes,
 * without touching the workflows themselves. The SDK's metric meter and logger skip replay, so a
 * replayed history (a worker crash, a query on a closed operation) counts and logs nothing again.
 */

/**
 * What an operation is known to be before its input is seen (the SDK logs "Workflow started" first):
 * a revokeTokens started by the client (or by revokeSubject) carries its provider and connection as
 * search attributes.
 */
function labelsBeforeInput(): OperationLabels | undefined {
  const info = workflowInfo();
  if (info.workflowType !== 'revokeTokens') return operationLabels(info.workflowType, undefined);
  const sa = info.typedSearchAttributes as Partial<TypedSearchAttributes> | undefined;
  if (typeof sa?.get !== 'function') return undefined;
  const provider = sa.get(SearchAttributes.provider);
  if (provider === undefined) return undefined;
  return operationLabels('revokeTokens', {
    request: { provider, connection: sa.get(SearchAttributes.connection) },
  });
}

/** Telemetry must never fail a workflow task: a label it cannot work out is left out. */
function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** The outcome of a workflow that ends by throwing; undefined when it does not end (continue-as-new, a task failure). */
function outcomeOf(err: unknown): string | undefined {
  if (err instanceof ContinueAsNew) return undefined;
  if (isCancellation(err)) return 'CANCELLED';
  if (err instanceof ApplicationFailure) return outcomeLabel(err.type);
  // Any other TemporalFailure fails the execution; a plain Error only fails the task, which is retried.
  return err instanceof TemporalFailure ? 'UNKNOWN' : undefined;
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  let labels: OperationLabels | undefined;
  let inputSeen = false;

  const inbound: WorkflowInboundCallsInterceptor = {
    async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
      const info = workflowInfo();
      labels = safely(() => operationLabels(info.workflowType, input.args[0])) ?? {
        provider: INVALID,
        connection: INVALID,
      };
      inputSeen = true;
      const tags = { ...labels };
      if (info.continuedFromExecutionRunId === undefined) {
        metricMeter
          .createCounter(EngineMetrics.operationsStarted, undefined, 'Operations started')
          .add(1, tags);
        log.info('operation started');
      }
      const done = metricMeter.createCounter(
        EngineMetrics.operationsDone,
        undefined,
        'Operations done, by outcome',
      );
      try {
        const result = await next(input);
        done.add(1, { ...tags, outcome: 'OK' });
        log.info('operation done', { outcome: 'OK' });
        return result;
      } catch (err) {
        const outcome = outcomeOf(err);
        if (outcome !== undefined) {
          done.add(1, { ...tags, outcome });
          log.info('operation done', { outcome });
        }
        throw err;
      }
    },
  };

  const outbound: WorkflowOutboundCallsInterceptor = {
    getLogAttributes(
      input: GetLogAttributesInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>,
    ) {
      if (!inputSeen && labels === undefined) labels = safely(labelsBeforeInput);
      return next(labels ? { ...input, provider: labels.provider, connection: labels.connection } : input);
    },
    async scheduleActivity(
      input: ActivityInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
    ) {
      const result = await next(input);
      // Pages count their targets; follow-up polls count those handed over that ended.
      if (input.activityType === 'bulkProcessPage' || input.activityType === 'bulkPollPending')
        safely(() => countBulkTargets(result, labels));
      return result;
    },
  };

  return { inbound: [inbound], outbound: [outbound] };
};

/** Each page result counts once: the workflow sees a page's result once, live or never (replay). */
function countBulkTargets(result: unknown, labels: OperationLabels | undefined): void {
  const counts = (result as { counts?: Partial<BulkCounts> } | undefined)?.counts;
  if (!counts) return;
  const targets = metricMeter.createCounter(
    EngineMetrics.bulkTargets,
    undefined,
    'Bulk job targets processed, by outcome',
  );
  const base = labels ?? { provider: MIXED, connection: connectionLabel(undefined) };
  for (const [key, outcome] of Object.entries(bulkTargetOutcomes)) {
    const n = counts[key as keyof typeof bulkTargetOutcomes];
    if (typeof n === 'number' && n > 0) targets.add(n, { ...base, outcome });
  }
}
