import type { TelemetryOptions } from '@temporalio/worker';
import { ConfigError } from '../common/config-error';
import { EngineMetrics, providerCallBuckets } from '../api/metric-names';

export { EngineMetrics } from '../api/metric-names';

const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/**
 * `REVOCATION_METRICS_ADDRESS` (`host:port`, e.g. `127.0.0.1:9464` or `0.0.0.0:9464`); metrics are
 * off when it is unset. Thrown when malformed: ConfigError naming the variable.
 */
export function metricsAddress(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env.REVOCATION_METRICS_ADDRESS?.trim();
  if (!raw) return undefined;
  const port = HOST_PORT.exec(raw)?.[1];
  if (port === undefined || Number(port) > 65535) {
    throw new ConfigError(
      'REVOCATION_METRICS_ADDRESS',
      `must be host:port, such as 127.0.0.1:9464 or 0.0.0.0:9464; got "${raw}"`,
    );
  }
  return raw;
}

/** The URL Prometheus scrapes for a bind address (a wildcard host is reached on localhost). */
export function metricsUrl(address: string): string {
  const wildcard = address.startsWith('0.0.0.0:') || address.startsWith('[::]:');
  const hostPort = wildcard ? `127.0.0.1:${address.slice(address.lastIndexOf(':') + 1)}` : address;
  return `http://${hostPort}/metrics`;
}

/**
 * Prometheus exposition of the SDK's metrics (`temporal_…`, names as Temporal documents them) and the
 * engine's (`revocation_…`), on one endpoint.
 */
export function prometheusMetrics(bindAddress: string): NonNullable<TelemetryOptions['metrics']> {
  return {
    prometheus: {
      bindAddress,
      histogramBucketOverrides: { [EngineMetrics.providerCallDuration]: providerCallBuckets },
    },
  };
}
