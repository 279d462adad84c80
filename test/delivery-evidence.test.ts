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
import { bulkOperation, startBulk, waitBulk } from './helpers/bulk';
import { fetchHistory, recordHistory } from './helpers/history';
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
    tokens: ['rt-lost-1', 'rt-live-1', 'rt-bulk-lost', 'rt-slow-never', 'rt-slow-late', 'rt-slow-runs'].map(
      (id) => ({
        id,
        subjectId: SUBJECT,
        clientId: 'app',
      }),
    ),
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

void describe('bulk: the same evidence, and a target deadline', () => {
  void it('a never-issued id is not_found; already_revoked only after an attempt that may have taken effect', async () => {
    const probeService = '300000001';
    const lostService = '300000002';
    for (const serviceId of [probeService, lostService]) {
      authlete.addService({ serviceId, clients: [...DEFAULT_CLIENTS] });
    }
    const clientId = DEFAULT_CLIENTS[0]?.clientId ?? 0;
    const probe = authlete.addToken({ serviceId: probeService, clientId });
    const lost = authlete.addToken({ serviceId: lostService, clientId });
    authlete.injectFault({
      operation: 'revoke',
      serviceId: lostService,
      status: 500,
      reset: true,
      afterHandling: true,
    });
    let lostOnce = false;
    yandex.setFaultPolicy((call) => {
      const id = (call.request as { refreshTokenId?: string }).refreshTokenId;
      if (call.method !== 'Revoke' || id !== 'rt-bulk-lost' || lostOnce) return undefined;
      lostOnce = true;
      return { method: 'Revoke', code: Code.UNAVAILABLE, message: 'reset', afterHandling: true };
    });
    const revokesOf = (id: string) =>
      yandex
        .callsOf('Revoke')
        .filter((c) => (c.request as { refreshTokenId?: string }).refreshTokenId === id);
    const neverA = authleteTokenHash('never-issued-bulk-a');
    const neverB = authleteTokenHash('never-issued-bulk-b');
    const acceptedRevokes = () =>
      authlete.requests.filter((r) => r.operation === 'revoke' && r.serviceId === DEFAULT_SERVICE_ID).length;
    const authleteBefore = acceptedRevokes();

    await yandexFront.refuse();
    await authleteFront.refuse();
    try {
      // All start at once (concurrency 8): the two front targets' first attempts are refused; the
      // fronts open once the probe's request arrived, before their in-process retries (0.5 s, 1.5 s).
      const id = await startBulk(stack, {
        name: 'delivery-evidence',
        concurrency: 8,
        source: {
          kind: 'inline',
          requests: [
            { provider: 'yandex-cloud', connection: 'front', refreshTokenId: 'rt-never-issued-front' },
            {
              provider: 'authlete',
              connection: 'front',
              serviceId: DEFAULT_SERVICE_ID,
              accessTokenIdentifier: neverA,
            },
            { provider: 'authlete', serviceId: probeService, accessTokenIdentifier: probe.accessTokenHash },
            { provider: 'yandex-cloud', connection: 'direct', refreshTokenId: 'rt-bulk-lost' },
            { provider: 'authlete', serviceId: lostService, accessTokenIdentifier: lost.accessTokenHash },
            { provider: 'yandex-cloud', connection: 'direct', refreshTokenId: 'rt-never-issued-direct' },
            { provider: 'authlete', serviceId: DEFAULT_SERVICE_ID, accessTokenIdentifier: neverB },
          ],
        },
      });
      const until = Date.now() + 30_000;
      while (authlete.requestsOf('revoke', probeService).length === 0) {
        assert.ok(Date.now() < until, 'the probe never arrived');
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 250));
      await yandexFront.accept();
      await authleteFront.accept();
      const op = await waitBulk(stack, id, 60_000);
      const r = op.response;
      assert.ok(r, JSON.stringify(op.error));
      assert.deepEqual(
        {
          processed: r.processed,
          succeeded: r.succeeded,
          alreadyRevoked: r.alreadyRevoked,
          notFound: r.notFound,
          failed: r.failed,
        },
        { processed: 7, succeeded: 1, alreadyRevoked: 2, notFound: 4, failed: 0 },
        JSON.stringify(r),
      );
      assert.equal(op.metadata.notFound, 4);
      // The refused attempts never arrived: one Revoke each reached the emulators.
      assert.equal(revokesOf('rt-never-issued-front').length, 1);
      assert.equal(revokesOf('rt-bulk-lost').length, 2);
      assert.equal(acceptedRevokes() - authleteBefore, 2);
      assert.ok(yandex.tokens().find((t) => t.id === 'rt-bulk-lost')?.revokedAt);
    } finally {
      yandex.setFaultPolicy(undefined);
      await yandexFront.accept();
      await authleteFront.accept();
    }
  });

  const liveAuthleteTargets = (n: number) => {
    const clientId = DEFAULT_CLIENTS[0]?.clientId ?? 0;
    return Array.from({ length: n }, () => authlete.addToken({ serviceId: DEFAULT_SERVICE_ID, clientId }));
  };
  const authleteRequests = (tokens: Array<{ accessTokenHash: string }>) =>
    tokens.map((t) => ({
      provider: 'authlete' as const,
      serviceId: DEFAULT_SERVICE_ID,
      accessTokenIdentifier: t.accessTokenHash,
    }));

  /** Waits until the job shows the slow target handed over and every other target counted. */
  async function handedOver(id: string, others: number) {
    const until = Date.now() + 30_000;
    for (;;) {
      const op = await bulkOperation(stack, id);
      if (op.metadata.pending === 1 && op.metadata.pages === 1 && op.metadata.processed === others) return op;
      assert.ok(!op.done && Date.now() < until, `not handed over: ${JSON.stringify(op.metadata)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  void it('a Yandex operation that never finishes: the page completes without it, the target fails at its deadline', async () => {
    const others = liveAuthleteTargets(3);
    yandex.configure({ pollsUntilDone: 1_000_000 });
    const started = Date.now();
    let id: string;
    try {
      id = await startBulk(stack, {
        name: 'slow-never',
        concurrency: 2,
        targetDeadline: '9s',
        source: {
          kind: 'inline',
          requests: [
            { provider: 'yandex-cloud', connection: 'direct', refreshTokenId: 'rt-slow-never' },
            ...authleteRequests(others),
          ],
        },
      });
      await handedOver(id, 3);
    } finally {
      yandex.configure({ pollsUntilDone: 0 });
    }
    const handedOverAfter = Date.now() - started;
    assert.ok(handedOverAfter < 9000, `handed over after ${handedOverAfter} ms`);
    for (const t of others)
      assert.ok(!authlete.tokens(DEFAULT_SERVICE_ID).some((x) => x.accessToken === t.accessToken));

    const op = await waitBulk(stack, id, 60_000);
    const r = op.response;
    assert.ok(r, JSON.stringify(op.error));
    assert.deepEqual([r.processed, r.succeeded, r.failed], [4, 3, 1], JSON.stringify(r));
    assert.equal(r.failures[0]?.error.code, Code.DEADLINE_EXCEEDED);
    const message = r.failures[0]?.error.message ?? '';
    assert.match(
      message,
      /provider operation \S+ not done by the target deadline; cancelled at the provider/,
    );
    // Like revokeTokens at its deadline, the job asked the provider to cancel the operation.
    const operationId = /provider operation (\S+) /.exec(message)?.[1] ?? '';
    assert.equal(yandex.operation(operationId)?.cancelled, true);
    assert.equal(r.failures[0]?.position, 0);
    assert.equal(op.metadata.pending, undefined);
    const history = await fetchHistory(stack.temporal, id);
    const types = (history.events ?? []).map(
      (e) =>
        e.activityTaskScheduledEventAttributes?.activityType?.name ??
        (e.timerStartedEventAttributes ? 'timer' : ''),
    );
    assert.ok(types.includes('bulkPollPending'), 'the workflow polled the operation');
    assert.ok(types.includes('timer'), 'on durable timers');
    assert.ok(!yandex.tokens().find((t) => t.id === 'rt-slow-never')?.revokedAt);
  });

  void it('a Yandex operation that outlives the page ends through the durable follow-up', async () => {
    const others = liveAuthleteTargets(2);
    yandex.configure({ operationDelayMs: 7000 });
    let id: string;
    try {
      id = await startBulk(stack, {
        name: 'slow-late',
        concurrency: 3,
        source: {
          kind: 'inline',
          requests: [
            { provider: 'yandex-cloud', connection: 'direct', refreshTokenId: 'rt-slow-late' },
            ...authleteRequests(others),
          ],
        },
      });
      await handedOver(id, 2);
    } finally {
      yandex.configure({ operationDelayMs: 0 });
    }
    const op = await waitBulk(stack, id, 60_000);
    const r = op.response;
    assert.ok(r, JSON.stringify(op.error));
    assert.deepEqual([r.processed, r.succeeded, r.failed], [3, 3, 0], JSON.stringify(r));
    assert.ok(yandex.tokens().find((t) => t.id === 'rt-slow-late')?.revokedAt);
    recordHistory('bulk-target-hand-over', await fetchHistory(stack.temporal, id));
  });

  void it('the follow-up of a long-pending operation continues as new and carries it to the next run', async () => {
    yandex.configure({ pollsUntilDone: 1_000_000 });
    let id: string;
    try {
      id = await startBulk(stack, {
        name: 'slow-runs',
        targetDeadline: '40s',
        source: {
          kind: 'inline',
          requests: [{ provider: 'yandex-cloud', connection: 'direct', refreshTokenId: 'rt-slow-runs' }],
        },
      });
      await handedOver(id, 0);
    } finally {
      yandex.configure({ pollsUntilDone: 0 });
    }
    const op = await waitBulk(stack, id, 90_000);
    const r = op.response;
    assert.ok(r, JSON.stringify(op.error));
    // The test server suggests continue-as-new at 60 events (test/helpers/temporal.ts).
    assert.ok(r.runs > 1, `continued as new (${r.runs} runs)`);
    assert.deepEqual([r.processed, r.failed], [1, 1], JSON.stringify(r));
    assert.equal(r.failures[0]?.error.code, Code.DEADLINE_EXCEEDED);
  });
});
