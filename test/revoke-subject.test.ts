import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { Command } from 'commander';
import { Code, InvalidArgumentError, QueryNames, SearchAttributes, TypeUrl, type Operation } from '../api';
import {
  RevokeSubjectTypeUrl,
  type RevokeSubjectOperation,
  type RevokeSubjectResponse,
  type RevokeSubjectWorkflowInput,
} from '../api/revoke-subject-input';
import { CliContext } from '../cli/context';
import { exitCodeOf } from '../cli/exit-codes';
import { addRevokeSubjectCommand } from '../cli/revoke-subject-command';
import {
  getRevokeSubject,
  revokeSubject,
  revokeSubjectId,
  waitRevokeSubject,
} from '../client/revoke-subject';
import {
  AUTHLETE_CLIENT,
  AUTHLETE_SERVICE,
  AUTHLETE_TOKEN,
  createRevokeSubjectStack,
  YANDEX_SECOND_SUBJECT,
  YANDEX_SUBJECT,
  type RevokeSubjectStack,
} from './fixtures/revoke-subject-stack';
import { fastTiming, fetchHistory, historyBytes, recordHistory } from './helpers/history';
import { workerLogs } from './helpers/stack';
import { stackCliEnv } from './helpers/cli';
import { AesGcmPayloadCodec } from '../common/payload-codec';

let stack: RevokeSubjectStack;
/** Every token value and credential used; none may leak into ids, attributes, logs or histories. */
const secretsUsed = new Set<string>([AUTHLETE_TOKEN, 'iam-token-default', 'iam-token-second']);

before(async () => {
  stack = await createRevokeSubjectStack();
});

after(async () => {
  await stack?.close();
});

/** Fresh tokens of a subject at each connection, so tests never see each other's. */
function seedYandex(which: 'default' | 'second', n: number): string[] {
  const emu = which === 'default' ? stack.yandex : stack.yandexSecond;
  const subjectId = which === 'default' ? YANDEX_SUBJECT : YANDEX_SECOND_SUBJECT;
  return Array.from({ length: n }, () => {
    const t = emu.addToken({ subjectId, clientId: 'yc.oauth.app' });
    secretsUsed.add(t.token);
    return t.id;
  });
}

function seedAuthlete(subject: string, n: number): string[] {
  return Array.from({ length: n }, () => {
    const t = stack.authlete.addToken({ serviceId: AUTHLETE_SERVICE, clientId: AUTHLETE_CLIENT, subject });
    secretsUsed.add(t.accessToken);
    if (t.refreshToken) secretsUsed.add(t.refreshToken);
    return t.accessToken;
  });
}

const activeYandex = (which: 'default' | 'second', ids: string[]) =>
  (which === 'default' ? stack.yandex : stack.yandexSecond)
    .activeTokens()
    .filter((t) => ids.includes(t.id))
    .map((t) => t.id);
const liveAuthlete = (subject: string) =>
  stack.authlete.tokens(AUTHLETE_SERVICE).filter((t) => t.subject === subject).length;

/** Parent histories of the scenarios, replayed at the end against the current workflow code. */
const recorded = new Map<string, Awaited<ReturnType<typeof fetchHistory>>>();
function record(name: string, history: Awaited<ReturnType<typeof fetchHistory>>): void {
  recorded.set(name, history);
  recordHistory(name, history);
}

const uniq = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

async function describeAll(ids: string[]): Promise<WorkflowExecutionDescription[]> {
  return Promise.all(ids.map((id) => stack.temporal.workflow.getHandle(id).describe()));
}

/** Children through visibility (eventually consistent): `ParentWorkflowId = '<id>'`. */
async function listedChildren(parentId: string, expected: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ids: string[] = [];
    for await (const w of stack.temporal.workflow.list({ query: `ParentWorkflowId = '${parentId}'` })) {
      ids.push(w.workflowId);
    }
    if (ids.length >= expected || Date.now() > deadline) return ids.sort();
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForStatus(id: string, status: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await stack.temporal.workflow.getHandle(id).describe();
    if (d.status.name === status || Date.now() > deadline) return d.status.name;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function queryOperation(id: string): Promise<RevokeSubjectOperation> {
  return stack.temporal.workflow.getHandle(id).query<RevokeSubjectOperation>(QueryNames.getOperation);
}

function assertNoSecrets(where: string, text: string): void {
  for (const secret of secretsUsed) {
    assert.ok(!text.includes(secret), `${where} contains a secret (${secret.slice(0, 4)}...)`);
  }
}

void describe('revokeSubject: across connections, as child operations', () => {
  void it('revokes a subject at three connections plus an explicit request; children visible; aggregate correct', async () => {
    const subject = uniq('alice');
    const yDefault = seedYandex('default', 2);
    const ySecond = seedYandex('second', 1);
    seedAuthlete(subject, 3);
    const bystander = uniq('bob');
    seedAuthlete(bystander, 2);
    const [explicitToken] = seedAuthlete(uniq('carol'), 1) as [string];
    const input: RevokeSubjectWorkflowInput = {
      subject,
      targets: [
        { provider: 'yandex-cloud', connection: 'default', subjectId: YANDEX_SUBJECT },
        { provider: 'yandex-cloud', connection: 'second', subjectId: YANDEX_SECOND_SUBJECT },
        { provider: 'authlete', connection: 'default', serviceId: AUTHLETE_SERVICE, subject },
      ],
      requests: [{ provider: 'authlete', serviceId: AUTHLETE_SERVICE, accessTokenIdentifier: explicitToken }],
      createdBy: 'incident-42',
      timing: fastTiming,
    };

    const started = await revokeSubject(stack.client, input);
    assert.equal(started.done, false);
    assert.match(started.id, /^revoke-subject-[0-9a-f-]{36}$/);
    assert.equal(started.metadata['@type'], RevokeSubjectTypeUrl.metadata);
    assert.equal(started.metadata.total, 4);
    const childIds = started.metadata.children.map((c) => c.id);
    assert.deepEqual(childIds, [
      `${started.id}/0-yandex-cloud`,
      `${started.id}/1-yandex-cloud`,
      `${started.id}/2-authlete`,
      `${started.id}/3-authlete`,
    ]);

    const op = await waitRevokeSubject(stack.client, started.id, { timeout: 30_000 });
    assert.equal(op.done, true);
    assert.equal(op.error, undefined);
    const r = op.response as RevokeSubjectResponse;
    assert.equal(r['@type'], RevokeSubjectTypeUrl.response);
    assert.deepEqual([r.subject, r.total, r.succeeded, r.failed], [subject, 4, 4, 0]);
    assert.deepEqual(
      r.children.map((c) => [c.id, c.provider, c.connection, c.outcome, c.response?.revokedCount]),
      [
        [childIds[0], 'yandex-cloud', 'default', 'SUCCEEDED', 2],
        [childIds[1], 'yandex-cloud', 'second', 'SUCCEEDED', 1],
        [childIds[2], 'authlete', 'default', 'SUCCEEDED', 3],
        [childIds[3], 'authlete', 'default', 'SUCCEEDED', 1],
      ],
    );
    assert.deepEqual([...(r.children[0]?.response?.refreshTokenIds ?? [])].sort(), [...yDefault].sort());
    const md = op.metadata;
    assert.deepEqual([md.total, md.succeeded, md.failed, md.running], [4, 4, 0, 0]);
    assert.ok(md.children.every((c) => c.state === 'SUCCEEDED'));

    // The emulators' stores changed: the subject's tokens are gone, the bystander's are not.
    assert.deepEqual(activeYandex('default', yDefault), []);
    assert.deepEqual(activeYandex('second', ySecond), []);
    assert.equal(liveAuthlete(subject), 0);
    assert.equal(liveAuthlete(bystander), 2);
    assert.ok(!stack.authlete.tokens(AUTHLETE_SERVICE).some((t) => t.accessToken === explicitToken));

    // Children are children: the server knows their parent, visibility lists them under it.
    const described = await describeAll(childIds);
    for (const d of described) {
      assert.equal(d.parentExecution?.workflowId, started.id);
      assert.equal(d.type, 'revokeTokens');
      assert.equal(d.status.name, 'COMPLETED');
      assert.equal(d.taskQueue, stack.taskQueue);
    }
    assert.deepEqual(await listedChildren(started.id, 4), [...childIds].sort());
    const [d0, , d2, d3] = described as [
      WorkflowExecutionDescription,
      WorkflowExecutionDescription,
      WorkflowExecutionDescription,
      WorkflowExecutionDescription,
    ];
    assert.equal(d0.typedSearchAttributes.get(SearchAttributes.provider), 'yandex-cloud');
    assert.equal(d0.typedSearchAttributes.get(SearchAttributes.connection), 'default');
    assert.equal(d0.typedSearchAttributes.get(SearchAttributes.subject), YANDEX_SUBJECT);
    assert.equal(d0.typedSearchAttributes.get(SearchAttributes.outcome), 'SUCCEEDED');
    assert.equal(d0.typedSearchAttributes.get(SearchAttributes.createdBy), 'incident-42');
    assert.equal(d2.typedSearchAttributes.get(SearchAttributes.subject), subject);
    // An explicit request names no subject; the incident's subject stands in, so a search finds it.
    assert.equal(d3.typedSearchAttributes.get(SearchAttributes.subject), subject);
    assert.match((await d0.staticSummary()) ?? '', /yandex-cloud\/default, by incident-42/);
    assert.match((await d3.staticSummary()) ?? '', /access token sha256:[0-9a-f]{16}/);

    // The parent: searchable by subject and outcome; get() is the same final Operation.
    const parent = await stack.temporal.workflow.getHandle(started.id).describe();
    assert.equal(parent.status.name, 'COMPLETED');
    assert.equal(parent.typedSearchAttributes.get(SearchAttributes.subject), subject);
    assert.equal(parent.typedSearchAttributes.get(SearchAttributes.outcome), 'SUCCEEDED');
    assert.equal(parent.typedSearchAttributes.get(SearchAttributes.provider), undefined);
    assert.deepEqual(await stack.client.get(started.id), op);

    // No secret in ids, summaries, the Operation, the histories or the worker's log; the check sees text.
    const history = await fetchHistory(stack.temporal, started.id);
    const bytes = historyBytes(history).toString('latin1');
    assert.ok(bytes.includes(childIds[3] ?? '?'), 'positive control: the history holds the child ids');
    assertNoSecrets('parent history', bytes);
    for (const id of childIds) {
      assertNoSecrets(
        `history of ${id}`,
        historyBytes(await fetchHistory(stack.temporal, id)).toString('latin1'),
      );
    }
    const summaries = await Promise.all(described.map((d) => d.staticSummary()));
    assertNoSecrets('ids, summaries and the Operation', JSON.stringify([childIds, summaries, op]));
    record('revoke-subject-three-connections', history);
  });

  void it('a failing child leaves the others done; the parent fails with every child outcome', async () => {
    const subject = uniq('dave');
    const yDefault = seedYandex('default', 1);
    const ySecond = seedYandex('second', 2);
    seedAuthlete(subject, 2);
    stack.yandexSecond.injectFault({ method: 'Revoke', code: 7, message: 'not allowed here' });

    const started = await revokeSubject(stack.client, {
      subject,
      targets: [
        { provider: 'yandex-cloud', connection: 'default', subjectId: YANDEX_SUBJECT },
        { provider: 'yandex-cloud', connection: 'second', subjectId: YANDEX_SECOND_SUBJECT },
        { provider: 'authlete', connection: 'default', serviceId: AUTHLETE_SERVICE, subject },
      ],
      timing: fastTiming,
    });
    const op = await waitRevokeSubject(stack.client, started.id, { timeout: 30_000 });

    assert.equal(op.done, true);
    assert.equal(op.response, undefined);
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    assert.equal(op.error?.message, '1 of 3 revocations failed');
    const report = op.error?.details[0] as unknown as RevokeSubjectResponse;
    assert.equal(report['@type'], RevokeSubjectTypeUrl.response);
    assert.deepEqual([report.total, report.succeeded, report.failed], [3, 2, 1]);
    assert.deepEqual(
      report.children.map((c) => [c.connection, c.outcome, c.error?.code]),
      [
        ['default', 'SUCCEEDED', undefined],
        ['second', 'FAILED', Code.PERMISSION_DENIED],
        ['default', 'SUCCEEDED', undefined],
      ],
    );
    assert.equal(report.children[0]?.response?.revokedCount, 1);
    assert.deepEqual(
      op.metadata.children.map((c) => c.state),
      ['SUCCEEDED', 'FAILED', 'SUCCEEDED'],
    );
    assert.deepEqual([op.metadata.succeeded, op.metadata.failed, op.metadata.running], [2, 1, 0]);

    // The others did their work; the failed connection's tokens are untouched.
    assert.deepEqual(activeYandex('default', yDefault), []);
    assert.equal(liveAuthlete(subject), 0);
    assert.deepEqual(activeYandex('second', ySecond).sort(), [...ySecond].sort());

    // A failed execution, typed by the first failed child's code, so the Web UI's Failed filter finds it.
    const handle = stack.temporal.workflow.getHandle(started.id);
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'PERMISSION_DENIED');
      assert.equal(err.cause.nonRetryable, true);
      return true;
    });
    const parent = await handle.describe();
    assert.equal(parent.status.name, 'FAILED');
    assert.equal(parent.typedSearchAttributes.get(SearchAttributes.outcome), 'FAILED');
    const children = await describeAll(op.metadata.children.map((c) => c.id));
    assert.deepEqual(
      children.map((d) => d.status.name),
      ['COMPLETED', 'FAILED', 'COMPLETED'],
    );
    // The failed child's own Operation says why (the parent copied its error).
    const failedChild = await stack.client.get(op.metadata.children[1]?.id ?? '');
    assert.deepEqual(failedChild.error, report.children[1]?.error);
    record('revoke-subject-one-child-fails', await fetchHistory(stack.temporal, started.id));
  });
});

void describe('revokeSubject: invalid input', () => {
  void it('the client names each bad field and starts nothing', async () => {
    const requestId = uniq('invalid');
    await assert.rejects(
      revokeSubject(
        stack.client,
        {
          subject: '',
          targets: [
            { provider: 'yandex-cloud', connection: 'default', subjectId: '' },
            { provider: 'authlete', connection: 'default', serviceId: 'abc', subject: 'x' },
            { provider: 'oauth2' } as never,
          ],
        },
        { requestId },
      ),
      (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        const fields = err.violations.map((v) => v.field);
        assert.ok(fields.includes('subject'), fields.join());
        assert.ok(fields.includes('targets.0.subjectId'), fields.join());
        assert.ok(fields.includes('targets.1.serviceId'), fields.join());
        assert.ok(fields.includes('targets.2.provider'), fields.join());
        return true;
      },
    );
    await assert.rejects(
      revokeSubject(stack.client, { subject: 'x' }),
      /targets: give at least one target or request/,
    );
    const tooMany = Array.from({ length: 101 }, (_, i) => ({
      provider: 'yandex-cloud' as const,
      subjectId: `s${i}`,
    }));
    await assert.rejects(revokeSubject(stack.client, { subject: 'x', targets: tooMany }), /targets: .*100/);
    await assert.rejects(
      stack.temporal.workflow.getHandle(revokeSubjectId(requestId)).describe(),
      WorkflowNotFoundError,
    );
  });

  void it('the workflow validates again: a caller without the client gets INVALID_ARGUMENT and no child', async () => {
    const id = revokeSubjectId(uniq('raw'));
    const handle = await stack.temporal.workflow.start('revokeSubject', {
      taskQueue: stack.taskQueue,
      workflowId: id,
      args: [{ subject: 'eve', targets: [{ provider: 'yandex-cloud', subjectId: 'a'.repeat(51) }] }],
    });
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'INVALID_ARGUMENT');
      return true;
    });
    const op = await getRevokeSubject(stack.client, id);
    assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
    assert.match(op.error?.message ?? '', /targets\.0\.subjectId: must be at most 50 characters/);
    assert.deepEqual(op.error?.details[0], {
      '@type': TypeUrl.badRequest,
      fieldViolations: [{ field: 'targets.0.subjectId', description: 'must be at most 50 characters' }],
    });
    const history = await fetchHistory(stack.temporal, id);
    const started = (history.events ?? []).filter(
      (e) => e.startChildWorkflowExecutionInitiatedEventAttributes,
    );
    assert.equal(started.length, 0, 'no child was started');
    record('revoke-subject-invalid', history);
  });
});

void describe('revokeSubject: cancellation', () => {
  /**
   * Two Yandex children that poll their provider operation until stopped, and an Authlete one that
   * finishes at once: returns when the parent shows the Authlete child SUCCEEDED and both Yandex
   * children are polling.
   */
  async function startSlow(subject: string): Promise<RevokeSubjectOperation> {
    seedYandex('default', 1);
    seedYandex('second', 1);
    seedAuthlete(subject, 1);
    stack.yandex.configure({ pollsUntilDone: 100_000 });
    stack.yandexSecond.configure({ pollsUntilDone: 100_000 });
    try {
      const started = await revokeSubject(stack.client, {
        subject,
        targets: [
          { provider: 'yandex-cloud', connection: 'default', subjectId: YANDEX_SUBJECT },
          { provider: 'yandex-cloud', connection: 'second', subjectId: YANDEX_SECOND_SUBJECT },
          { provider: 'authlete', connection: 'default', serviceId: AUTHLETE_SERVICE, subject },
        ],
        timing: fastTiming,
      });
      const deadline = Date.now() + 15_000;
      for (;;) {
        const op = await queryOperation(started.id).catch(() => undefined);
        const polling = await Promise.all(
          started.metadata.children.slice(0, 2).map((c) =>
            stack.temporal.workflow
              .getHandle(c.id)
              .query<Operation>(QueryNames.getOperation)
              .then((o) => (o.metadata as { phase?: string }).phase === 'POLLING')
              .catch(() => false),
          ),
        );
        if (op?.metadata.succeeded === 1 && polling.every(Boolean)) {
          // The parent's Operation follows each child as it ends.
          assert.deepEqual(
            op.metadata.children.map((c) => c.state),
            ['RUNNING', 'RUNNING', 'SUCCEEDED'],
          );
          assert.deepEqual([op.metadata.succeeded, op.metadata.failed, op.metadata.running], [1, 0, 2]);
          assert.equal(op.done, false);
          return started;
        }
        assert.ok(Date.now() < deadline, 'the Yandex children should be polling, the Authlete one done');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      // Captured per operation at Revoke time: later tests get quick operations again.
      stack.yandex.configure({ pollsUntilDone: 0 });
      stack.yandexSecond.configure({ pollsUntilDone: 0 });
    }
  }

  void it('cancel of the parent cancels the running children; the Operation shows each outcome', async () => {
    const started = await startSlow(uniq('frank'));
    const handle = stack.temporal.workflow.getHandle(started.id);
    await handle.cancel();
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof CancelledFailure);
      return true;
    });
    const children = await describeAll(started.metadata.children.map((c) => c.id));
    assert.deepEqual(
      children.map((d) => d.status.name),
      ['CANCELLED', 'CANCELLED', 'COMPLETED'],
    );
    const op = await getRevokeSubject(stack.client, started.id);
    assert.equal(op.done, true);
    assert.equal(op.error?.code, Code.CANCELLED);
    assert.equal(op.error?.message, 'operation cancelled; 1 of 3 revocations had succeeded');
    const report = op.error?.details[0] as unknown as RevokeSubjectResponse;
    assert.deepEqual(
      report.children.map((c) => [c.outcome, c.error?.code]),
      [
        ['CANCELLED', Code.CANCELLED],
        ['CANCELLED', Code.CANCELLED],
        ['SUCCEEDED', undefined],
      ],
    );
    assert.deepEqual(
      op.metadata.children.map((c) => c.state),
      ['CANCELLED', 'CANCELLED', 'SUCCEEDED'],
    );
    const md = op.metadata;
    assert.deepEqual([md.succeeded, md.failed, md.cancelled, md.running], [1, 2, 2, 0]);
    const parent = await handle.describe();
    assert.equal(parent.status.name, 'CANCELLED');
    assert.equal(parent.typedSearchAttributes.get(SearchAttributes.outcome), 'CANCELLED');
    record('revoke-subject-cancelled', await fetchHistory(stack.temporal, started.id));
  });

  void it('terminating the parent cancels the running children (parent close policy REQUEST_CANCEL)', async () => {
    const started = await startSlow(uniq('grace'));
    await stack.temporal.workflow.getHandle(started.id).terminate('test: parent gone');
    const [y0, y1] = started.metadata.children.map((c) => c.id) as [string, string];
    assert.equal(await waitForStatus(y0, 'CANCELLED'), 'CANCELLED');
    assert.equal(await waitForStatus(y1, 'CANCELLED'), 'CANCELLED');
    record('revoke-subject-terminated', await fetchHistory(stack.temporal, started.id));
  });
});

void describe('revoke subject (CLI)', () => {
  const cliEnv = () => stackCliEnv(stack, { USER: 'cli-tester' });

  /** The command registered on a program of our own, run like `runCli` runs the real one. */
  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const ctx = new CliContext({
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: cliEnv(),
    });
    const program = new Command('revoke')
      .exitOverride()
      .configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
    addRevokeSubjectCommand(program, ctx);
    let code: number;
    try {
      await program.parseAsync(['node', 'revoke', ...args], { from: 'node' });
      code = ctx.exitCode;
    } catch (err) {
      if (err instanceof Error && !('exitCode' in err)) stderr += `error: ${err.message}\n`;
      code = exitCodeOf(err);
    } finally {
      await ctx.close();
    }
    return { code, stdout, stderr };
  }

  void it('--wait --json revokes across connections, with explicit requests from a file', async () => {
    const subject = uniq('heidi');
    seedYandex('default', 1);
    seedAuthlete(subject, 1);
    const [token] = seedAuthlete(uniq('ivan'), 1) as [string];
    const file = join(mkdtempSync(join(tmpdir(), 'revoke-subject-cli-')), 'requests.ndjson');
    writeFileSync(
      file,
      `${JSON.stringify({ provider: 'authlete', serviceId: AUTHLETE_SERVICE, accessTokenIdentifier: token })}\n`,
    );
    const res = await run([
      'subject',
      '--subject',
      subject,
      '--yandex',
      `default:${YANDEX_SUBJECT}`,
      '--authlete',
      `default:${AUTHLETE_SERVICE}:${subject}`,
      '--requests-file',
      file,
      '--wait',
      '--json',
    ]);
    assert.equal(res.code, 0, res.stderr);
    const op = JSON.parse(res.stdout) as RevokeSubjectOperation;
    assert.equal(op.done, true);
    assert.equal(op.createdBy, `cli-tester@${hostname()}`);
    assert.deepEqual(
      op.response?.children.map((c) => [c.provider, c.outcome]),
      [
        ['yandex-cloud', 'SUCCEEDED'],
        ['authlete', 'SUCCEEDED'],
        ['authlete', 'SUCCEEDED'],
      ],
    );
    assert.equal(liveAuthlete(subject), 0);
    assertNoSecrets('CLI output', res.stdout + res.stderr);
  });

  void it('prints each child; exits 1 when a child failed', async () => {
    const subject = uniq('judy');
    seedAuthlete(subject, 1);
    stack.yandexSecond.injectFault({ method: 'Revoke', code: 7, message: 'not allowed here' });
    const res = await run([
      'subject',
      '--subject',
      subject,
      '--yandex',
      `second:${YANDEX_SECOND_SUBJECT}`,
      '--authlete',
      `default:${AUTHLETE_SERVICE}:${subject}`,
      '--wait',
    ]);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stdout, /children\s+1 succeeded, 1 failed, 0 running of 2/);
    assert.match(
      res.stdout,
      /FAILED\s+revoke-subject-\S+\/0-yandex-cloud\s+yandex-cloud\/second .*PERMISSION_DENIED \(7\)/,
    );
    assert.match(res.stdout, /SUCCEEDED\s+revoke-subject-\S+\/1-authlete\s+authlete\/default/);
    assert.match(res.stderr, /ended with PERMISSION_DENIED \(7\): 1 of 2 revocations failed/);
  });

  void it('bad flags name the flag and field, exit 2, and start nothing', async () => {
    const requestId = uniq('cli-invalid');
    const noColon = await run([
      'subject',
      '--subject',
      'x',
      '--yandex',
      'nocolon',
      '--request-id',
      requestId,
    ]);
    assert.equal(noColon.code, 2);
    assert.match(noColon.stderr, /--yandex #1: must be CONNECTION:SUBJECT_ID/);
    const badField = await run([
      'subject',
      '--subject',
      'x',
      '--authlete',
      `default:${AUTHLETE_SERVICE}:${'s'.repeat(101)}`,
      '--request-id',
      requestId,
    ]);
    assert.equal(badField.code, 2);
    assert.match(badField.stderr, /--authlete #1 \(targets\.0\.subject\): must be at most 100 characters/);
    const none = await run(['subject', '--subject', 'x', '--request-id', requestId]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give at least one target or request/);
    await assert.rejects(
      stack.temporal.workflow.getHandle(revokeSubjectId(requestId)).describe(),
      WorkflowNotFoundError,
    );
  });
});

void describe('revokeSubject: secrets', () => {
  void it('no token or credential used by any scenario appears in the worker log', () => {
    const logs = workerLogs.join('\n');
    assert.ok(logs.includes(stack.taskQueue), "positive control: this worker's log lines were captured");
    assert.ok(secretsUsed.size > 10, 'positive control: the scenarios used secrets');
    assertNoSecrets('worker logs', logs);
  });
});

void describe('revokeSubject: determinism', () => {
  void it('replays the history of every scenario with the current workflow code', async () => {
    assert.ok(recorded.size >= 5, `expected the scenarios' histories, got ${recorded.size}`);
    for (const [name, history] of recorded) {
      // Child ids derive from the parent's id: replay under the id the history was recorded with.
      const id = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? '';
      assert.match(id, /^revoke-subject-/, `${name}: the started event names the workflow id`);
      await Worker.runReplayHistory(
        {
          workflowBundle: stack.workflowBundle,
          dataConverter: { payloadCodecs: [new AesGcmPayloadCodec(stack.keyring)] },
        },
        history,
        id,
      );
    }
  });
});
