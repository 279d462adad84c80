import { Runtime } from '@temporalio/worker';
import { ConfigError } from '../common/config-error';
import { createWorkerLogging, parseLogLevel, type WorkerLogging } from './logging';
import { metricsAddress, metricsUrl, prometheusMetrics } from './metrics';

export interface WorkerTelemetry {
  logging: WorkerLogging;
  /** Where Prometheus scrapes this worker; undefined when metrics are off. */
  metricsUrl?: string;
}

/**
 * Installs the SDK runtime with JSON logs and, when `REVOCATION_METRICS_ADDRESS` is set, a Prometheus
 * endpoint. Call it first: the runtime cannot change once a connection exists.
 *
 * - `REVOCATION_LOG_LEVEL`: TRACE, DEBUG, INFO (default), WARN or ERROR; the SDK's TypeScript side,
 *   workflow and activity logs.
 * - `REVOCATION_CORE_LOG_LEVEL`: the SDK core's (Rust) own lines, forwarded into the same JSON
 *   stream. @default WARN
 *
 * Thrown when a value is malformed or the metrics address cannot be bound: ConfigError naming the
 * variable.
 */
export function installTelemetry(env: NodeJS.ProcessEnv = process.env): WorkerTelemetry {
  const level = parseLogLevel(env, 'REVOCATION_LOG_LEVEL', 'INFO');
  const core = parseLogLevel(env, 'REVOCATION_CORE_LOG_LEVEL', 'WARN');
  const address = metricsAddress(env);
  const logging = createWorkerLogging({ level });
  try {
    Runtime.install({
      logger: logging.logger,
      telemetryOptions: {
        logging: { filter: { core, other: 'ERROR' }, forward: {} },
        ...(address ? { metrics: prometheusMetrics(address) } : {}),
      },
    });
  } catch (cause) {
    // The exporter binds at once; a port in use is the usual reason, and the variable says where.
    if (!address) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError('REVOCATION_METRICS_ADDRESS', `cannot serve metrics on ${address}: ${reason}`, {
      cause,
    });
  }
  return { logging, ...(address ? { metricsUrl: metricsUrl(address) } : {}) };
}
