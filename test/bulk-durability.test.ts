import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { NativeConnection } from '@temporalio/worker';
import { buildConnectionRegistry, type ConnectionsConfig } from '../worker/connections';
import { createRevocationWorker } from '../worker/create-worker';
import { createTestStack, sharedBundle, type TestStack } from './helpers/stack';
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

void describe('bulk rate limit', () => {
  void it('with two workers, per-second calls stay within 1.05 R and average at least 0.95 R', async () => {
    const R = 40;
    const n = 800;
    const s = (stack = await createTestStack({ tokens: tokens(n) }));
    await s.startWorker();
    // A second worker on the same task queue: pages land on either.
    const native = await NativeConnection.connect({ address: s.address });
    const second = await createRevocationWorker({
      connection: native,
      namespace: 'default',
      taskQueue: s.taskQueue,
      connections: buildConnectionRegistry(
        JSON.parse(readFileSync(s.connectionsFile, 'utf8')) as ConnectionsConfig,
      ),
      keyring: s.keyring,
      workflowBundle: await sharedBundle(),
      identity: 'second-worker',
    });
    const running = second.run();
    try {
      const id = await startBulk(s, {
        name: 'rate-limited',
        source: { kind: 'yandex-list', subjectId: subject },
        pageSize: 200,
        concurrency: 8,
        ratePerSecond: R,
      });
      const op = await waitBulk(s, id, 120_000);
      assert.equal(op.response?.processed, n, JSON.stringify(op.error));
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
      const identities = new Set(
        ((await fetchHistory(s.temporal, id)).events ?? [])
          .map((e) => e.activityTaskStartedEventAttributes?.identity)
          .filter((x): x is string => typeof x === 'string'),
      );
      recordHistory('bulk-rate-two-workers', await fetchHistory(s.temporal, id));
      assert.ok(identities.size >= 1);
    } finally {
      second.shutdown();
      await running;
      await native.close();
    }
  });
});
