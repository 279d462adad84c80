import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { RevocationClient } from '../client/revocation-client';
import { loadCodecKeyring } from '../common/codec-keys';
import { AesGcmPayloadCodec, PayloadDecryptionError } from '../common/payload-codec';
import { fastTiming } from './helpers/history';
import { createTestStack } from './helpers/stack';
import { startWorkerProcess, waitForExit, type WorkerProcess } from './helpers/worker-process';

type Payload = temporal.api.common.v1.IPayload;

const keyIdOf = (p: Payload | undefined) =>
  Buffer.from(p?.metadata?.['encryption-key-id'] ?? []).toString() || '(plain)';

/** Every payload of a history, with the event type it sits in, read without any codec. */
function historyPayloads(history: temporal.api.history.v1.IHistory): { event: string; payload: Payload }[] {
  const found: { event: string; payload: Payload }[] = [];
  const walk = (value: unknown, event: string): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach((v) => walk(v, event));
    const record = value as Record<string, unknown>;
    if (record.metadata && typeof record.metadata === 'object' && 'data' in record)
      found.push({ event, payload: record as Payload });
    // Search attributes are indexed plaintext by design (no secret in them), not codec payloads.
    for (const [k, v] of Object.entries(record)) if (k !== 'searchAttributes') walk(v, event);
  };
  for (const e of history.events ?? []) {
    // A patched() marker is written by the SDK's core, outside the data converter: its one payload
    // is the patch id (a name in workflows/, no request data), so it is plaintext under any key.
    if (e.markerRecordedEventAttributes?.markerName === 'core_patch') continue;
    walk(e, temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType));
  }
  return found;
}

void describe('codec key rotation', () => {
  const workers: WorkerProcess[] = [];
  after(() => workers.forEach((w) => w.child.kill('SIGKILL')));

  void it('old operations still decode, a running one completes, new ones use the new key', async () => {
    const s = await createTestStack({
      pollsUntilDone: 10,
      tokens: ['rt-old-done', 'rt-old-running', 'rt-new'].map((id) => ({
        id,
        subjectId: 'emulator-subject',
        clientId: 'client-a',
      })),
    });
    const keyDir = mkdtempSync(join(tmpdir(), 'revocation-keys-'));
    writeFileSync(join(keyDir, 'key-a'), randomBytes(32).toString('base64'), { mode: 0o600 });
    const base = {
      TEMPORAL_ADDRESS: s.address,
      REVOCATION_TASK_QUEUE: s.taskQueue,
      REVOCATION_CONNECTIONS_FILE: s.connectionsFile,
      REVOCATION_CODEC_KEY_DIR: keyDir,
    };
    const raw = new Client({ connection: s.temporal.connection, namespace: 'default' });
    const timing = { ...fastTiming, pollMaxInterval: '200ms' };
    try {
      // Before the rotation: only key A.
      const envA = { ...base, REVOCATION_CODEC_CURRENT_KEY_ID: 'key-a' };
      const workerA = await startWorkerProcess(envA);
      workers.push(workerA);
      const clientA = await RevocationClient.connect({ env: envA });
      const done = await clientA.revoke(
        { provider: 'yandex-cloud', refreshTokenId: 'rt-old-done' },
        { timing },
      );
      assert.equal((await clientA.wait(done.id, { timeout: 90_000 })).done, true);
      const getsBefore = s.emulator.callsOf('Get').length;
      const running = await clientA.revoke(
        { provider: 'yandex-cloud', refreshTokenId: 'rt-old-running' },
        { timing },
      );
      // Mid-flight: revoked at the provider and polling when the worker goes away.
      while (s.emulator.callsOf('Get').length < getsBefore + 3) await delay(20);
      workerA.child.kill('SIGTERM');
      await waitForExit(workerA.child);
      assert.equal((await clientA.get(running.id)).done, false, 'still running across the rotation');
      await clientA.close();

      // The rotation: B is added to every process and made current; A stays to decrypt old histories.
      writeFileSync(join(keyDir, 'key-b'), randomBytes(32).toString('base64'), { mode: 0o600 });
      const envB = { ...base, REVOCATION_CODEC_CURRENT_KEY_ID: 'key-b' };
      const workerB = await startWorkerProcess(envB);
      workers.push(workerB);
      const clientB = await RevocationClient.connect({ env: envB });

      const old = await clientB.get(done.id);
      assert.equal(old.done, true);
      assert.deepEqual(old.response?.refreshTokenIds, ['rt-old-done'], 'a closed operation under A decodes');
      const resumed = await clientB.wait(running.id, { timeout: 90_000 });
      assert.deepEqual(resumed.response?.refreshTokenIds, ['rt-old-running'], 'the running one completes');
      const fresh = await clientB.revoke({ provider: 'yandex-cloud', refreshTokenId: 'rt-new' }, { timing });
      assert.deepEqual((await clientB.wait(fresh.id, { timeout: 90_000 })).response?.refreshTokenIds, [
        'rt-new',
      ]);

      // What the history at rest says, read without a codec.
      const keysIn = async (id: string) =>
        historyPayloads(await raw.workflow.getHandle(id).fetchHistory()).map((p) => ({
          event: p.event,
          key: keyIdOf(p.payload),
        }));
      const oldKeys = await keysIn(done.id);
      assert.ok(oldKeys.length > 0 && oldKeys.every((k) => k.key === 'key-a'), JSON.stringify(oldKeys));
      const newKeys = await keysIn(fresh.id);
      assert.ok(newKeys.length > 0 && newKeys.every((k) => k.key === 'key-b'), JSON.stringify(newKeys));
      const mixed = await keysIn(running.id);
      assert.equal(mixed[0]?.key, 'key-a', 'the running one was started under A');
      const completed = mixed.filter((k) => k.event === 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
      assert.ok(completed.length > 0 && completed.every((k) => k.key === 'key-b'), JSON.stringify(mixed));

      // Positive control: a ring with only B cannot read what A wrote.
      const onlyB = loadCodecKeyring(envB);
      onlyB.keys = new Map([['key-b', onlyB.keys.get('key-b') as Buffer]]);
      const input = (await raw.workflow.getHandle(done.id).fetchHistory()).events?.[0]
        ?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      assert.ok(input);
      await assert.rejects(
        new AesGcmPayloadCodec(onlyB).decode([input as never]),
        (err: unknown) => err instanceof PayloadDecryptionError && err.keyId === 'key-a',
      );
      const clientOnlyB = await RevocationClient.connect({ env: envB, keyring: onlyB });
      await assert.rejects(clientOnlyB.get(done.id), /key-a/);
      await clientOnlyB.close();
      // …and the full ring reads both generations.
      assert.equal((await new AesGcmPayloadCodec(loadCodecKeyring(envB)).decode([input as never])).length, 1);

      await clientB.close();
      workerB.child.kill('SIGTERM');
      await waitForExit(workerB.child);
    } finally {
      await s.close();
    }
  });
});
