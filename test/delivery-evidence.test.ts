import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Code, type RevocationRequestInput, type RevokeTokensOperation } from '../api';
import {
  authleteTokenHash,
  DEFAULT_CLIENTS,
  DEFAULT_SERVICE_ACCESS_TOKEN,
  DEFAULT_SERVICE_ID,
  startAuthleteEmulator,
  type AuthleteEmulator,
} from '../emulators/authlete';
import { startYandexEmulator, type YandexEmulator } from '../emulators/yandex-cloud';
import { createTestStack, type TestStack } from './helpers/stack';
import { startTcpFront, type TcpFront } from './helpers/tcp-front';

/*
 * A NOT_FOUND on a retry means "gone after our own earlier call" only when an earlier attempt may
 * have taken effect. The fronts refuse connections (ECONNREFUSED: provably not delivered); the
 * emulators' faults lose a reply after the effect (maybe delivered).
 */

const SUBJECT = 'emulator-subject';
let yandex: YandexEmulator;
let authlete: AuthleteEmulator;
let yandexFront: TcpFront;
let authleteFront: TcpFront;
let stack: TestStack;

before(async () => {
  yandex = await startYandexEmulator({
    tokens: ['rt-lost-1', 'rt-live-1'].map((id) => ({ id, subjectId: SUBJECT, clientId: 'app' })),
  });
  authlete = await startAuthleteEmulator();
  yandexFront = await startTcpFront({ host: '127.0.0.1', port: yandex.port });
  authleteFront = await startTcpFront({ host: '127.0.0.1', port: authlete.port });
  const dir = mkdtempSync(join(tmpdir(), 'delivery-evidence-'));
  const rootCertFile = join(dir, 'yandex-ca.pem');
  writeFileSync(rootCertFile, yandex.rootCert);
  const yandexConnection = (endpoint: string) => ({ endpoint, iamToken: yandex.iamToken, rootCertFile });
  const authleteConnection = (baseUrl: string) => ({
    baseUrl,
    serviceAccessToken: DEFAULT_SERVICE_ACCESS_TOKEN,
  });
  stack = await createTestStack(
    {},
    {
      connections: {
        'yandex-cloud': {
          direct: yandexConnection(yandex.endpoint),
          front: yandexConnection(`localhost:${yandexFront.port}`),
        },
        authlete: {
          default: authleteConnection(authlete.baseUrl),
          front: authleteConnection(`http://127.0.0.1:${authleteFront.port}`),
        },
      },
    },
  );
  await stack.startWorker();
});

after(async () => {
  await stack?.close();
  await yandexFront?.close();
  await authleteFront?.close();
  await yandex?.close();
  await authlete?.close();
});

/** Long enough between attempts for the test to open the front after attempt 1 was refused. */
const slowRetry = { pollInitialInterval: '100ms', retryInitialInterval: '3s' };
const fastRetry = { pollInitialInterval: '100ms', pollMaxInterval: '400ms', retryInitialInterval: '100ms' };

async function start(request: RevocationRequestInput, timing: Record<string, string>) {
  return stack.client.revoke(request, { timing });
}

/** Waits until the Operation shows a failed attempt with `code` (the retry still pending). */
async function attemptFailed(id: string, code: number): Promise<RevokeTokensOperation> {
  const until = Date.now() + 20_000;
  for (;;) {
    const op = await stack.client.get(id);
    if (op.error?.code === code && !op.done) return op;
    assert.ok(
      !op.done,
      `ended before a failed attempt was shown: ${JSON.stringify(op.error ?? op.response)}`,
    );
    assert.ok(Date.now() < until, 'no failed attempt shown in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Attempt 1 refused at the front (never delivered); attempt 2 goes through. */
async function refusedThenThrough(front: TcpFront, request: RevocationRequestInput) {
  await front.refuse();
  try {
    const started = await start(request, slowRetry);
    await attemptFailed(started.id, Code.UNAVAILABLE);
    await front.accept();
    return await stack.client.wait(started.id, { timeout: 30_000 });
  } finally {
    await front.accept();
  }
}

void describe('Yandex Cloud: NOT_FOUND on a retry, by what the earlier attempts saw', () => {
  void it('connection refused on attempt 1, NOT_FOUND on attempt 2: the operation ends NOT_FOUND', async () => {
    const before = yandex.callsOf('Revoke').length;
    const acceptedBefore = yandexFront.accepted;
    const op = await refusedThenThrough(yandexFront, {
      provider: 'yandex-cloud',
      connection: 'front',
      refreshTokenId: 'rt-never-issued',
    });
    assert.equal(op.done, true);
    assert.equal(op.error?.code, Code.NOT_FOUND, JSON.stringify(op.response ?? op.error));
    assert.equal(op.response, undefined);
    // Attempt 1 never reached the emulator: it received one Revoke, and the front one connection.
    assert.equal(yandex.callsOf('Revoke').length - before, 1);
    assert.ok(yandexFront.accepted - acceptedBefore >= 1);
    assert.ok(op.metadata.attempts >= 2, `attempts ${op.metadata.attempts}`);
  });

  void it('a lost reply on attempt 1 (revoked, answer dropped), NOT_FOUND on attempt 2: done, notFoundOnRetry, attempt 1', async () => {
    yandex.injectFault({ method: 'Revoke', code: Code.UNAVAILABLE, message: 'reset', afterHandling: true });
    const started = await start(
      { provider: 'yandex-cloud', connection: 'direct', refreshTokenId: 'rt-lost-1' },
      fastRetry,
    );
    const op = await stack.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error, undefined, JSON.stringify(op.error));
    assert.equal(op.response?.notFoundOnRetry, true);
    assert.equal(op.response?.mayHaveRevokedOnAttempt, 1);
    assert.equal(op.response?.revokedCount, 0);
    assert.match(String(op.response?.note), /gone on attempt 2; attempt 1 may have revoked it/);
    assert.ok(yandex.tokens().find((t) => t.id === 'rt-lost-1')?.revokedAt);
  });
});

void describe('Authlete: NOT_FOUND on a retry, by what the earlier attempts saw', () => {
  const svc = DEFAULT_SERVICE_ID;
  const revokes = () => authlete.requestsOf('revoke', svc).map((r) => r.status);

  void it('connection refused on attempt 1, 404 on attempt 2: the operation ends NOT_FOUND', async () => {
    const before = revokes().length;
    const op = await refusedThenThrough(authleteFront, {
      provider: 'authlete',
      connection: 'front',
      serviceId: svc,
      accessTokenIdentifier: authleteTokenHash('never-issued-token-a'),
    });
    assert.equal(op.error?.code, Code.NOT_FOUND, JSON.stringify(op.response ?? op.error));
    assert.deepEqual(revokes().slice(before), [404]);
  });

  void it('503 on attempt 1 (not handled), 404 on attempt 2: the operation ends NOT_FOUND', async () => {
    const before = revokes().length;
    authlete.injectFault({ operation: 'revoke', serviceId: svc, status: 503 });
    const started = await start(
      {
        provider: 'authlete',
        serviceId: svc,
        accessTokenIdentifier: authleteTokenHash('never-issued-token-b'),
      },
      fastRetry,
    );
    const op = await stack.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error?.code, Code.NOT_FOUND, JSON.stringify(op.response ?? op.error));
    assert.deepEqual(revokes().slice(before), [503, 404]);
  });

  void it('a lost reply on attempt 1 (revoked, connection reset), 404 on attempt 2: done, notFoundOnRetry, attempt 1', async () => {
    const token = authlete.addToken({ serviceId: svc, clientId: DEFAULT_CLIENTS[0]?.clientId ?? 0 });
    const before = revokes().length;
    authlete.injectFault({
      operation: 'revoke',
      serviceId: svc,
      status: 500,
      reset: true,
      afterHandling: true,
    });
    const started = await start(
      { provider: 'authlete', serviceId: svc, accessTokenIdentifier: token.accessTokenHash },
      fastRetry,
    );
    const op = await stack.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error, undefined, JSON.stringify(op.error));
    assert.equal(op.response?.notFoundOnRetry, true);
    assert.equal(op.response?.mayHaveRevokedOnAttempt, 1);
    assert.match(String(op.response?.note), /attempt 1 may have revoked it \(the connection failed after/);
    assert.deepEqual(revokes().slice(before), [-1, 404]);
    assert.ok(!authlete.tokens(svc).some((t) => t.accessToken === token.accessToken));
  });
});
