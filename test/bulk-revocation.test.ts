import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  startAuthleteEmulator,
  DEFAULT_SERVICE_ID,
  DEFAULT_SERVICE_ACCESS_TOKEN,
  type AuthleteEmulator,
} from '../emulators/authlete';
import { Code } from '../api';
import { createTestStack, workerLogs, type TestStack } from './helpers/stack';
import { bulkOperation, startBulk, waitBulk } from './helpers/bulk';
import { fetchHistory, historyBytes, recordHistory } from './helpers/history';

const subject = 'emulator-subject';
let stack: TestStack | undefined;
let authlete: AuthleteEmulator | undefined;
afterEach(async () => {
  await stack?.close();
  await authlete?.close();
  stack = undefined;
  authlete = undefined;
});

function yandexTokens(n: number, prefix = 'rt') {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    token: `yc1.secret-refresh-${prefix}-${i}-${'x'.repeat(20)}`,
    subjectId: subject,
    clientId: i % 2 === 0 ? 'client-even' : 'client-odd',
  }));
}

async function setup(tokens: number, withAuthlete = false): Promise<TestStack> {
  if (withAuthlete) authlete = await startAuthleteEmulator({ revokeCountMax: 1000 });
  stack = await createTestStack(
    { tokens: yandexTokens(tokens) },
    authlete
      ? {
          connections: {
            authlete: {
              default: { baseUrl: authlete.baseUrl, serviceAccessToken: DEFAULT_SERVICE_ACCESS_TOKEN },
            },
          },
        }
      : {},
  );
  await stack.startWorker();
  return stack;
}

function ndjsonFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulk-'));
  const path = join(dir, 'targets.ndjson');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

void describe('bulkRevocation sources', () => {
  void it('inline requests: every target revoked, counts exact', async () => {
    const s = await setup(30);
    const requests = Array.from({ length: 25 }, (_, i) => ({
      provider: 'yandex-cloud',
      refreshTokenId: `rt-${i}`,
    }));
    const id = await startBulk(s, {
      name: 'inline-25',
      source: { kind: 'inline', requests },
      pageSize: 10,
      concurrency: 4,
    });
    const op = await waitBulk(s, id);
    assert.equal(op.done, true, JSON.stringify(op.error));
    assert.deepEqual(
      {
        processed: op.response?.processed,
        succeeded: op.response?.succeeded,
        failed: op.response?.failed,
        total: op.response?.total,
      },
      { processed: 25, succeeded: 25, failed: 0, total: 25 },
    );
    assert.equal(op.response?.pages, 3);
    assert.equal(s.emulator.activeTokens().length, 5);
    recordHistory('bulk-inline', await fetchHistory(s.temporal, id));
  });

  void it('NDJSON: bad lines are failed targets with a reason, not a crashed job; secrets stay out of history', async () => {
    const s = await setup(20);
    const secret = 'yc1.secret-refresh-rt-3-xxxxxxxxxxxxxxxxxxxx';
    const lines = [
      ...Array.from({ length: 10 }, (_, i) =>
        JSON.stringify({ provider: 'yandex-cloud', refreshTokenId: `rt-${i + 10}` }),
      ),
      JSON.stringify({ provider: 'yandex-cloud', refreshToken: secret }),
      '{not json',
      'x'.repeat(70 * 1024),
      JSON.stringify({ provider: 'yandex-cloud', refreshTokenId: 'r'.repeat(60) }),
      '',
      JSON.stringify({ provider: 'nope' }),
    ];
    const id = await startBulk(s, {
      name: 'ndjson',
      source: { kind: 'ndjson', path: ndjsonFile(lines) },
      pageSize: 4,
    });
    const op = await waitBulk(s, id);
    const r = op.response;
    assert.ok(r, JSON.stringify(op.error));
    assert.deepEqual([r.processed, r.succeeded, r.failed, r.total], [15, 11, 4, 15]);
    const reasons = r.failures.map((f) => f.error.message).join('\n');
    assert.match(reasons, /not valid JSON/);
    assert.match(reasons, /longer than 65536 bytes/);
    assert.match(reasons, /request\.refreshTokenId: must be at most 50 characters/);
    assert.match(reasons, /request\.provider/);
    assert.ok(r.failures.every((f) => f.error.code === Code.INVALID_ARGUMENT));
    assert.equal(
      s.emulator
        .activeTokens()
        .map((t) => t.id)
        .includes('rt-3'),
      false,
    );
    const bytes = historyBytes(await fetchHistory(s.temporal, id));
    assert.ok(bytes.includes(Buffer.from('ndjson')), 'positive control: the job name is visible in history');
    assert.equal(bytes.includes(Buffer.from(secret)), false);
    assert.equal(
      workerLogs.some((l) => l.includes(secret)),
      false,
    );
    recordHistory('bulk-ndjson', await fetchHistory(s.temporal, id));
  });

  void it('Yandex listing: every listed token of the subject revoked, with continue-as-new on a long job', async () => {
    const s = await setup(120);
    const id = await startBulk(s, {
      name: 'yandex-list',
      source: { kind: 'yandex-list', subjectId: subject },
      pageSize: 5,
      concurrency: 5,
    });
    const op = await waitBulk(s, id);
    assert.equal(op.response?.processed, 120, JSON.stringify(op.error));
    assert.equal(op.response?.succeeded, 120);
    assert.equal(s.emulator.activeTokens().length, 0);
    assert.ok((op.response?.runs ?? 0) > 1, `continued as new (${op.response?.runs} runs)`);
  });

  void it('Authlete listing by client and subject: exactly the matching tokens revoked', async () => {
    const s = await setup(0, true);
    const a = authlete as AuthleteEmulator;
    for (let i = 0; i < 37; i++)
      a.addToken({ serviceId: DEFAULT_SERVICE_ID, clientId: 26888344961664, subject: 'bob' });
    for (let i = 0; i < 5; i++)
      a.addToken({ serviceId: DEFAULT_SERVICE_ID, clientId: 26888344961665, subject: 'bob' });
    for (let i = 0; i < 4; i++)
      a.addToken({ serviceId: DEFAULT_SERVICE_ID, clientId: 26888344961664, subject: 'alice' });
    const id = await startBulk(s, {
      name: 'authlete-bob',
      source: {
        kind: 'authlete-list',
        serviceId: DEFAULT_SERVICE_ID,
        clientIdentifier: 'demo-app',
        subject: 'bob',
      },
      pageSize: 10,
    });
    const op = await waitBulk(s, id);
    assert.equal(op.response?.processed, 37, JSON.stringify(op.error ?? op.response));
    assert.equal(op.response?.succeeded, 37);
    assert.equal(op.response?.total, 37);
    const left = a.tokens(DEFAULT_SERVICE_ID);
    assert.equal(left.length, 9);
    assert.equal(left.filter((t) => t.subject === 'bob' && t.clientId === 26888344961664).length, 0);
  });

  void it('dry run lists what would be revoked and touches nothing', async () => {
    const s = await setup(12);
    const id = await startBulk(s, {
      name: 'dry',
      source: { kind: 'yandex-list', subjectId: subject },
      pageSize: 5,
      dryRun: true,
    });
    const op = await waitBulk(s, id);
    assert.deepEqual([op.response?.processed, op.response?.skipped, op.response?.succeeded], [12, 12, 0]);
    assert.equal(op.response?.wouldRevoke?.length, 12);
    assert.match(op.response?.wouldRevoke?.[0] ?? '', /^sha256:[0-9a-f]{16} refresh token id rt-/);
    assert.equal(s.emulator.activeTokens().length, 12);
    assert.equal(s.emulator.callsOf('Revoke').length, 0);
  });
});

void describe('bulkRevocation control', () => {
  void it('pause stops provider calls within a page, resume continues from the cursor, a rate change takes effect', async () => {
    const s = await setup(60);
    const id = await startBulk(s, {
      name: 'pausable',
      source: { kind: 'yandex-list', subjectId: subject },
      pageSize: 5,
      concurrency: 1,
      ratePerSecond: 20,
    });
    const handle = s.temporal.workflow.getHandle(id);
    while (s.emulator.callsOf('Revoke').length < 8) await delay(20);
    await handle.signal('pause');
    while ((await bulkOperation(s, id)).metadata.phase !== 'PAUSED') await delay(50);
    const atPause = s.emulator.callsOf('Revoke').length;
    await delay(1500);
    const afterWait = s.emulator.callsOf('Revoke').length;
    assert.ok(
      afterWait - atPause <= 5,
      `at most the page in flight finished (${afterWait - atPause} calls after pause)`,
    );
    await delay(700);
    assert.equal(s.emulator.callsOf('Revoke').length, afterWait, 'no calls while paused');

    const changed = await handle.executeUpdate('setThrottle', {
      args: [{ ratePerSecond: 200, concurrency: 4 }],
    });
    assert.deepEqual(changed, { ratePerSecond: 200, concurrency: 4 });
    await assert.rejects(
      handle.executeUpdate('setThrottle', { args: [{ ratePerSecond: -1 }] }),
      (err: Error) => {
        assert.match(String(err.cause), /ratePerSecond: must be a number above 0/);
        return true;
      },
    );
    await handle.signal('resume');
    const op = await waitBulk(s, id);
    assert.equal(op.response?.processed, 60);
    assert.equal(op.response?.succeeded, 60);
    assert.equal(op.metadata.ratePerSecond, 200);
    assert.equal(s.emulator.callsOf('Revoke').length, 60, 'no target revoked twice across pause and resume');
  });

  void it('cancel stops after the page in flight and reports what was done', async () => {
    const s = await setup(100);
    const id = await startBulk(s, {
      name: 'cancellable',
      source: { kind: 'yandex-list', subjectId: subject },
      pageSize: 10,
      concurrency: 2,
      ratePerSecond: 25,
    });
    while (s.emulator.callsOf('Revoke').length < 12) await delay(20);
    await s.temporal.workflow.getHandle(id).cancel();
    const op = await waitBulk(s, id);
    assert.equal(op.done, true);
    assert.equal(op.error?.code, Code.CANCELLED);
    const report = op.error?.details[0] as unknown as { processed: number; cancelled: boolean };
    assert.equal(report.cancelled, true);
    assert.equal(report.processed, s.emulator.callsOf('Revoke').length, 'every call made is in the report');
    assert.equal(report.processed % 10, 0, 'whole pages only');
    assert.ok(report.processed < 100);
    assert.equal(100 - s.emulator.activeTokens().length, report.processed);
  });

  void it('a source that fails for good ends the job at once with its code, not in endless retries', async () => {
    const s = await setup(3);
    const denied = await startBulk(s, {
      name: 'other-subject',
      source: { kind: 'yandex-list', subjectId: 'someone-else' },
    });
    const op = await waitBulk(s, denied, 30_000);
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    assert.equal(s.emulator.callsOf('List').length, 1, 'not retried');
    const missing = await startBulk(s, {
      name: 'missing-file',
      source: { kind: 'ndjson', path: '/nonexistent/targets.ndjson' },
    });
    const op2 = await waitBulk(s, missing, 30_000);
    assert.equal(op2.error?.code, Code.FAILED_PRECONDITION);
    assert.match(op2.error?.message ?? '', /ENOENT/);
  });

  void it('an invalid job names the field and starts nothing', async () => {
    const s = await setup(1);
    const id = await startBulk(s, {
      name: 'bad name!',
      source: { kind: 'ndjson', path: 'relative.ndjson' },
    } as never);
    const op = await waitBulk(s, id);
    assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
    assert.match(op.error?.message ?? '', /job\.name/);
    assert.match(op.error?.message ?? '', /job\.source\.path: must be an absolute path/);
    assert.equal(s.emulator.calls.length, 0);
  });
});
