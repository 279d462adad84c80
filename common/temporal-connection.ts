import { loadClientConnectConfig } from '@temporalio/envconfig';

export interface TemporalTarget {
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
  namespace: string;
}

/**
 * Where Temporal is and how to reach it, following Temporal's own conventions (the same variables
 * as the Temporal CLI and every SDK): `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
 * `TEMPORAL_TLS`, `TEMPORAL_TLS_SERVER_CA_CERT_PATH|_DATA`, `TEMPORAL_TLS_CLIENT_CERT_PATH|_DATA`,
 * `TEMPORAL_TLS_CLIENT_KEY_PATH|_DATA`, `TEMPORAL_TLS_SERVER_NAME`, `TEMPORAL_GRPC_META_*`, and
 * the profile file (`TEMPORAL_CONFIG_FILE`, `TEMPORAL_PROFILE`). An API key or any TLS setting
 * turns TLS on. Used by the worker, the client library and the CLI alike.
 */
export function temporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  // An empty variable means "not set" (as `TEMPORAL_ADDRESS= npm start` intends), except for gRPC
  // metadata, where empty removes a header the profile file sets.
  const vars = Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined && (e[1] !== '' || e[0].startsWith('TEMPORAL_GRPC_META_')),
    ),
  );
  const config = loadClientConnectConfig({ overrideEnvVars: vars, profile: vars.TEMPORAL_PROFILE });
  return {
    connectionOptions: {
      ...config.connectionOptions,
      address: config.connectionOptions.address ?? 'localhost:7233',
    },
    namespace: config.namespace ?? 'default',
  };
}
