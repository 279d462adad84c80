import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCliCaptured } from './helpers/cli';
import { createTestStack, type TestStack } from './helpers/stack';
import { createTestPki, startTlsFront, type TestPki, type TlsFront } from './helpers/tls-front';
import { startWorkerProcess, waitForExit, type WorkerProcess } from './helpers/worker-process';

const API_KEY = 'tls-test-api-key-5b0e2c71d4';
const WRONG_KEY = 'wrong-api-key-93f7a1c6e2';

/**
 * `temporal server start-dev` (CLI v1.5.1) has no TLS flags, so the dev server sits behind a TLS
 * front that requires a client certificate and an API key, as a TLS-terminating proxy or Temporal
 * Cloud does. The worker and the CLI reach it through Temporal's own environment variables only.
 */
void describe('Temporal over TLS, mTLS and an API key, configured by environment only', () => {
  let s: TestStack;
  let pki: TestPki;
  let front: TlsFront;
  let worker: WorkerProcess | undefined;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    s = await createTestStack({ tokens: [{ id: 'rt-tls-1', subjectId: 'emulator-subject', clientId: 'c' }] });
    pki = await createTestPki();
    front = await startTlsFront({ pki, upstream: s.address, apiKey: API_KEY });
    const key = s.keyring.keys.get(s.keyring.currentKeyId) as Buffer;
    env = {
      TEMPORAL_ADDRESS: front.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCertPath,
      TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCertPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKeyPath,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
      TEMPORAL_API_KEY: API_KEY,
      REVOCATION_TASK_QUEUE: s.taskQueue,
      REVOCATION_CONNECTIONS_FILE: s.connectionsFile,
      REVOCATION_CODEC_KEY: key.toString('base64'),
      REVOCATION_CODEC_KEY_ID: s.keyring.currentKeyId,
      REVOCATION_CONNECT_TIMEOUT: '5s',
    };
  });
  after(async () => {
    worker?.child.kill('SIGKILL');
    await front?.close();
    await s?.close();
  });

  void it('the worker process and the CLI complete a revocation through the TLS front', async () => {
    worker = await startWorkerProcess(env);
    const forwardedBefore = front.forwarded;
    const run = await runCliCaptured(
      ['yandex-cloud', '--refresh-token-id', 'rt-tls-1', '--wait', '--json'],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const op = JSON.parse(run.stdout) as { done: boolean; response?: { refreshTokenIds?: string[] } };
    assert.equal(op.done, true);
    assert.deepEqual(op.response?.refreshTokenIds, ['rt-tls-1']);
    assert.deepEqual(s.emulator.activeTokens(), [], 'the provider saw the revocation');
    assert.ok(front.forwarded > forwardedBefore, 'the calls went through the TLS front');
    assert.equal(front.refusedApiKey, 0);
    worker.child.kill('SIGTERM');
    await waitForExit(worker.child);
    worker = undefined;
  });

  void it('without the client certificate the handshake fails and the CLI exits "could not reach Temporal" (3)', async () => {
    const noCert = {
      ...env,
      TEMPORAL_TLS_CLIENT_CERT_PATH: undefined,
      TEMPORAL_TLS_CLIENT_KEY_PATH: undefined,
    };
    const failuresBefore = front.handshakeFailures;
    const run = await runCliCaptured(['get', 'revoke-does-not-matter'], noCert);
    assert.equal(run.code, 3, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /cannot reach Temporal at 127\.0\.0\.1:\d+/);
    assert.ok(front.handshakeFailures > failuresBefore, 'the front refused the handshake');

    // The worker fails to start the same way.
    await assert.rejects(startWorkerProcess(noCert), /worker exited with 1/);
  });

  void it('a wrong API key is refused as UNAUTHENTICATED, and no error prints the key', async () => {
    const wrong = { ...env, TEMPORAL_API_KEY: WRONG_KEY };
    const refusedBefore = front.refusedApiKey;
    const run = await runCliCaptured(['get', 'revoke-does-not-matter'], wrong);
    assert.notEqual(run.code, 0);
    const output = `${run.stdout}\n${run.stderr}`;
    assert.match(output, /UNAUTHENTICATED|invalid API key/i);
    assert.ok(front.refusedApiKey > refusedBefore, 'the front refused the key');
    assert.ok(`key=${WRONG_KEY}`.includes(WRONG_KEY), 'positive control: the search finds the key');
    assert.ok(!output.includes(WRONG_KEY), 'the CLI does not print the API key');

    const failed = await startWorkerProcess(wrong).then(
      () => assert.fail('the worker must not start with a wrong API key'),
      (err: Error) => err.message,
    );
    assert.match(failed, /worker exited with 1/);
    assert.ok(!failed.includes(WRONG_KEY), 'the worker does not print the API key');
  });
});
