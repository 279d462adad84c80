import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Code } from '../api';
import { createTestStack, type TestStack } from './helpers/stack';
import { fastTiming, fetchHistory, recordHistory } from './helpers/history';

const subject = 'emulator-subject';
const seed = [
  {
    id: 'rt-a1',
    token: 'secret-token-a1-xxxxxxxx',
    subjectId: subject,
    clientId: 'client-a',
    clientInstanceInfo: 'laptop',
  },
  {
    id: 'rt-a2',
    token: 'secret-token-a2-xxxxxxxx',
    subjectId: subject,
    clientId: 'client-a',
    clientInstanceInfo: 'phone',
  },
  {
    id: 'rt-b1',
    token: 'secret-token-b1-xxxxxxxx',
    subjectId: subject,
    clientId: 'client-b',
    clientInstanceInfo: 'laptop',
  },
  {
    id: 'rt-o1',
    token: 'secret-token-o1-xxxxxxxx',
    subjectId: 'other-subject',
    clientId: 'client-a',
    clientInstanceInfo: 'laptop',
  },
];

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function setup(options: Parameters<typeof createTestStack>[0] = {}): Promise<TestStack> {
  stack = await createTestStack({
    iamTokens: { 'emulator-iam-token': subject, 'other-iam-token': 'other-subject' },
    tokens: seed,
    ...options,
  });
  await stack.startWorker();
  return stack;
}

const active = (s: TestStack) =>
  s.emulator
    .activeTokens()
    .map((t) => t.id)
    .sort();

void describe('revokeTokens at yandex-cloud: each revoke mode', () => {
  const cases: Array<{ name: string; request: Record<string, unknown>; revoked: string[] }> = [
    { name: 'by id', request: { refreshTokenId: 'rt-a1' }, revoked: ['rt-a1'] },
    { name: 'by token value', request: { refreshToken: 'secret-token-a2-xxxxxxxx' }, revoked: ['rt-a2'] },
    {
      name: 'by filter, one field',
      request: { revokeFilter: { clientId: 'client-a' } },
      revoked: ['rt-a1', 'rt-a2'],
    },
    {
      name: 'by filter, two fields',
      request: { revokeFilter: { clientId: 'client-a', clientInstanceInfo: 'laptop' } },
      revoked: ['rt-a1'],
    },
    {
      name: 'by filter, three fields',
      request: { revokeFilter: { clientId: 'client-b', clientInstanceInfo: 'laptop', subjectId: subject } },
      revoked: ['rt-b1'],
    },
    { name: 'none: every token of the caller', request: {}, revoked: ['rt-a1', 'rt-a2', 'rt-b1'] },
  ];
  for (const c of cases) {
    void it(c.name, async () => {
      const s = await setup({ pollsUntilDone: 1 });
      const started = await s.client.revoke(
        { provider: 'yandex-cloud', ...c.request },
        { timing: fastTiming },
      );
      assert.equal(started.done, false);
      const op = await s.client.wait(started.id, { timeout: 30_000 });
      assert.equal(op.done, true);
      assert.equal(op.error, undefined);
      assert.deepEqual([...(op.response?.refreshTokenIds ?? [])].sort(), c.revoked);
      assert.equal(op.response?.revokedCount, c.revoked.length);
      const all = ['rt-a1', 'rt-a2', 'rt-b1', 'rt-o1'];
      assert.deepEqual(
        active(s),
        all.filter((id) => !c.revoked.includes(id)),
      );
      assert.equal(s.emulator.callsOf('Revoke').length, 1);
      recordHistory(`revoke-${c.name.replace(/[^a-z0-9]+/gi, '-')}`, await fetchHistory(s.temporal, op.id));
    });
  }
});

void describe('revokeTokens at yandex-cloud: provider operations', () => {
  void it('polls a provider operation that needs N polls on a capped doubling schedule', async () => {
    const polls = 5;
    const s = await setup({ pollsUntilDone: polls });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-a1' },
      { timing: fastTiming },
    );
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.done, true);
    assert.deepEqual(op.response?.refreshTokenIds, ['rt-a1']);
    assert.equal(op.metadata.polls, polls);
    assert.equal(s.emulator.callsOf('Get').length, polls);
    // The waits between polls are durable timers: 100, 200, 400, 400, 400 ms (doubling, capped).
    const history = await fetchHistory(s.temporal, op.id);
    const timers = (history.events ?? [])
      .filter((e) => e.timerStartedEventAttributes)
      .map(
        (e) =>
          Number(e.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0) * 1000 +
          Math.round((e.timerStartedEventAttributes?.startToFireTimeout?.nanos ?? 0) / 1e6),
      );
    // The first timer is the operation deadline (1 h).
    assert.equal(timers[0], 3_600_000);
    assert.deepEqual(timers.slice(1), [100, 200, 400, 400, 400]);
    recordHistory('revoke-polls', history);
  });

  void it('ends failed with the provider code when the provider operation fails', async () => {
    const s = await setup({
      pollsUntilDone: 2,
      operationError: { code: Code.FAILED_PRECONDITION, message: 'token is locked' },
    });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-a1' },
      { timing: fastTiming },
    );
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.done, true);
    assert.equal(op.response, undefined);
    assert.equal(op.error?.code, Code.FAILED_PRECONDITION);
    assert.match(op.error?.message ?? '', /token is locked/);
    const handle = s.temporal.workflow.getHandle(started.id);
    assert.equal((await handle.describe()).status.name, 'FAILED');
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'FAILED_PRECONDITION');
      return true;
    });
    assert.deepEqual(active(s), ['rt-a1', 'rt-a2', 'rt-b1', 'rt-o1']);
    recordHistory('revoke-provider-error', await fetchHistory(s.temporal, op.id));
  });

  void it('fails at once on PERMISSION_DENIED with exactly one provider call', async () => {
    const s = await setup();
    s.emulator.injectFault({ method: 'Revoke', code: Code.PERMISSION_DENIED, message: 'not allowed' });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-a1' },
      { timing: fastTiming },
    );
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    assert.equal(s.emulator.callsOf('Revoke').length, 1);
    assert.equal(op.metadata.attempts, 1);
    const handle = s.temporal.workflow.getHandle(started.id);
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      // The failure chain: workflow failure → ApplicationFailure typed with the google.rpc code.
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'PERMISSION_DENIED');
      return true;
    });
    recordHistory('revoke-permission-denied', await fetchHistory(s.temporal, op.id));
  });

  void it('classifies the SDK ApiError form (failure after headers, no code field) by the code in its message', async () => {
    const s = await setup();
    s.emulator.injectFault({
      method: 'Revoke',
      code: Code.UNAVAILABLE,
      message: 'try later',
      afterHeaders: true,
    });
    s.emulator.injectFault({
      method: 'Revoke',
      code: Code.PERMISSION_DENIED,
      message: 'denied',
      afterHeaders: true,
    });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-a1' },
      { timing: fastTiming },
    );
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    // UNAVAILABLE was retried; PERMISSION_DENIED was final.
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    assert.match(op.error?.message ?? '', /denied/);
    assert.equal(s.emulator.callsOf('Revoke').length, 2);
  });

  void it('a Revoke whose reply was lost ends done when the retry finds the token gone; NOT_FOUND on the first call stays an error', async () => {
    const s = await setup();
    // The emulator revokes rt-a1, then fails the reply: the first attempt never learns it worked.
    s.emulator.injectFault({
      method: 'Revoke',
      code: Code.UNAVAILABLE,
      message: 'reset',
      afterHandling: true,
    });
    const lost = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-a1' },
      { timing: fastTiming },
    );
    const done = await s.client.wait(lost.id, { timeout: 30_000 });
    assert.equal(done.error, undefined, JSON.stringify(done.error));
    assert.equal(done.response?.notFoundOnRetry, true);
    assert.equal(done.response?.revokedCount, 0);
    assert.equal(s.emulator.callsOf('Revoke').length, 2);
    assert.ok(!active(s).includes('rt-a1'));

    const unknown = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-never-existed' },
      { timing: fastTiming },
    );
    const failed = await s.client.wait(unknown.id, { timeout: 30_000 });
    assert.equal(failed.error?.code, Code.NOT_FOUND);
    assert.equal(s.emulator.callsOf('Revoke').length, 3);
  });
});
