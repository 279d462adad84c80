import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  ActivityOutboundCallsInterceptor,
  GetLogAttributesInput,
  Next,
} from '@temporalio/worker';
import type { AdapterProvider, ConnectionRegistry } from '../activities';
import { providerOfEvidenceActivity } from '../api/evidence';
import { EngineMetrics, INVALID, MIXED, outcomeLabel, providerOfActivity } from '../api/metric-names';
import { providerKeys } from '../api/requests';

/** A connection label the worker vouches for: a configured name, or `unconfigured`. */
function connectionOf(registry: ConnectionRegistry, provider: string, args: unknown[]): string {
  const c = (args[0] as { connection?: unknown } | undefined)?.connection;
  if (typeof c !== 'string') return 'unconfigured';
  return registry.names(provider as AdapterProvider).includes(c) ? c : 'unconfigured';
}

function callOutcome(err: unknown): string {
  if (err instanceof CancelledFailure) return 'CANCELLED';
  if (err instanceof ApplicationFailure) return outcomeLabel(err.type);
  return 'UNKNOWN';
}

/**
 * Provider call metrics (latency by outcome, retries) and the `provider`/`connection` fields of every
 * log line about an activity, the SDK's own "Activity started/completed/failed" lines included. The
 * SDK adds `namespace`, `taskQueue` and `activityType` (the call) to the metrics.
 */
export function providerCallTelemetry(registry: ConnectionRegistry): ActivityInterceptorsFactory {
  return (ctx: Context) => {
    const provider = providerOfActivity(ctx.info.activityType);
    const evidenceOf = providerOfEvidenceActivity(ctx.info.activityId);
    // Only a known provider key reaches a log field; an invalid request's operation logs `invalid`.
    const evidenceProvider =
      evidenceOf === undefined
        ? undefined
        : (providerKeys as string[]).includes(evidenceOf)
          ? evidenceOf
          : INVALID;
    const logProvider = provider ?? evidenceProvider;
    let connection: string | undefined;

    const inbound: ActivityInboundCallsInterceptor = {
      async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
        if (provider === undefined) return next(input);
        connection = connectionOf(registry, provider, input.args);
        const tags = { provider, connection };
        if (ctx.info.attempt > 1) {
          ctx.metricMeter
            .createCounter(
              EngineMetrics.providerCallRetries,
              undefined,
              'Provider calls retried (attempts after the first)',
            )
            .add(1, tags);
        }
        const started = performance.now();
        let outcome = 'OK';
        try {
          return await next(input);
        } catch (err) {
          outcome = callOutcome(err);
          throw err;
        } finally {
          ctx.metricMeter
            .createHistogram(
              EngineMetrics.providerCallDuration,
              'float',
              's',
              'Provider call latency, by outcome',
            )
            .record((performance.now() - started) / 1000, { ...tags, outcome });
        }
      },
    };

    const outbound: ActivityOutboundCallsInterceptor = {
      getLogAttributes(
        input: GetLogAttributesInput,
        next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>,
      ) {
        return next({
          ...input,
          provider: logProvider ?? MIXED,
          ...(connection !== undefined ? { connection } : {}),
        });
      },
    };

    return { inbound, outbound };
  };
}
