import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Code } from '../api';
import { createTestStack, type TestStack } from './helpers/stack';
import { fastTiming } from './helpers/history';

/**
 * Revoking another subject's tokens (RevokeFilter.subjectId) through revokeTokens: refused with
 * Yandex's PERMISSION_DENIED and its google.rpc details while the connection's subject has no
 * binding on that subject, done once it has one.
 */
void describe('revokeTokens at yandex-cloud: another subject’s tokens', () => {
  let s: TestStack;
  before(async () => {
    s = await createTestStack({
      iamTokens: { 'iam-helpdesk': 'helpdesk' },
      tokens: [
        { id: 'rt-e1', subjectId: 'aje123', clientId: 'yc.oauth.public-sdk', clientInstanceInfo: 'laptop' },
        { id: 'rt-e2', subjectId: 'aje123', clientId: 'yc.oauth.public-sdk', clientInstanceInfo: 'phone' },
        { id: 'rt-e3', subjectId: 'aje123', clientId: 'other-app', clientInstanceInfo: 'laptop' },
      ],
    });
    await s.startWorker();
  });
  after(() => s.close());

  const request = {
    provider: 'yandex-cloud',
    revokeFilter: { subjectId: 'aje123', clientId: 'yc.oauth.public-sdk' },
  } as const;
  const active = () =>
    s.emulator
      .activeTokens()
      .map((t) => t.id)
      .sort();

  void it('a connection without an admin binding gets PERMISSION_DENIED with the provider’s message and details', async () => {
    const started = await s.client.revoke(request, { timing: fastTiming, createdBy: 'hr-offboarding' });
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.done, true);
    assert.equal(op.response, undefined);
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    assert.equal(op.error?.message, 'Yandex Cloud RefreshTokenService.Revoke: Permission denied');

    const [call] = s.emulator.callsOf('Revoke');
    assert.equal(s.emulator.callsOf('Revoke').length, 1, 'a permanent refusal is not retried');
    assert.equal(call?.failedWith, Code.PERMISSION_DENIED);
    assert.match(call?.requestId ?? '', /^[0-9a-f-]{36}$/);
    // The engine's ErrorInfo first, then Yandex's own details from grpc-status-details-bin.
    assert.deepEqual(op.error?.details, [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'PERMISSION_DENIED',
        domain: 'yandex-cloud',
        metadata: { connection: 'default' },
      },
      { '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: call?.requestId },
    ]);

    // The failed execution carries the same Status as its ApplicationFailure's first detail.
    await assert.rejects(s.temporal.workflow.getHandle(started.id).result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'PERMISSION_DENIED');
      return true;
    });
    assert.deepEqual(active(), ['rt-e1', 'rt-e2', 'rt-e3']);
  });

  void it('keeps the details when Yandex fails after sending headers too (the SDK’s ApiError)', async () => {
    s.emulator.injectFault({
      method: 'Revoke',
      code: Code.PERMISSION_DENIED,
      message: 'Permission denied',
      afterHeaders: true,
    });
    const started = await s.client.revoke(request, { timing: fastTiming });
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    const call = s.emulator.callsOf('Revoke').at(-1);
    assert.deepEqual(op.error.details[1], {
      '@type': 'type.googleapis.com/google.rpc.RequestInfo',
      requestId: call?.requestId,
    });
  });

  void it('with an admin binding on the subject, the same request revokes its matching tokens', async () => {
    s.emulator.addAccessBinding({ subjectId: 'helpdesk', roleId: 'admin', resourceId: 'aje123' });
    const started = await s.client.revoke(request, { timing: fastTiming, createdBy: 'hr-offboarding' });
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error, undefined, JSON.stringify(op.error));
    assert.deepEqual([...(op.response?.refreshTokenIds ?? [])].sort(), ['rt-e1', 'rt-e2']);
    assert.equal(op.metadata.subjectId, 'aje123');
    assert.equal(op.createdBy, 'hr-offboarding');
    assert.deepEqual(active(), ['rt-e3']);
  });
});
