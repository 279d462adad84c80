import * as grpc from '@grpc/grpc-js';
import { generateSelfSignedCertificate } from '../tls-certificate';
import { FaultQueue } from '../fault-queue';
import { AccessPolicy } from './access';
import { OperationStore } from './operations';
import type {
  YandexEmulator,
  YandexEmulatorBehaviour,
  YandexEmulatorCall,
  YandexEmulatorOptions,
  YandexRuntimeSettings,
} from './public-types';
import { createEmulatorServer, type EmulatorState } from './server';
import { TokenStore } from './store';

export type {
  YandexAccessBinding,
  YandexEmulatedMethod,
  YandexEmulator,
  YandexEmulatorBehaviour,
  YandexEmulatorCall,
  YandexEmulatorOptions,
  YandexFault,
  YandexFaultPolicy,
  YandexHold,
  YandexOperationError,
  YandexOperationSnapshot,
  YandexRefreshToken,
  YandexRuntimeSettings,
  YandexTokenSeed,
} from './public-types';

export const DEFAULT_IAM_TOKENS: Readonly<Record<string, string>> = {
  'emulator-iam-token': 'emulator-subject',
};

function applySettings(behaviour: YandexEmulatorBehaviour, settings: YandexRuntimeSettings): void {
  const nonNegative = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${name} must be a non-negative number`);
    }
  };
  nonNegative('pollsUntilDone', settings.pollsUntilDone);
  nonNegative('operationDelayMs', settings.operationDelayMs);
  nonNegative('latencyMs', settings.latencyMs);
  if (settings.errorRate !== undefined && !(settings.errorRate >= 0 && settings.errorRate <= 1)) {
    throw new RangeError('errorRate must be between 0 and 1');
  }
  if (settings.pollsUntilDone !== undefined) behaviour.pollsUntilDone = settings.pollsUntilDone;
  if (settings.operationDelayMs !== undefined) behaviour.operationDelayMs = settings.operationDelayMs;
  if (settings.latencyMs !== undefined) behaviour.latencyMs = settings.latencyMs;
  if (settings.errorRate !== undefined) behaviour.errorRate = settings.errorRate;
  if (settings.keepRevokedTokens !== undefined) behaviour.keepRevokedTokens = settings.keepRevokedTokens;
  // Key presence, so that configure({ operationError: undefined }) switches failures off again.
  if ('operationError' in settings) {
    behaviour.operationError = settings.operationError ? { ...settings.operationError } : undefined;
  }
}

function bind(server: grpc.Server, host: string, port: number, credentials: grpc.ServerCredentials) {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (err, boundPort) => (err ? reject(err) : resolve(boundPort)));
  });
}

/**
 * Starts a TLS gRPC emulator of Yandex Cloud IAM RefreshTokenService and OperationService.
 *
 * Choices where the public sources are silent or disagree:
 * - Revoke with no oneof member revokes all of the caller's tokens (the API reference), although the
 *   proto marks the oneof exactly_one. Two members set is INVALID_ARGUMENT, not protobuf's last-wins.
 * - A caller acts on its own subject, and on another only through an access binding (`accessBindings`:
 *   `viewer` may List, `editor` and `admin` may List and Revoke). Without one, List of that subject
 *   or revoke_filter.subject_id naming it is PERMISSION_DENIED "Permission denied" (Yandex's own
 *   text); its token ids and values, like revoked ones, are NOT_FOUND, so they cannot be probed.
 *   Operations are their creator's: another subject's operation is NOT_FOUND.
 * - Every error carries `x-request-id` and `x-server-trace-id` headers and a `grpc-status-details-bin`
 *   trailer: the google.rpc.Status with a RequestInfo detail holding the same request id.
 * - Operation timing (pollsUntilDone, operationDelayMs, operationError, keepRevokedTokens) is
 *   captured per operation at Revoke time; configure() affects later operations only.
 */
export async function startYandexEmulator(opts: YandexEmulatorOptions = {}): Promise<YandexEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const iamTokens = new Map(Object.entries(opts.iamTokens ?? DEFAULT_IAM_TOKENS));
  const [firstIamToken] = iamTokens.keys();
  if (firstIamToken === undefined) throw new Error('iamTokens must contain at least one token');

  const behaviour: YandexEmulatorBehaviour = {
    pollsUntilDone: 0,
    operationDelayMs: 0,
    operationError: undefined,
    keepRevokedTokens: false,
    latencyMs: 0,
    errorRate: 0,
  };
  applySettings(behaviour, opts);

  const tokens = new TokenStore();
  for (const seed of opts.tokens ?? []) tokens.add(seed);
  const operations = new OperationStore((ids, at) => tokens.markRevoked(ids, at));
  const state: EmulatorState = {
    tokens,
    operations,
    faults: new FaultQueue(),
    behaviour,
    calls: [],
    iamTokens,
    access: new AccessPolicy(opts.accessBindings),
    pendingTimers: new Set(),
    faultPolicy: undefined,
    holds: [],
  };

  const tls = await generateSelfSignedCertificate(host);
  const rootCert = Buffer.from(tls.certificatePem);
  const credentials = grpc.ServerCredentials.createSsl(
    null,
    [{ private_key: Buffer.from(tls.privateKeyPem), cert_chain: rootCert }],
    false,
  );
  const server = createEmulatorServer(state);
  const port = await bind(server, host, opts.port ?? 0, credentials);
  let closed = false;

  return {
    endpoint: `localhost:${port}`,
    host,
    port,
    rootCert,
    iamToken: firstIamToken,
    calls: state.calls,
    callsOf: (method) => state.calls.filter((c: YandexEmulatorCall) => c.method === method),
    addToken: (seed) => tokens.add(seed),
    addAccessBinding: (binding) => state.access.add(binding),
    tokens: () => {
      operations.settleDue();
      return tokens.all();
    },
    activeTokens: () => {
      operations.settleDue();
      return tokens.active();
    },
    injectFault: (fault) => state.faults.push(fault),
    setFaultPolicy: (policy) => {
      state.faultPolicy = policy;
    },
    configure: (settings) => applySettings(behaviour, settings),
    hold: (method) => {
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      let arrive = (_answer: unknown): void => undefined;
      const arrived = new Promise<unknown>((resolve) => (arrive = resolve));
      state.holds.push({
        method,
        held: (answer) => {
          arrive(answer);
          return released;
        },
      });
      return { arrived, release };
    },
    operation: (id) => {
      operations.settleDue();
      return operations.snapshot(id);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const timer of state.pendingTimers) clearTimeout(timer);
      state.pendingTimers.clear();
      // An emulator has nothing worth draining; in-flight calls see CANCELLED/UNAVAILABLE, as on a crash.
      server.forceShutdown();
    },
  };
}
