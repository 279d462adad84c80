import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, afterEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { searchAttributeKeys } from '../../api';
import { createTestStack, type TestStack } from '../helpers/stack';
import { startBulk, waitBulk } from '../helpers/bulk';
import { fastTiming } from '../helpers/history';
import { startWorkerProcess, waitForExit, type WorkerProcess } from '../helpers/worker-process';

/**
 * Runs against the local multi-service cluster of `npm run test:cluster` (test/cluster/run.ts sets
 * TEMPORAL_TEST_ADDRESS to its frontend): SQL visibility on PostgreSQL, not the dev server's SQLite.
 */
const address = process.env.TEMPORAL_TEST_ADDRESS;
const subject = 'emulator-subject';
const tokens = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `rt-${i}`, subjectId: subject, clientId: 'client-a' }));

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Ids of the workflows that `query` lists, waiting out visibility's lag for `expected`. */
async function listIds(s: TestStack, query: string, expected: string): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ids: string[] = [];
    for await (const w of s.temporal.workflow.list({ query })) ids.push(w.workflowId);
    if (ids.includes(expected) || Date.now() > deadline) return ids;
    await delay(250);
  }
}

void describe('the local cluster', { skip: address ? false : 'run by npm run test:cluster' }, () => {
  const workers: WorkerProcess[] = [];
  after(() => workers.forEach((w) => w.child.kill('SIGKILL')));

  void it('runs SQL visibility on PostgreSQL with the project search attributes registered', async () => {
    const conn = await Connection.connect({ address: address as string });
    try {
      const info = await conn.workflowService.getClusterInfo({});
      assert.equal(info.persistenceStore, 'postgres12');
      assert.match(info.visibilityStore ?? '', /postgres12/);
      const have = await conn.operatorService.listSearchAttributes({ namespace: 'default' });
      const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
      for (const k of searchAttributeKeys)
        assert.equal(have.customAttributes?.[k.name], keyword, `${k.name} is a Keyword`);
    } finally {
      await conn.close();
    }
  });

  void it('a revocation completes, and a list query by each of its search attributes finds it', async () => {
    const s = (stack = await createTestStack({
      tokens: [{ id: 'rt-1', subjectId: subject, clientId: 'c' }],
    }));
    await s.startWorker();
    const op = await s.client.revoke(
      { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
      { timing: fastTiming },
    );
    const done = await s.client.wait(op.id, { timeout: 60_000 });
    assert.equal(done.done, true);
    assert.deepEqual(done.response?.refreshTokenIds, ['rt-1']);
    const described = await s.temporal.workflow.getHandle(op.id).describe();
    const attrs = described.searchAttributes as Record<string, unknown[]>;
    const checked: string[] = [];
    for (const k of searchAttributeKeys) {
      const value = attrs[k.name]?.[0];
      if (typeof value !== 'string') continue;
      const ids = await listIds(s, `${k.name} = '${value.replaceAll("'", "\\'")}'`, op.id);
      assert.ok(ids.includes(op.id), `${k.name} = ${value} lists the operation`);
      checked.push(k.name);
    }
    process.stdout.write(`# list queries by ${checked.join(', ')}\n`);
    for (const name of ['RevocationProvider', 'RevocationSubject', 'RevocationOutcome'])
      assert.ok(checked.includes(name), `${name} was set and queried`);
  });

  void it('a bulk job served by three worker processes: counts exact, every worker ran pages', async () => {
    const n = 1200;
    const s = (stack = await createTestStack({ tokens: tokens(n) }));
    const current = s.keyring.keys.get(s.keyring.currentKeyId) as Buffer;
    const env = {
      TEMPORAL_ADDRESS: s.address,
      REVOCATION_TASK_QUEUE: s.taskQueue,
      REVOCATION_CONNECTIONS_FILE: s.connectionsFile,
      REVOCATION_CODEC_KEY: current.toString('base64'),
      REVOCATION_CODEC_KEY_ID: s.keyring.currentKeyId,
    };
    const three = await Promise.all([0, 1, 2].map(() => startWorkerProcess(env)));
    workers.push(...three);
    const identities = three.map((w) => `${String(w.child.pid)}@${hostname()}`);
    const name = `cluster-bulk-${Date.now()}`;
    const started = Date.now();
    const id = await startBulk(s, {
      name,
      source: { kind: 'yandex-list', subjectId: subject },
      pageSize: 50,
      concurrency: 10,
      ratePerSecond: 1000,
    });
    const op = await waitBulk(s, id, 300_000);
    const r = op.response;
    assert.ok(r, JSON.stringify(op.error));
    assert.equal(r.processed, n, 'none lost, none counted twice');
    assert.equal(r.succeeded + r.alreadyRevoked, n);
    assert.equal(r.failed, 0);
    assert.equal(s.emulator.activeTokens().length, 0, 'every target revoked at the emulator');
    const pages = await pageIdentities(s, id);
    process.stdout.write(
      `# ${n} targets in ${Date.now() - started} ms, ${r.runs} runs; pages per worker: ${identities.map((w) => `${w} ${pages.get(w) ?? 0}`).join(', ')}\n`,
    );
    for (const w of identities) assert.ok((pages.get(w) ?? 0) >= 1, `worker ${w} ran no page`);
    assert.ok((await listIds(s, `RevocationJobName = '${name}'`, id)).includes(id), 'listed by job name');
    await Promise.all(
      three.map((w) => {
        w.child.kill('SIGTERM');
        return waitForExit(w.child);
      }),
    );
  });
});

/** How many bulkProcessPage activities each worker identity started, over every run of the job. */
async function pageIdentities(s: TestStack, id: string): Promise<Map<string, number>> {
  const pages = new Map<string, number>();
  const runs = s.temporal.workflow.list({ query: `WorkflowId = '${id}'` });
  for await (const run of runs) {
    const events = (await s.temporal.workflow.getHandle(id, run.runId).fetchHistory()).events ?? [];
    const scheduled = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'bulkProcessPage')
        .map((e) => String(e.eventId)),
    );
    for (const e of events) {
      const startedAttrs = e.activityTaskStartedEventAttributes;
      if (!startedAttrs || !scheduled.has(String(startedAttrs.scheduledEventId))) continue;
      const who = startedAttrs.identity ?? '(none)';
      pages.set(who, (pages.get(who) ?? 0) + 1);
    }
  }
  return pages;
}
