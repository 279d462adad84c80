import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Code, type RevokeTokensOperation } from '../api';
import { revokeSubject } from '../client/revoke-subject';
import { formatOperation } from '../cli/format';
import type { YandexEmulator } from '../emulators/yandex-cloud';
import { startBulk, waitBulk } from './helpers/bulk';
import { fastTiming, fetchHistory, recordHistory } from './helpers/history';
import { createTestStack, type TestStack } from './helpers/stack';

const subject = 'emulator-subject';
const seed = [
  { id: 'rt-1', subjectId: subject, clientId: 'client-a' },
  { id: 'rt-2', subjectId: subject, clientId: 'client-b' },
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

/** Until the workflow has asked the server to cancel its activity (the cancel reached the workflow). */
async function untilActivityCancelRequested(handle: WorkflowHandle): Promise<void> {
  const wanted = temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED;
  for (;;) {
    const { events } = await handle.fetchHistory();
    if (events?.some((e) => e.eventType === wanted)) return;
    await delay(50);
  }
}

async function untilProviderDone(emulator: YandexEmulator, id: string): Promise<void> {
  while (!emulator.operation(id)?.done) await delay(50);
}

const cancelledOperationIds = (emulator: YandexEmulator): string[] =>
  emulator.callsOf('Cancel').map((c) => (c.request as { operationId: string }).operationId);

async function executionStatus(s: TestStack, id: string): Promise<string> {
  return (await s.temporal.workflow.getHandle(id).describe()).status.name;
}

void describe('a cancel that arrives while Revoke is in flight', () => {
  void it('is forwarded to the provider operation Revoke returned, which ends cancelled', async () => {
    const s = await setup({ pollsUntilDone: 10_000 });
    const hold = s.emulator.hold('Revoke');
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: fastTiming },
    );
    const reply = (await hold.arrived) as { id: string };
    const handle = s.temporal.workflow.getHandle(started.id);
    await s.client.cancel(started.id);
    await untilActivityCancelRequested(handle);
    hold.release();
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    recordHistory('revoke-cancel-in-flight', await fetchHistory(s.temporal, started.id));

    assert.deepEqual(cancelledOperationIds(s.emulator), [reply.id], 'Cancel names the id Revoke returned');
    assert.equal(s.emulator.operation(reply.id)?.cancelled, true);
    assert.equal(op.done, true);
    assert.equal(op.error?.code, Code.CANCELLED);
    assert.equal(op.response, undefined);
    assert.equal(op.metadata.providerOperationId, reply.id);
    assert.equal(await executionStatus(s, started.id), 'CANCELLED');
    assert.ok(
      s.emulator.activeTokens().some((t) => t.id === 'rt-1'),
      'the provider stopped before revoking',
    );
  });

  void it('ends with the response, marked too late, when the provider finished before the cancel', async () => {
    const s = await setup({ operationDelayMs: 300 });
    const hold = s.emulator.hold('Revoke');
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: fastTiming },
    );
    const reply = (await hold.arrived) as { id: string; done: boolean };
    assert.equal(reply.done, false, 'Revoke answers with a running operation');
    await s.client.cancel(started.id);
    await untilActivityCancelRequested(s.temporal.workflow.getHandle(started.id));
    await untilProviderDone(s.emulator, reply.id);
    hold.release();
    const op = await s.client.wait(started.id, { timeout: 30_000 });

    assert.deepEqual(cancelledOperationIds(s.emulator), [reply.id]);
    assert.equal(s.emulator.operation(reply.id)?.cancelled, false);
    assertTooLate(op, reply.id);
    assert.equal(await executionStatus(s, started.id), 'COMPLETED');
    assert.ok(!s.emulator.activeTokens().some((t) => t.id === 'rt-1'), 'revoked');
  });
});

void describe('a cancel that arrives while a failing Revoke is in flight', () => {
  void it('ends cancelled, not with the failure of the attempt the cancel stopped retrying', async () => {
    const s = await setup();
    s.emulator.injectFault({ method: 'Revoke', code: Code.UNAVAILABLE, delayMs: 1500, times: 100 });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: fastTiming },
    );
    while (s.emulator.callsOf('Revoke').length < 1) await delay(20);
    await s.client.cancel(started.id);
    const op = await s.client.wait(started.id, { timeout: 30_000 });

    assert.equal(op.error?.code, Code.CANCELLED);
    assert.equal(await executionStatus(s, started.id), 'CANCELLED');
    assert.equal(s.emulator.callsOf('Revoke').length, 1, 'the cancel stopped the retries');
    assert.equal(s.emulator.callsOf('Cancel').length, 0, 'no provider operation to cancel');
  });
});

function assertTooLate(op: RevokeTokensOperation, providerOperationId: string): void {
  assert.equal(op.done, true);
  assert.equal(op.error, undefined, 'the result is what happened: a revocation');
  assert.deepEqual(op.response?.refreshTokenIds, ['rt-1']);
  assert.equal(op.response?.revokedCount, 1);
  assert.equal(op.response?.providerOperationId, providerOperationId);
  assert.equal(op.response?.cancelTooLate, true);
  assert.equal(op.metadata.cancelTooLate, true);
  // Verified outside the cancelled scope: the revocation the response reports was checked.
  assert.equal(op.response?.verification?.state, 'VERIFIED');
  assert.match(formatOperation(op), /^cancel +too late: the provider had finished/m);
}

void describe('a cancel that reaches a provider operation already done', () => {
  void it('ends with the provider response and says the cancel came too late', async () => {
    // The operation finishes on the provider's side while the workflow sleeps before its first poll.
    const s = await setup({ operationDelayMs: 300 });
    const started = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: { ...fastTiming, pollInitialInterval: '1m' } },
    );
    while (s.emulator.callsOf('Revoke').length < 1) await delay(20);
    const handle = s.temporal.workflow.getHandle(started.id);
    let running: RevokeTokensOperation;
    do {
      await delay(50);
      running = await handle.query<RevokeTokensOperation>('getOperation');
    } while (running.metadata.phase !== 'POLLING');
    const providerId = running.metadata.providerOperationId ?? '';
    await untilProviderDone(s.emulator, providerId);
    await s.client.cancel(started.id);
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    recordHistory('revoke-cancel-too-late', await fetchHistory(s.temporal, started.id));

    assert.deepEqual(cancelledOperationIds(s.emulator), [providerId]);
    assertTooLate(op, providerId);
    assert.equal(op.metadata.polls, 0, 'no poll: Cancel answered with the done operation');
    assert.equal(await executionStatus(s, started.id), 'COMPLETED');
  });
});

void describe('one terminal rule for a cancel (docs/contract.md)', () => {
  void it('revokeTokens, revokeSubject and bulkRevocation all end cancelled with error CANCELLED', async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      id: `bulk-${i}`,
      subjectId: subject,
      clientId: 'c',
    }));
    const s = await setup({ tokens: [...seed, ...many] });

    s.emulator.configure({ pollsUntilDone: 10_000 });
    const single = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: fastTiming },
    );
    const subjectOp = await revokeSubject(s.client, {
      subject,
      targets: [{ provider: 'yandex-cloud', subjectId: subject }],
      timing: fastTiming,
    });
    while (s.emulator.callsOf('Get').length < 2) await delay(50);
    s.emulator.configure({ pollsUntilDone: 0 });
    const bulk = await startBulk(s, {
      name: 'cancel-rule',
      source: {
        kind: 'inline',
        requests: many.map((t) => ({ provider: 'yandex-cloud', refreshTokenId: t.id })),
      },
      pageSize: 10,
      concurrency: 1,
      ratePerSecond: 20,
    });
    const bulkRevokes = () =>
      s.emulator
        .callsOf('Revoke')
        .filter((c) => (c.request as { refreshTokenId?: string }).refreshTokenId?.startsWith('bulk-')).length;
    while (bulkRevokes() < 12) await delay(20);

    for (const id of [single.id, subjectOp.id, bulk]) await s.client.cancel(id);
    const ended = await Promise.all(
      [single.id, subjectOp.id, bulk].map(async (id) => {
        const failure = await s.temporal.workflow
          .getHandle(id)
          .result()
          .then(
            () => undefined,
            (err: unknown) => err,
          );
        const op = id === bulk ? await waitBulk(s, id, 30_000) : await s.client.wait(id, { timeout: 30_000 });
        return { id, failure, op, status: await executionStatus(s, id) };
      }),
    );
    const bulkEnd = ended[2];
    if (bulkEnd) recordHistory('bulk-cancelled', await fetchHistory(s.temporal, bulkEnd.id));

    for (const { id, failure, op, status } of ended) {
      assert.equal(status, 'CANCELLED', `${id}: a cancelled execution`);
      assert.ok(failure instanceof WorkflowFailedError, id);
      assert.ok(
        failure.cause instanceof CancelledFailure,
        `${id}: the result rejects with a CancelledFailure`,
      );
      assert.equal(op.done, true, id);
      assert.equal(op.error?.code, Code.CANCELLED, `${id}: its Operation ends with error CANCELLED`);
      assert.equal(op.response, undefined, id);
    }
    // The rule these ends follow, as the contract page states it.
    const contract = readFileSync(join(__dirname, '..', 'docs', 'contract.md'), 'utf8');
    assert.match(
      contract,
      /One rule for every\s+workflow type \(`revokeTokens`, `revokeSubject`, `bulkRevocation`\)/,
    );
    assert.match(contract, /\*\*Stopped\*\*: the execution ends \*\*cancelled\*\*/);
    assert.match(contract, /done with `error.code` 1 \(`CANCELLED`\)/);
    const report = bulkEnd?.op.error?.details[0] as unknown as { cancelled: boolean; processed: number };
    assert.equal(report.cancelled, true, 'the cancelled job keeps its report in the error');
    assert.ok(report.processed >= 10 && report.processed < 60);
  });
});
