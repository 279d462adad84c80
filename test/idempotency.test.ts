import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { afterEach, describe, it } from 'node:test';
import {
  ApplicationFailure,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import {
  OPERATION_ID_PREFIX,
  RequestIdConflictError,
  SearchAttributes,
  UpdateNames,
  WorkflowTypes,
  type Operation,
  type RevokeTokensOperation,
  type RevokeTokensWorkflowInput,
} from '../api';
import { requestFingerprint, requestIdentity } from '../api/idempotency';
import { bulkJobId, startBulkJob } from '../client/bulk-jobs';
import { REQUEST_FINGERPRINT_MEMO } from '../client/idempotent-start';
import { RevocationClient } from '../client/revocation-client';
import { revokeSubject } from '../client/revoke-subject';
import { runCliCaptured, stackCliEnv } from './helpers/cli';
import { createTestStack, type TestStack } from './helpers/stack';

const fastTiming = { pollInitialInterval: '50ms', pollMaxInterval: '100ms', retryInitialInterval: '50ms' };
const secret = 'secret-idem-rt-2-xxxxxxxxxxxx';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** A stack whose Yandex operations stay running (never done within a test) unless `pollsUntilDone` says so. */
async function setup(options: { running?: boolean; worker?: boolean } = {}): Promise<TestStack> {
  stack = await createTestStack({
    iamTokens: { 'emulator-iam-token': 'aje-idem' },
    tokens: [
      { id: 'rt-1', token: 'secret-idem-rt-1-xxxxxxxxxxxx', subjectId: 'aje-idem', clientId: 'app' },
      { id: 'rt-2', token: secret, subjectId: 'aje-idem', clientId: 'app' },
    ],
    ...(options.running ? { pollsUntilDone: 1, operationDelayMs: 600_000 } : {}),
  });
  if (options.worker !== false) await stack.startWorker();
  return stack;
}

const key = () => `idem-${randomUUID()}`;

async function conflict(p: Promise<unknown>): Promise<RequestIdConflictError> {
  const err = await p.then(
    () => assert.fail('expected RequestIdConflictError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RequestIdConflictError, String(err));
  return err;
}

void describe('requestId (AIP-155) from the client library', () => {
  void it('same requestId and request: the same operation, running or done; a different request: ALREADY_EXISTS naming requestId', async () => {
    const s = await setup();
    const requestId = key();
    const rt1 = { provider: 'yandex-cloud', refreshTokenId: 'rt-1' } as const;
    const a = await s.client.revoke(rt1, { requestId, timing: fastTiming });
    // Descriptive fields are not the request: a retry from another process names itself differently.
    const b = await s.client.revoke(rt1, { requestId, timing: fastTiming, createdBy: 'retry-process' });
    assert.equal(b.id, a.id);

    const err = await conflict(
      s.client.revoke({ provider: 'yandex-cloud', refreshToken: secret }, { requestId, timing: fastTiming }),
    );
    assert.equal(err.code, 6);
    assert.equal(err.field, 'requestId');
    assert.equal(err.operationId, a.id);
    assert.match(err.message, /^requestId: already used for a different request/);
    assert.ok(!err.message.includes(secret) && !err.message.includes(requestId));

    const done = await s.client.wait(a.id, { timeout: 30_000 });
    assert.deepEqual(done.response?.refreshTokenIds, ['rt-1']);
    // Closed: the same request still returns it, a different one (here: other timing) is still refused.
    const again = await s.client.revoke(rt1, { requestId, timing: fastTiming });
    assert.equal(again.id, a.id);
    assert.equal(again.done, true);
    await conflict(s.client.revoke(rt1, { requestId, timing: { ...fastTiming, deadline: '2h' } }));
    assert.equal(s.emulator.callsOf('Revoke').length, 1, 'nothing else reached the provider');
    assert.deepEqual(
      s.emulator.activeTokens().map((t) => t.id),
      ['rt-2'],
    );
  });

  void it('the memo keeps a request-id-keyed fingerprint, never the request', async () => {
    const s = await setup({ worker: false });
    const requestId = key();
    const input: RevokeTokensWorkflowInput = { request: { provider: 'yandex-cloud', refreshToken: secret } };
    const op = await s.client.revoke(input.request, { requestId });
    const memo = (await s.temporal.workflow.getHandle(op.id).describe()).memo ?? {};
    const kept = memo[REQUEST_FINGERPRINT_MEMO];
    assert.match(String(kept), /^hmac-sha256:[0-9a-f]{32}$/);
    assert.ok(!JSON.stringify(memo).includes(secret));
    const identity = requestIdentity('revokeTokens', {
      request: { provider: 'yandex-cloud', connection: 'default', refreshToken: secret },
    });
    assert.ok(identity.includes(secret), 'the identity is the request itself, kept in memory only');
    assert.equal(kept, requestFingerprint(requestId, identity));
    assert.notEqual(kept, requestFingerprint(`${requestId}x`, identity), 'keyed by the request id');
  });

  void it('revokeSubject and bulk jobs: the same answer', async () => {
    const s = await setup({ running: true });
    const requestId = key();
    const one = { provider: 'yandex-cloud', refreshTokenId: 'rt-1' } as const;
    const two = { provider: 'yandex-cloud', refreshTokenId: 'rt-2' } as const;
    const subject = await revokeSubject(s.client, { subject: 'aje-idem', requests: [one] }, { requestId });
    const subjectAgain = await revokeSubject(
      s.client,
      { subject: 'aje-idem', requests: [one], description: 'again' },
      { requestId },
    );
    assert.equal(subjectAgain.id, subject.id);
    const e1 = await conflict(
      revokeSubject(s.client, { subject: 'aje-idem', requests: [two] }, { requestId }),
    );
    assert.equal(e1.operationId, subject.id);

    const job = { name: 'idem', source: { kind: 'inline' as const, requests: [one] } };
    const started = await startBulkJob(s.client, job, { requestId });
    assert.equal(started.id, bulkJobId(requestId));
    assert.equal((await startBulkJob(s.client, job, { requestId })).id, started.id);
    const e2 = await conflict(startBulkJob(s.client, { ...job, dryRun: true }, { requestId }));
    assert.equal(e2.operationId, started.id);
  });
});

void describe('requestId from a raw start (any SDK)', () => {
  /** update-with-start of confirmRequest, as docs/contract.md shows it for callers in any language. */
  function confirmWithStart(s: TestStack, workflowId: string, input: unknown): Promise<Operation> {
    return s.temporal.workflow.executeUpdateWithStart<
      (i: unknown) => Promise<Operation>,
      Operation,
      [unknown]
    >(UpdateNames.confirmRequest, {
      args: [input],
      startWorkflowOperation: new WithStartWorkflowOperation(WorkflowTypes.revokeTokens, {
        workflowId,
        taskQueue: s.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    });
  }

  void it('confirmRequest: the same input answers the Operation, a different one is rejected ALREADY_EXISTS naming requestId', async () => {
    const s = await setup({ running: true });
    const workflowId = `raw-${randomUUID()}`;
    const input = { request: { provider: 'yandex-cloud', refreshTokenId: 'rt-1' }, timing: fastTiming };
    const first = await confirmWithStart(s, workflowId, input);
    assert.equal(first.id, workflowId);
    assert.equal(first.done, false);
    const same = await confirmWithStart(s, workflowId, input);
    assert.equal(same.id, workflowId);

    const other = { request: { provider: 'yandex-cloud', refreshToken: secret }, timing: fastTiming };
    const err = await confirmWithStart(s, workflowId, other).then(
      () => assert.fail('expected a rejected update'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'ALREADY_EXISTS');
    assert.match(err.cause.message, /^requestId: already used for a different request/);
    assert.ok(!err.cause.message.includes(secret));
    assert.equal(s.emulator.callsOf('Revoke').length, 1, 'the second request reached no provider');

    // A plain start with the id of a running operation is refused by Temporal itself.
    await assert.rejects(
      s.temporal.workflow.start(WorkflowTypes.revokeTokens, {
        workflowId,
        taskQueue: s.taskQueue,
        args: [other],
      }),
      WorkflowExecutionAlreadyStartedError,
    );
  });

  void it('a raw caller reusing the id of a client-started operation gets the same answer', async () => {
    const s = await setup({ running: true });
    const requestId = key();
    const rt1 = { provider: 'yandex-cloud', refreshTokenId: 'rt-1' } as const;
    const op = await s.client.revoke(rt1, { requestId, timing: fastTiming, description: 'from the client' });
    assert.ok(op.id.startsWith(OPERATION_ID_PREFIX));
    // The client passed its parsed input; the same request sent raw (defaults left out) is the same.
    const same = await confirmWithStart(s, op.id, { request: rt1, timing: fastTiming });
    assert.equal(same.id, op.id);
    const err = await confirmWithStart(s, op.id, { request: { ...rt1, refreshTokenId: 'rt-2' } }).then(
      () => assert.fail('expected a rejected update'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'ALREADY_EXISTS');
    assert.match(err.cause.message, /requestId/);
  });
});

void describe('requestId from a raw start: revokeSubject and bulkRevocation', () => {
  void it('answer confirmRequest the same way', async () => {
    const s = await setup({ running: true });
    const one = { provider: 'yandex-cloud', refreshTokenId: 'rt-1' };
    const two = { provider: 'yandex-cloud', refreshTokenId: 'rt-2' };
    const cases: Array<[string, unknown, unknown]> = [
      [
        WorkflowTypes.revokeSubject,
        { subject: 'aje-idem', requests: [one] },
        { subject: 'aje-idem', requests: [two] },
      ],
      [
        WorkflowTypes.bulkRevocation,
        { name: 'raw', source: { kind: 'inline', requests: [one] } },
        { name: 'raw', source: { kind: 'inline', requests: [one] }, dryRun: true },
      ],
    ];
    for (const [type, input, other] of cases) {
      const workflowId = `raw-${randomUUID()}`;
      const send = (i: unknown) =>
        s.temporal.workflow.executeUpdateWithStart<(i: unknown) => Promise<Operation>, Operation, [unknown]>(
          UpdateNames.confirmRequest,
          {
            args: [i],
            startWorkflowOperation: new WithStartWorkflowOperation(type, {
              workflowId,
              taskQueue: s.taskQueue,
              args: [i],
              workflowIdConflictPolicy: 'USE_EXISTING',
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
            }),
          },
        );
      assert.equal((await send(input)).id, workflowId, type);
      assert.equal((await send({ ...(input as object), description: 'again' })).id, workflowId, type);
      const err = await send(other).then(
        () => assert.fail(`${type}: expected a rejected update`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure, type);
      assert.equal(err.cause.type, 'ALREADY_EXISTS', type);
      assert.match(err.cause.message, /^requestId: /, type);
    }
  });
});

void describe('requestId from a raw start, once the run closed', () => {
  void it('update-with-start with REJECT_DUPLICATE is refused by Temporal; nothing runs again', async () => {
    const s = await setup();
    const workflowId = `raw-${randomUUID()}`;
    const input = { request: { provider: 'yandex-cloud', refreshTokenId: 'rt-1' }, timing: fastTiming };
    const start = (i: unknown) =>
      s.temporal.workflow.executeUpdateWithStart(UpdateNames.confirmRequest, {
        args: [i],
        startWorkflowOperation: new WithStartWorkflowOperation(WorkflowTypes.revokeTokens, {
          workflowId,
          taskQueue: s.taskQueue,
          args: [i],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      });
    await start(input);
    await s.temporal.workflow.getHandle(workflowId).result();
    await assert.rejects(
      start({ ...input, request: { ...input.request, refreshTokenId: 'rt-2' } }),
      WorkflowExecutionAlreadyStartedError,
    );
    await assert.rejects(start(input), WorkflowExecutionAlreadyStartedError);
    assert.equal(s.emulator.callsOf('Revoke').length, 1);
  });
});

void describe('requestId from the CLI', () => {
  void it('the same --request-id for a different request exits 2 naming requestId; the same request returns the operation', async () => {
    const s = await setup();
    const env = stackCliEnv(s, { USER: 'idem-tester' });
    const requestId = key();
    const first = await runCliCaptured(
      ['yandex-cloud', '--refresh-token-id', 'rt-1', '--request-id', requestId, '--json'],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    const op = JSON.parse(first.stdout) as RevokeTokensOperation;
    const same = await runCliCaptured(
      ['yandex-cloud', '--refresh-token-id', 'rt-1', '--request-id', requestId, '--json'],
      env,
    );
    assert.equal(same.code, 0, same.stderr);
    assert.equal((JSON.parse(same.stdout) as RevokeTokensOperation).id, op.id);

    const other = await runCliCaptured(
      ['yandex-cloud', '--refresh-token-id', 'rt-2', '--request-id', requestId, '--json'],
      env,
    );
    assert.equal(other.code, 2, other.stderr);
    assert.equal(other.stdout, '');
    assert.match(
      other.stderr,
      /^error: ALREADY_EXISTS: --request-id \(requestId\): already used for a different request/,
    );
    assert.ok(other.stderr.includes(op.id));
  });
});

void describe('createdBy', () => {
  void it('defaults to the Temporal client identity; the client option and an explicit createdBy win', async () => {
    const s = await setup({ running: true });
    const rt1 = { provider: 'yandex-cloud', refreshTokenId: 'rt-1' } as const;
    const identity = s.temporal.options.identity;
    assert.equal(identity, `${process.pid}@${hostname()}`);
    const byDefault = await s.client.revoke(rt1);
    assert.equal(byDefault.createdBy, identity);
    const read = await s.client.get(byDefault.id);
    assert.equal(read.createdBy, identity);
    const d = await s.temporal.workflow.getHandle(byDefault.id).describe();
    assert.equal(d.typedSearchAttributes.get(SearchAttributes.createdBy), identity);

    const explicit = await s.client.revoke(rt1, { createdBy: 'hr-offboarding' });
    assert.equal((await s.client.get(explicit.id)).createdBy, 'hr-offboarding');

    const gateway = new RevocationClient(s.temporal, { taskQueue: s.taskQueue, createdBy: 'user:alice' });
    const viaGateway = await gateway.revoke(rt1);
    assert.equal((await s.client.get(viaGateway.id)).createdBy, 'user:alice');
    const subject = await revokeSubject(gateway, { subject: 'aje-idem', requests: [rt1] });
    assert.equal(subject.createdBy, 'user:alice');
    const job = await startBulkJob(gateway, { name: 'who', source: { kind: 'inline', requests: [rt1] } });
    assert.equal(job.createdBy, 'user:alice');
  });

  void it('the CLI defaults it to user@host; --created-by wins', async () => {
    const s = await setup({ running: true });
    const env = stackCliEnv(s, { USER: 'idem-tester' });
    const r = await runCliCaptured(['yandex-cloud', '--refresh-token-id', 'rt-1', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const op = JSON.parse(r.stdout) as RevokeTokensOperation;
    assert.equal(op.createdBy, `idem-tester@${hostname()}`);
    assert.equal((await s.client.get(op.id)).createdBy, `idem-tester@${hostname()}`);
    const subject = await runCliCaptured(
      ['subject', '--subject', 'aje-idem', '--yandex', 'default:aje-idem', '--json'],
      env,
    );
    assert.equal(subject.code, 0, subject.stderr);
    assert.equal((JSON.parse(subject.stdout) as Operation).createdBy, `idem-tester@${hostname()}`);
    const named = await runCliCaptured(
      ['yandex-cloud', '--refresh-token-id', 'rt-2', '--created-by', 'alice', '--json'],
      env,
    );
    assert.equal((JSON.parse(named.stdout) as RevokeTokensOperation).createdBy, 'alice');
  });
});
