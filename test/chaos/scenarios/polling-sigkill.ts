import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startYandexEmulator } from '../../../emulators/yandex-cloud';
import type { Operation } from '../../../api';
import {
  newTaskQueue,
  randomMoments,
  secondsSince,
  waitDone,
  waitForCount,
  WorkerSupervisor,
  writeConnections,
  type ChaosTemporal,
} from '../harness';
import type { ChaosRow } from '../table';

export interface PollingSigkillOptions {
  operations: number;
  kills: number;
  /** OperationService.Get calls before each Yandex operation is done. */
  pollsUntilDone: number;
  random: () => number;
  timeoutMs: number;
}

/**
 * Single revokeTokens operations, each polling a Yandex operation on durable timers, while the
 * worker is killed with SIGKILL at random moments (counted in Get calls, so every kill lands while
 * operations are polling). Each must end revoked, reporting its one token once.
 */
export async function pollingSigkill(t: ChaosTemporal, o: PollingSigkillOptions): Promise<ChaosRow> {
  const started = Date.now();
  const ids = Array.from({ length: o.operations }, (_, i) => `rt-poll-${i}`);
  const emulator = await startYandexEmulator({
    pollsUntilDone: o.pollsUntilDone,
    tokens: ids.map((id) => ({ id, subjectId: 'emulator-subject', clientId: 'chaos' })),
  });
  const rootCertFile = join(t.dir, 'polling-ca.pem');
  writeFileSync(rootCertFile, emulator.rootCert);
  const connectionsFile = writeConnections(t.dir, 'polling', {
    'yandex-cloud': { default: { endpoint: emulator.endpoint, iamToken: emulator.iamToken, rootCertFile } },
  });
  const taskQueue = newTaskQueue('polling');
  const workers = new WorkerSupervisor(t.workerEnv(taskQueue, connectionsFile));
  const client = await t.revocationClient(taskQueue);
  const totalGets = o.operations * o.pollsUntilDone;
  const moments = randomMoments(o.random, o.kills, Math.floor(totalGets * 0.05), Math.floor(totalGets * 0.9));
  try {
    await workers.start();
    const started_ = await Promise.all(
      ids.map((id) =>
        client.revoke(
          { provider: 'yandex-cloud', refreshTokenId: id },
          {
            createdBy: 'chaos-suite',
            timing: { pollInitialInterval: '100ms', pollMaxInterval: '500ms', retryInitialInterval: '100ms' },
          },
        ),
      ),
    );
    for (const at of moments) {
      await waitForCount(() => emulator.callsOf('Get').length, at);
      await workers.killAndReplace();
    }
    const ops = await Promise.all(started_.map((s) => waitDone(client, s.id, o.timeoutMs)));
    const active = new Set(emulator.activeTokens().map((x) => x.id));
    let lost = 0;
    let doubleCounted = 0;
    let wrongStates = 0;
    ops.forEach((op: Operation | undefined, i) => {
      const id = ids[i] as string;
      const tokenIds = (op?.response as { refreshTokenIds?: string[] } | undefined)?.refreshTokenIds ?? [];
      const count = (op?.response as { revokedCount?: number } | undefined)?.revokedCount ?? 0;
      if (active.has(id)) lost += 1;
      if (count > 1 || tokenIds.length > 1) doubleCounted += 1;
      if (!op?.done || op.error || tokenIds[0] !== id) wrongStates += 1;
    });
    const revokes = emulator.callsOf('Revoke').length;
    return {
      scenario: `single operations polling Yandex, worker SIGKILLs`,
      faults: `${workers.kills} SIGKILL`,
      operations: o.operations,
      lost,
      doubleCounted,
      wrongStates,
      notes: [
        `kills after ${moments.join(', ')} Get calls; ${revokes} Revoke calls for ${o.operations} operations, ${emulator.callsOf('Get').length} Get calls`,
      ],
      seconds: secondsSince(started),
    };
  } finally {
    await workers.stop();
    await emulator.close();
  }
}
