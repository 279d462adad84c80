import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprint, type RevocationRequest } from '../../api';
import { DEFAULT_SERVICE_ID, startAuthleteEmulator } from '../../emulators/authlete';
import type { AuthleteFault } from '../../emulators/authlete/public-types';
import { startGoogleIdentityPlatformEmulator } from '../../emulators/google-identity-platform';
import type { GoogleFault } from '../../emulators/google-identity-platform/public-types';
import { startOAuth2Emulator } from '../../emulators/oauth2';
import type { OAuth2Fault } from '../../emulators/oauth2/public-types';
import { startOpenPaymentsEmulator } from '../../emulators/open-payments';
import { generateClientKey } from '../../emulators/open-payments/client-keys';
import type { OpenPaymentsFault } from '../../emulators/open-payments/public-types';
import { startYandexEmulator, type YandexFault } from '../../emulators/yandex-cloud';
import type { ConnectionsConfig } from '../../worker/connections';
import { ALL_FAULT_KINDS, type FaultKind, type FaultMix } from './fault-mix';

/**
 * Every provider call gives up after this long; a `timeout` fault answers later than that. Long
 * enough that a busy machine does not turn a 429 into a client timeout: the client must receive a
 * Retry-After to honour it.
 */
export const CALL_TIMEOUT_MS = 3000;
const TIMEOUT_DELAY_MS = CALL_TIMEOUT_MS + 1500;

/** One operation of the mix: its request, the key its calls are logged under, and the truth. */
export interface MixTarget {
  provider: RevocationRequest['provider'];
  request: RevocationRequest;
  /** The mix log key of its calls (a fingerprint or an id, never a secret). */
  key: string;
  /** `revoked`: must end revoked. `permanent`: must fail with a non-retryable code after one handled call. */
  expect: 'revoked' | 'permanent';
  /** Whether the provider holds the target as revoked now. */
  isRevoked(): boolean;
}

export interface MixProviders {
  targets: MixTarget[];
  connections: ConnectionsConfig;
  connectionsFile: string;
  /** Calls the emulators handled (no fault answered), by key. */
  handledCalls(key: string): number;
  close(): Promise<void>;
}

/** Kinds Yandex can show over gRPC: no Retry-After there, and a reset surfaces as UNAVAILABLE. */
const YANDEX_KINDS: readonly FaultKind[] = ['unavailable', 'rate-limited', 'lost-reply', 'timeout'];
/**
 * A lost Revoke reply makes the retry find the token gone (NOT_FOUND), and a revokeTokens operation
 * then ends NOT_FOUND although its token is revoked: a known issue, left out of the default mix.
 */
const YANDEX_KINDS_NO_LOST_REPLY = YANDEX_KINDS.filter((k) => k !== 'lost-reply');

function yandexFault(kind: FaultKind): YandexFault {
  const code = kind === 'rate-limited' ? 8 : 14;
  return {
    method: '*',
    code,
    ...(kind === 'lost-reply' ? { afterHandling: true } : {}),
    ...(kind === 'timeout' ? { delayMs: TIMEOUT_DELAY_MS } : {}),
  };
}

function httpFault(kind: FaultKind, retryAfterSeconds: number) {
  return {
    status: kind === 'rate-limited' ? 429 : 503,
    retryAfter: kind === 'rate-limited' || kind === 'unavailable-retry-after' ? retryAfterSeconds : undefined,
    reset: kind === 'reset' || kind === 'lost-reply',
    afterEffect: kind === 'lost-reply',
    delayMs: kind === 'timeout' ? TIMEOUT_DELAY_MS : 0,
  };
}

/**
 * Five emulators (one per provider) with `perProvider` targets that must end revoked and
 * `permanent` targets that must fail for good, each emulator answering through the mix's policy.
 * Calls are counted per key as handled (no fault) to check that permanent errors are not retried.
 */
export async function startMixProviders(
  dir: string,
  name: string,
  mix: FaultMix,
  perProvider: number,
  permanent: number,
  options: { yandexRevokeLostReply?: boolean } = {},
): Promise<MixProviders> {
  const handled = new Map<string, number>();
  const permanentKeys = new Set<string>();
  // A Yandex NOT_FOUND after a retryable failure means "gone" (an earlier attempt may have revoked
  // it; see activities/yandex-cloud/activities.ts), so a missing id is permanent only on a first call.
  const firstCallKeys = new Set<string>();
  const decide = (key: string, kinds: readonly FaultKind[], advertisesRetryAfter = true) => {
    // A permanent error's answer must reach the client, so it can be checked that it is not retried.
    const allowed = firstCallKeys.has(key)
      ? []
      : permanentKeys.has(key)
        ? kinds.filter((k) => k !== 'lost-reply')
        : kinds;
    const kind = mix.decide(key, allowed, advertisesRetryAfter);
    // A lost reply is handled too: the call took effect.
    if (!kind || kind === 'lost-reply') handled.set(key, (handled.get(key) ?? 0) + 1);
    return kind;
  };
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const targets: MixTarget[] = [];
  const ra = mix.retryAfterSeconds;

  // Yandex Cloud. Real operations finish on their own; the emulator's do so only with the known
  // issue switched on (a Revoke whose reply is lost, or comes after the client's deadline, then
  // leaves a finished operation behind and its retry finds the token gone). Otherwise they finish
  // at their first poll, and an orphaned one never does.
  const yandexIds = range(perProvider).map((i) => `${name}-rt-${i}`);
  const yandex = await startYandexEmulator({
    ...(options.yandexRevokeLostReply ? { operationDelayMs: 300 } : { pollsUntilDone: 1 }),
    tokens: yandexIds.map((id) => ({ id, subjectId: 'emulator-subject', clientId: 'chaos' })),
  });
  yandex.setFaultPolicy((call) => {
    const r = call.request as { refreshTokenId?: string; operationId?: string };
    const key = call.method === 'Revoke' ? `yandex ${r.refreshTokenId}` : `yandex op ${r.operationId}`;
    const kinds =
      call.method === 'Revoke' && !options.yandexRevokeLostReply ? YANDEX_KINDS_NO_LOST_REPLY : YANDEX_KINDS;
    const kind = decide(key, kinds, false);
    return kind && yandexFault(kind);
  });
  for (const id of yandexIds)
    targets.push({
      provider: 'yandex-cloud',
      request: { provider: 'yandex-cloud', connection: 'default', refreshTokenId: id },
      key: `yandex ${id}`,
      expect: 'revoked',
      isRevoked: () => !yandex.tokens().find((t) => t.id === id && !t.revokedAt),
    });
  for (const i of range(permanent)) {
    const id = `${name}-missing-${i}`;
    firstCallKeys.add(`yandex ${id}`);
    targets.push({
      provider: 'yandex-cloud',
      request: { provider: 'yandex-cloud', connection: 'default', refreshTokenId: id },
      key: `yandex ${id}`,
      expect: 'permanent',
      isRevoked: () => false,
    });
  }

  // OAuth 2.0 (RFC 7009): a foreign client's token is refused (400 invalid_grant).
  const oauth2 = await startOAuth2Emulator({
    clients: [
      { clientId: 'chaos-client', authMethod: 'client_secret_basic', clientSecret: 'chaos-secret' },
      { clientId: 'other-client', authMethod: 'client_secret_basic', clientSecret: 'other-secret' },
    ],
  });
  oauth2.setFaultPolicy((entry) => {
    if (entry.endpoint !== 'revocation' || !entry.tokenFingerprint) return undefined;
    const kind = decide(`oauth2 ${entry.tokenFingerprint}`, ALL_FAULT_KINDS);
    if (!kind) return undefined;
    const f = httpFault(kind, ra);
    const fault: OAuth2Fault = {
      endpoint: 'revocation',
      status: f.status,
      body: { error: f.status === 429 ? 'slow_down' : 'temporarily_unavailable' },
      ...(f.retryAfter !== undefined ? { headers: { 'retry-after': String(f.retryAfter) } } : {}),
      ...(f.reset ? { dropConnection: true } : {}),
      ...(f.afterEffect ? { afterRevoke: true } : {}),
      ...(f.delayMs ? { delayMs: f.delayMs } : {}),
    };
    return fault;
  });
  for (const i of range(perProvider + permanent)) {
    const own = i < perProvider;
    const token = oauth2.issueGrant(own ? 'chaos-client' : 'other-client').refreshToken;
    targets.push({
      provider: 'oauth2',
      request: { provider: 'oauth2', connection: 'default', token, tokenTypeHint: 'refresh_token' },
      key: `oauth2 ${fingerprint(token)}`,
      expect: own ? 'revoked' : 'permanent',
      isRevoked: () => !oauth2.isActive(token),
    });
  }

  // Google Identity Platform (Sign in with Apple): an ID token it does not know is INVALID_ID_TOKEN.
  const google = await startGoogleIdentityPlatformEmulator();
  google.setFaultPolicy((entry) => {
    const token = (entry.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string') return undefined;
    const kind = decide(`google ${fingerprint(token)}`, ALL_FAULT_KINDS);
    if (!kind) return undefined;
    const f = httpFault(kind, ra);
    const fault: GoogleFault = {
      status: f.status,
      ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}),
      ...(f.reset ? { reset: true } : {}),
      ...(f.afterEffect ? { afterHandling: true } : {}),
      ...(f.delayMs ? { delayMs: f.delayMs } : {}),
    };
    return fault;
  });
  for (const i of range(perProvider + permanent)) {
    const uid = `${name}-user-${i}`;
    google.addAccount({ uid });
    const idToken = google.mintIdToken(uid);
    const token = google.issueAppleToken(uid, undefined, { type: 'REFRESH_TOKEN' }).value;
    const own = i < perProvider;
    targets.push({
      provider: 'google-identity-platform',
      request: {
        provider: 'google-identity-platform',
        connection: 'default',
        providerId: 'apple.com',
        tokenType: 'REFRESH_TOKEN',
        token,
        // Same shape, signature changed: an ID token Google does not accept.
        idToken: own ? idToken : idToken.replace(/\.[^.]*$/, '.bm90LWEtc2lnbmF0dXJl'),
      },
      key: `google ${fingerprint(token)}`,
      expect: own ? 'revoked' : 'permanent',
      isRevoked: () => google.appleToken(token)?.revokedAt !== undefined,
    });
  }

  // Authlete: a service the bearer may not use is 403 (PERMISSION_DENIED).
  const authlete = await startAuthleteEmulator();
  authlete.addService({ serviceId: '700000002' });
  authlete.setFaultPolicy((entry) => {
    const id = (entry.body as { accessTokenIdentifier?: unknown } | undefined)?.accessTokenIdentifier;
    if (entry.operation !== 'revoke' || typeof id !== 'string') return undefined;
    const kind = decide(`authlete ${fingerprint(id)}`, ALL_FAULT_KINDS);
    if (!kind) return undefined;
    const f = httpFault(kind, ra);
    const fault: AuthleteFault = {
      operation: 'revoke',
      status: f.status,
      ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}),
      ...(f.reset ? { reset: true } : {}),
      ...(f.afterEffect ? { afterHandling: true } : {}),
      ...(f.delayMs ? { delayMs: f.delayMs } : {}),
    };
    return fault;
  });
  const authleteBearer = 'chaos-authlete-bearer';
  authlete.authorize(authleteBearer, DEFAULT_SERVICE_ID);
  for (const i of range(perProvider + permanent)) {
    const own = i < perProvider;
    const serviceId = own ? DEFAULT_SERVICE_ID : '700000002';
    const token = authlete.addToken({
      serviceId,
      clientId: 26888344961664,
      subject: `${name}-${i}`,
    }).accessToken;
    targets.push({
      provider: 'authlete',
      request: {
        provider: 'authlete',
        connection: 'default',
        action: 'revoke',
        serviceId,
        accessTokenIdentifier: token,
      },
      key: `authlete ${fingerprint(token)}`,
      expect: own ? 'revoked' : 'permanent',
      isRevoked: () => !authlete.tokens(serviceId).some((t) => t.accessToken === token),
    });
  }

  // Open Payments (GNAP): cancelling a grant the server does not know is 404 (NOT_FOUND).
  const op = await startOpenPaymentsEmulator();
  op.setFaultPolicy((record) => {
    if ((record.route !== 'revokeToken' && record.route !== 'cancelGrant') || !record.id) return undefined;
    const kind = decide(`open-payments ${record.id}`, ALL_FAULT_KINDS);
    if (!kind) return undefined;
    const f = httpFault(kind, ra);
    const fault: OpenPaymentsFault = {
      status: f.status,
      ...(f.retryAfter !== undefined ? { retryAfter: f.retryAfter } : {}),
      ...(f.reset && !f.afterEffect ? { dropConnection: true } : {}),
      ...(f.afterEffect ? { dropResponseAfterApply: true } : {}),
      ...(f.delayMs ? { delayMs: f.delayMs } : {}),
    };
    return fault;
  });
  const key = generateClientKey('chaos-key-1');
  const privateKeyFile = join(dir, `${name}-op-key.pem`);
  writeFileSync(privateKeyFile, key.privateKeyPem, { mode: 0o600 });
  const { walletAddressUrl } = op.addClient({ name: `${name}-client`, keys: [key.jwk] });
  for (const _ of range(perProvider)) {
    const [t] = op.issueGrant({ client: walletAddressUrl }).accessTokens;
    if (!t) throw new Error('the Open Payments emulator issued no token');
    targets.push({
      provider: 'open-payments',
      request: {
        provider: 'open-payments',
        connection: 'default',
        action: 'revokeToken',
        manageUrl: t.manageUrl,
        accessToken: t.value,
      },
      key: `open-payments ${t.manageId}`,
      expect: 'revoked',
      isRevoked: () => op.accessToken(t.manageId)?.revokedAt !== undefined,
    });
  }
  for (const i of range(permanent)) {
    const id = `${name}-unknown-grant-${i}`;
    targets.push({
      provider: 'open-payments',
      request: {
        provider: 'open-payments',
        connection: 'default',
        action: 'cancelGrant',
        continueUri: `${op.url}/continue/${id}`,
        continueToken: `continue-token-${i}`,
      },
      key: `open-payments ${id}`,
      expect: 'permanent',
      isRevoked: () => false,
    });
  }

  for (const t of targets) if (t.expect === 'permanent') permanentKeys.add(t.key);

  const rootCertFile = join(dir, `${name}-yandex-ca.pem`);
  writeFileSync(rootCertFile, yandex.rootCert);
  const connections: ConnectionsConfig = {
    'yandex-cloud': {
      default: {
        endpoint: yandex.endpoint,
        iamToken: yandex.iamToken,
        rootCertFile,
        callTimeoutMs: CALL_TIMEOUT_MS,
      },
    },
    oauth2: {
      default: {
        revocationEndpoint: oauth2.revocationEndpoint,
        clientId: 'chaos-client',
        clientAuthMethod: 'client_secret_basic',
        clientSecret: 'chaos-secret',
        allowInsecureRequests: true,
        timeoutMs: CALL_TIMEOUT_MS,
      },
    },
    'google-identity-platform': {
      default: { baseUrl: google.baseUrl, apiKey: google.apiKey, callTimeoutMs: CALL_TIMEOUT_MS },
    },
    authlete: {
      default: {
        baseUrl: authlete.baseUrl,
        serviceAccessToken: authleteBearer,
        callTimeoutMs: CALL_TIMEOUT_MS,
      },
    },
    'open-payments': {
      default: {
        privateKeyFile,
        keyId: key.keyId,
        walletAddressUrl,
        allowInsecureHttp: true,
        requestTimeoutMs: CALL_TIMEOUT_MS,
      },
    },
  };
  const connectionsFile = join(dir, `${name}-connections.json`);
  writeFileSync(connectionsFile, JSON.stringify(connections));
  return {
    targets,
    connections,
    connectionsFile,
    handledCalls: (k) => handled.get(k) ?? 0,
    close: async () => {
      await Promise.all([yandex.close(), oauth2.close(), google.close(), authlete.close(), op.close()]);
    },
  };
}
