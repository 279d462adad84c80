import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestStack } from './helpers/stack';
import { fastTiming, fetchHistory, recordHistory } from './helpers/history';
import { startWorkerProcess, waitForExit, type WorkerProcess } from './helpers/worker-process';

void describe('worker crash', () => {
  const workers: WorkerProcess[] = [];
  after(() => workers.forEach((w) => w.child.kill('SIGKILL')));

  void it('a worker killed with SIGKILL while polling is replaced and the operation completes with one Revoke', async () => {
    const s = await createTestStack({
      pollsUntilDone: 12,
      tokens: [{ id: 'rt-1', subjectId: 'emulator-subject', clientId: 'client-a' }],
    });
    try {
      const current = s.keyring.keys.get(s.keyring.currentKeyId) as Buffer;
      const env = {
        TEMPORAL_ADDRESS: s.address,
        REVOCATION_TASK_QUEUE: s.taskQueue,
        REVOCATION_CONNECTIONS_FILE: s.connectionsFile,
        REVOCATION_CODEC_KEY: current.toString('base64'),
        REVOCATION_CODEC_KEY_ID: s.keyring.currentKeyId,
      };
      const first = await startWorkerProcess(env);
      workers.push(first);
      const started = await s.client.revoke(
        { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
        { timing: { ...fastTiming, pollMaxInterval: '200ms' } },
      );
      while (s.emulator.callsOf('Get').length < 3) await delay(20);
      first.child.kill('SIGKILL');
      await waitForExit(first.child);
      const getsAtKill = s.emulator.callsOf('Get').length;
      assert.ok((await s.client.get(started.id)).done === false, 'not done when the worker died');

      const second = await startWorkerProcess(env);
      workers.push(second);
      const op = await s.client.wait(started.id, { timeout: 90_000 });
      assert.equal(op.done, true);
      assert.deepEqual(op.response?.refreshTokenIds, ['rt-1']);
      assert.equal(s.emulator.callsOf('Revoke').length, 1, 'exactly one Revoke');
      assert.ok(s.emulator.callsOf('Get').length > getsAtKill, 'the new worker went on polling');
      assert.equal(s.emulator.activeTokens().length, 0);
      recordHistory('revoke-worker-crash', await fetchHistory(s.temporal, started.id));
      second.child.kill('SIGTERM');
      await waitForExit(second.child);
    } finally {
      await s.close();
    }
  });
});
