import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Code, InvalidArgumentError, type RevokeTokensOperation } from '../api';
import { OperationWaitTimeoutError } from '../client/errors';
import { createTestStack, workerLogs, type TestStack } from './helpers/stack';
import { fastTiming, fetchHistory, historyBytes, recordHistory } from './helpers/history';

const subject = 'emulator-subject';
const secretToken = 'yc1.refresh.9f8e7d6c5b4a-PLAINTEXT-SECRET-0123456789';
const seed = [
  { id: 'rt-1', token: secretToken, subjectId: subject, clientId: 'client-a', clientInstanceInfo: 'laptop' },
  { id: 'rt-2', token: 'yc1.refresh.other-token-value-abcdef', subjectId: subject, clientId: 'client-b' },
];

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function setup(options: Parameters<typeof createTestStack>[0] = {}): Promise<TestStack> {
  stack = await createTestStack({ tokens: seed, ...options });
  await stack.startWorker();
  return stack;
}

void describe('transient failures', () => {
  void it('retries UNAVAILABLE twice, shows the failure while retrying, then succeeds', async () => {
    const s = await setup();
    s.emulator.injectFault({
      method: 'Revoke',
      code: Code.UNAVAILABLE,
      message: 'backend overloaded',
      times: 2,
    });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: { ...fastTiming, retryInitialInterval: '1s' } },
    );
    const handle = s.temporal.workflow.getHandle(started.id);
    const seen: RevokeTokensOperation[] = [];
    for (;;) {
      const op = await handle.query<RevokeTokensOperation>('getOperation');
      seen.push(op);
      if (op.done) break;
      await delay(100);
    }
    const retrying = seen.filter((op) => !op.done && op.error);
    assert.ok(retrying.length > 0, 'getOperation showed a pending retry with error set');
    assert.equal(retrying[0]?.error?.code, Code.UNAVAILABLE);
    assert.match(retrying[0]?.error?.message ?? '', /backend overloaded/);
    const final = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(final.done, true);
    assert.equal(final.error, undefined, 'the transient error is cleared once the call succeeds');
    assert.deepEqual(final.response?.refreshTokenIds, ['rt-1']);
    assert.equal(s.emulator.callsOf('Revoke').length, 3);
    // Three Revoke attempts and the verification's List (a provider call too).
    assert.equal(final.metadata.attempts, 4);
    assert.equal(final.response?.verification?.state, 'VERIFIED');
    recordHistory('revoke-transient-retries', await fetchHistory(s.temporal, started.id));
  });
});

void describe('cancellation', () => {
  void it('cancelling while polling asks the provider to cancel and ends CANCELLED', async () => {
    const s = await setup({ pollsUntilDone: 10_000 });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: fastTiming },
    );
    while (s.emulator.callsOf('Get').length < 2) await delay(50);
    await s.client.cancel(started.id);
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.done, true);
    assert.equal(op.error?.code, Code.CANCELLED);
    // The closed run still answers with the Operation it kept: it knows the provider operation it cancelled.
    const kept = await s.temporal.workflow.getHandle(started.id).query<RevokeTokensOperation>('getOperation');
    assert.equal(kept.error?.code, Code.CANCELLED);
    assert.ok(kept.metadata.providerOperationId);
    // The emulator counts a Get on arrival, the workflow on completion; Get 2 follows a completed Get 1.
    assert.ok(kept.metadata.polls >= 1);
    assert.equal(s.emulator.callsOf('Cancel').length, 1);
    const providerOp = s.emulator.operation(
      s.emulator.callsOf('Cancel')[0]?.request
        ? (s.emulator.callsOf('Cancel')[0]?.request as { operationId: string }).operationId
        : '',
    );
    assert.equal(providerOp?.cancelled, true);
    assert.equal((await s.temporal.workflow.getHandle(started.id).describe()).status.name, 'CANCELLED');
    assert.deepEqual(
      s.emulator
        .activeTokens()
        .map((t) => t.id)
        .sort(),
      ['rt-1', 'rt-2'],
    );
    recordHistory('revoke-cancelled', await fetchHistory(s.temporal, started.id));
  });

  void it('a deadline that passes while polling ends DEADLINE_EXCEEDED and cancels at the provider', async () => {
    const s = await setup({ pollsUntilDone: 10_000 });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: { ...fastTiming, deadline: '1500ms' } },
    );
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error?.code, Code.DEADLINE_EXCEEDED);
    assert.equal(s.emulator.callsOf('Cancel').length, 1);
    assert.equal((await s.temporal.workflow.getHandle(started.id).describe()).status.name, 'FAILED');
  });
});

void describe('invalid requests', () => {
  const invalid: Array<{ name: string; request: Record<string, unknown>; field: RegExp }> = [
    {
      name: 'two ids set',
      request: { provider: 'yandex-cloud', refreshTokenId: 'rt-1', refreshToken: 'x'.repeat(20) },
      field: /request\.refreshToken: only one of/,
    },
    {
      name: 'unknown provider',
      request: { provider: 'nope', token: 'x' },
      field: /request\.provider: unknown or missing provider/,
    },
    {
      name: 'empty string',
      request: { provider: 'yandex-cloud', refreshTokenId: '' },
      field: /request\.refreshTokenId: must not be empty/,
    },
    {
      name: 'oversize field',
      request: { provider: 'yandex-cloud', revokeFilter: { clientId: 'c'.repeat(51) } },
      field: /request\.revokeFilter\.clientId: must be at most 50 characters/,
    },
    {
      name: 'unknown field',
      request: { provider: 'yandex-cloud', refreshTokenID: 'rt-1' },
      field: /request: unknown field\(s\) refreshTokenID/,
    },
    {
      name: 'wrong type',
      request: { provider: 'yandex-cloud', refreshTokenId: 42 },
      field: /request\.refreshTokenId: expected string/,
    },
  ];

  for (const c of invalid) {
    void it(`${c.name}: rejected by the client naming the field, and INVALID_ARGUMENT when started raw`, async () => {
      const s = await setup();
      await assert.rejects(s.client.revoke(c.request as never), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, c.field);
        return true;
      });
      const id = `raw-invalid-${Math.random().toString(36).slice(2)}`;
      const handle = await s.temporal.workflow.start('revokeTokens', {
        taskQueue: s.taskQueue,
        workflowId: id,
        args: [{ request: c.request }],
      });
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.ok(err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, 'INVALID_ARGUMENT');
        assert.match(err.cause.message, c.field);
        return true;
      });
      const op = await s.client.get(id);
      assert.equal(op.done, true);
      assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
      assert.equal(s.emulator.calls.length, 0, 'no provider call');
      if (c.name === 'two ids set') recordHistory('revoke-invalid', await fetchHistory(s.temporal, id));
    });
  }

  void it('a description that quotes the token is refused', async () => {
    const s = await setup();
    await assert.rejects(
      s.client.revoke(
        { provider: 'yandex-cloud', refreshToken: secretToken },
        { description: `revoke ${secretToken}` },
      ),
      /description: must not contain the token being revoked/,
    );
  });
});

void describe('wait and get', () => {
  void it('wait with a short timeout on a slow operation rejects with an Error', async () => {
    const s = await setup({ pollsUntilDone: 10_000 });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: fastTiming },
    );
    await assert.rejects(s.client.wait(started.id, { timeout: 300 }), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.ok(err instanceof OperationWaitTimeoutError);
      assert.equal(err.operationId, started.id);
      return true;
    });
    const op = await s.client.get(started.id);
    assert.equal(op.done, false);
    assert.ok(['REVOKING', 'POLLING'].includes(op.metadata.phase), op.metadata.phase);
    await s.client.cancel(started.id);
  });

  void it('get answers for closed operations with the worker stopped, and for running ones', async () => {
    const s = await setup({ pollsUntilDone: 1 });
    const ok = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: fastTiming },
    );
    await s.client.wait(ok.id, { timeout: 30_000 });
    s.emulator.injectFault({ method: 'Revoke', code: Code.NOT_FOUND, message: 'no such token' });
    const failed = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-9' },
      { timing: fastTiming },
    );
    await s.client.wait(failed.id, { timeout: 30_000 });
    await s.stopWorker();

    const done = await s.client.get(ok.id);
    assert.equal(done.done, true);
    assert.deepEqual(done.response?.refreshTokenIds, ['rt-1']);
    const err = await s.client.get(failed.id);
    assert.equal(err.done, true);
    assert.equal(err.error?.code, Code.NOT_FOUND);
    assert.equal(err.metadata.provider, 'yandex-cloud');

    // A running operation with no worker: answered from the server's record, not done.
    const pending = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-2' },
      { description: 'pending' },
    );
    const got = await s.client.get(pending.id);
    assert.equal(got.done, false);
    assert.equal(got.description, 'pending');
  });

  void it('a repeated revoke with the same requestId returns the same operation', async () => {
    const s = await setup({ pollsUntilDone: 1 });
    const a = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { requestId: 'req-42', timing: fastTiming },
    );
    const b = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { requestId: 'req-42', timing: fastTiming },
    );
    assert.equal(a.id, b.id);
    await s.client.wait(a.id, { timeout: 30_000 });
    const c = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { requestId: 'req-42', timing: fastTiming },
    );
    assert.equal(c.id, a.id);
    assert.equal(c.done, true);
    assert.equal(s.emulator.callsOf('Revoke').length, 1);
    assert.ok(!a.id.includes('req-42'), 'the id is a fingerprint of the request id');
  });
});

void describe('secrets', () => {
  void it('the plaintext refresh token appears nowhere in the workflow history', async () => {
    const s = await setup({ pollsUntilDone: 2 });
    // A provider that echoes the token in its error text: the engine must scrub it.
    s.emulator.injectFault({
      method: 'Revoke',
      code: Code.UNAVAILABLE,
      message: `cannot revoke ${secretToken} now`,
    });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshToken: secretToken },
      { timing: fastTiming, createdBy: 'secops@example.com' },
    );
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.deepEqual(op.response?.refreshTokenIds, ['rt-1']);
    const bytes = historyBytes(await fetchHistory(s.temporal, started.id));
    // The search works on these bytes: unencrypted search attributes are found in them.
    assert.ok(bytes.includes(Buffer.from('secops@example.com')));
    assert.equal(bytes.includes(Buffer.from(secretToken)), false);
    assert.equal(bytes.includes(Buffer.from(secretToken.slice(8, 40))), false);
    assert.equal(bytes.includes(Buffer.from(Buffer.from(secretToken).toString('base64'))), false);
    assert.equal(JSON.stringify(op).includes(secretToken), false);
    // The worker logged the failed attempt (the check can see it), without the token.
    assert.ok(workerLogs.some((l) => l.includes('cannot revoke')));
    assert.equal(workerLogs.filter((l) => l.includes(secretToken)).length, 0);
    recordHistory('revoke-by-token-scrubbed', await fetchHistory(s.temporal, started.id));
  });
});
