import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestStack, type TestStack } from './helpers/stack';
import { startBulk, waitBulk } from './helpers/bulk';
import { fetchHistory, recordHistory } from './helpers/history';
import { startWorkerProcess, waitForExit, type WorkerProcess } from './helpers/worker-process';

const subject = 'emulator-subject';
const tokens = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `rt-${i}`,
    subjectId: subject,
    clientId: 'client-a',
    token: `yc1.rt-secret-${i}-padding`,
  }));

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

void describe('bulk jobs survive worker crashes', () => {
  const workers: WorkerProcess[] = [];
  after(() => workers.forEach((w) => w.child.kill('SIGKILL')));

  void it('SIGKILL the worker three times during a 10,000-target job: counts exact, every target revoked', async () => {
    const n = 10_000;
    const s = (stack = await createTestStack({ tokens: tokens(n) }));
    const dir = mkdtempSync(join(tmpdir(), 'bulk-crash-'));
    const path = join(dir, 'targets.ndjson');
    writeFileSync(
      path,
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({ provider: 'yandex-cloud', refreshTokenId: `rt-${i}` }),
      ).join('\n'),
    );
    const current = s.keyring.keys.get(s.keyring.currentKeyId) as Buffer;
    const env = {
      TEMPORAL_ADDRESS: s.address,
      REVOCATION_TASK_QUEUE: s.taskQueue,
      REVOCATION_CONNECTIONS_FILE: s.connectionsFile,
      REVOCATION_CODEC_KEY: current.toString('base64'),
      REVOCATION_CODEC_KEY_ID: s.keyring.currentKeyId,
    };
    let worker = await startWorkerProcess(env);
    workers.push(worker);
    const id = await startBulk(s, {
      name: 'crash-10k',
      source: { kind: 'ndjson', path },
      pageSize: 250,
      concurrency: 10,
      ratePerSecond: 1000,
    });
    for (const killAt of [1500, 4500, 7500]) {
      while (s.emulator.callsOf('Revoke').length < killAt) await delay(20);
      worker.child.kill('SIGKILL');
      await waitForExit(worker.child);
      worker = await startWorkerProcess(env);
      workers.push(worker);
    }
    const op = await waitBulk(s, id, 300_000);
    const r = op.response;
    assert.ok(r, JSON.stringify(op.error));
    assert.equal(r.processed, n, 'none lost, none counted twice');
    assert.equal(r.succeeded + r.alreadyRevoked, n);
    assert.equal(r.failed, 0);
    assert.equal(s.emulator.activeTokens().length, 0, 'every target revoked at the emulator');
    const revokes = s.emulator.callsOf('Revoke').length;
    assert.ok(revokes >= n, `${revokes} Revoke calls`);
    process.stdout.write(
      `# 10k job, 3 SIGKILLs: processed ${r.processed}, Revoke calls ${revokes} (${revokes - n} repeated after crashes), runs ${r.runs}\n`,
    );
    worker.child.kill('SIGTERM');
    await waitForExit(worker.child);
  });
});

/**
 * Which worker ran each page of a job, over all its runs (continue-as-new): the identity of every
 * `bulkProcessPage` ActivityTaskStarted event. A retried page is recorded once, with the identity
 * of the attempt that completed it.
 */
async function pageIdentities(s: TestStack, id: string): Promise<Map<string, number>> {
  const pages = new Map<string, number>();
  let runId: string | undefined;
  for (;;) {
    const events = (await s.temporal.workflow.getHandle(id, runId).fetchHistory()).events ?? [];
    const pageScheduled = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'bulkProcessPage')
        .map((e) => String(e.eventId)),
    );
    for (const e of events) {
      const started = e.activityTaskStartedEventAttributes;
      if (!started || !pageScheduled.has(String(started.scheduledEventId))) continue;
      const who = started.identity ?? '(none)';
      pages.set(who, (pages.get(who) ?? 0) + 1);
    }
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    if (!runId) return pages;
  }
}

void describe('bulk rate limit', () => {
  const workers: WorkerProcess[] = [];
  after(() => workers.forEach((w) => w.child.kill('SIGKILL')));

  // Two worker processes on one task queue, each with its own memory: the rate can only hold across
  // them through what a page hands the next one in history (`lastCallAt`). The test proves both ran
  // pages, so the rate it measures crossed workers. TEST_PAUSE_SECOND_WORKER=1 suspends the second
  // (SIGSTOP) before the job starts, so one worker runs every page: the test must then fail.
  void it('with two worker processes that both run pages, per-second calls stay within 1.05 R and average at least 0.95 R', async () => {
    const R = 40;
    // 8 pages of 100, in one run (the test server suggests continue-as-new at 60 events). Were pages
    // dealt out at random, all 8 would land on one worker about 1 time in 128.
    const n = 800;
    const s = (stack = await createTestStack({ tokens: tokens(n) }));
    const current = s.keyring.keys.get(s.keyring.currentKeyId) as Buffer;
    const env = {
      TEMPORAL_ADDRESS: s.address,
      REVOCATION_TASK_QUEUE: s.taskQueue,
      REVOCATION_CONNECTIONS_FILE: s.connectionsFile,
      REVOCATION_CODEC_KEY: current.toString('base64'),
      REVOCATION_CODEC_KEY_ID: s.keyring.currentKeyId,
    };
    const pair = await Promise.all([startWorkerProcess(env), startWorkerProcess(env)]);
    workers.push(...pair);
    // The SDK's default worker identity is `${process.pid}@${os.hostname()}`.
    const identities = pair.map((w) => `${String(w.child.pid)}@${hostname()}`);
    const paused = process.env.TEST_PAUSE_SECOND_WORKER === '1';
    if (paused) pair[1]?.child.kill('SIGSTOP');
    try {
      const id = await startBulk(s, {
        name: 'rate-limited',
        source: { kind: 'yandex-list', subjectId: subject },
        pageSize: 100,
        concurrency: 8,
        ratePerSecond: R,
      });
      const op = await waitBulk(s, id, 180_000);
      assert.equal(op.response?.processed, n, JSON.stringify(op.error));
      const pages = await pageIdentities(s, id);
      recordHistory('bulk-rate-two-workers', await fetchHistory(s.temporal, id));
      process.stdout.write(
        `# pages per worker${paused ? ' (second worker paused)' : ''}: ${identities.map((w) => `${w} ${pages.get(w) ?? 0}`).join(', ')}; runs ${op.response?.runs}\n`,
      );
      // Every page ran on one of the two, and each of the two ran at least one.
      assert.deepEqual(
        [...pages.keys()].filter((w) => !identities.includes(w)),
        [],
        'pages on unknown workers',
      );
      for (const w of identities) assert.ok((pages.get(w) ?? 0) >= 1, `worker ${w} ran no page`);

      const times = s.emulator.callsOf('Revoke').map((c) => c.at.getTime());
      const start = times[0] as number;
      const buckets = new Map<number, number>();
      for (const t of times)
        buckets.set(Math.floor((t - start) / 1000), (buckets.get(Math.floor((t - start) / 1000)) ?? 0) + 1);
      const seconds = [...buckets.keys()].sort((a, b) => a - b);
      // Steady state: whole seconds, without the first and the last.
      const steady = seconds.slice(1, -1).map((sec) => buckets.get(sec) ?? 0);
      const max = Math.max(...steady);
      const avg = steady.reduce((a, b) => a + b, 0) / steady.length;
      // Sliding windows too: any 1-second window, not only aligned ones.
      let worst = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while ((times[i] as number) - (times[j] as number) >= 1000) j++;
        worst = Math.max(worst, i - j + 1);
      }
      process.stdout.write(
        `# rate ${R}/s with 2 workers: max ${max}/s (${(max / R).toFixed(3)} R), avg ${avg.toFixed(1)}/s (${(avg / R).toFixed(3)} R), worst sliding 1 s window ${worst} (${(worst / R).toFixed(3)} R)\n`,
      );
      assert.ok(max <= 1.05 * R, `max ${max}/s`);
      assert.ok(worst <= 1.05 * R, `worst window ${worst}`);
      assert.ok(avg >= 0.95 * R, `avg ${avg}/s`);
    } finally {
      if (paused) pair[1]?.child.kill('SIGCONT');
      for (const w of pair) w.child.kill('SIGTERM');
      await Promise.all(pair.map((w) => waitForExit(w.child)));
    }
  });
});
