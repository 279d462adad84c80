import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeWorkflowBundle } from '../scripts/bundle-workflows';
import { createTestStack } from './helpers/stack';
import { startWorkerProcess, waitForExit, type WorkerProcess } from './helpers/worker-process';

const root = join(__dirname, '..');

/**
 * REVOCATION_WORKFLOW_BUNDLE: a worker runs the prebuilt bundle `npm run bundle` wrote instead of
 * bundling at start (npm test builds one for the whole run), and refuses a path that is not a file.
 */
void describe('prebuilt workflow bundle', () => {
  const workers: WorkerProcess[] = [];
  after(() => workers.forEach((w) => w.child.kill('SIGKILL')));

  void it('a worker given a bundle file says so and runs operations from it', async () => {
    const path = await writeWorkflowBundle(join(mkdtempSync(join(tmpdir(), 'bundle-')), 'wf.js'));
    const s = await createTestStack({
      tokens: [{ id: 'rt-b', subjectId: 'emulator-subject', clientId: 'client-a' }],
    });
    try {
      const key = s.keyring.keys.get(s.keyring.currentKeyId) as Buffer;
      const worker = await startWorkerProcess({
        TEMPORAL_ADDRESS: s.address,
        REVOCATION_TASK_QUEUE: s.taskQueue,
        REVOCATION_CONNECTIONS_FILE: s.connectionsFile,
        REVOCATION_CODEC_KEY: key.toString('base64'),
        REVOCATION_CODEC_KEY_ID: s.keyring.currentKeyId,
        REVOCATION_WORKFLOW_BUNDLE: path,
      });
      workers.push(worker);
      assert.match(
        worker.output(),
        new RegExp(`workflows from ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
      const op = await s.client.revoke({ provider: 'yandex-cloud', refreshTokenId: 'rt-b' });
      const done = await s.client.wait(op.id, { timeout: 60_000 });
      assert.deepEqual(done.response?.refreshTokenIds, ['rt-b']);
      worker.child.kill('SIGTERM');
      await waitForExit(worker.child);
    } finally {
      await s.close();
    }
  });

  void it('a bundle path that is not a file is a ConfigError naming the variable', () => {
    const missing = join(tmpdir(), 'no-such-dir', 'workflow-bundle.js');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'worker', 'main.ts')], {
      cwd: root,
      env: { ...process.env, REVOCATION_WORKFLOW_BUNDLE: missing },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout + r.stderr,
      /REVOCATION_WORKFLOW_BUNDLE: no bundle at .*no-such-dir\/workflow-bundle\.js/,
    );
  });
});
