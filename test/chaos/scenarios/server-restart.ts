import type { BulkRevocationJobInput, BulkRevocationReport } from '../../../api';
import { bulkTargets, judgeBulk } from '../bulk-fixture';
import {
  newTaskQueue,
  secondsSince,
  waitDone,
  waitForCount,
  WorkerSupervisor,
  type ChaosTemporal,
} from '../harness';
import type { ChaosRow } from '../table';

export interface ServerRestartOptions {
  targets: number;
  /** Restart moments as fractions of the targets revoked, e.g. [0.4]. */
  restartAt: number[];
  /** How long the server stays down. */
  downMs: number;
  timeoutMs: number;
}

/**
 * Stops the Temporal dev server in the middle of a bulk job and starts it again on the same SQLite
 * file and port. The worker process and the client stay up and reconnect; the job must complete
 * with exact counts.
 */
export async function serverRestart(t: ChaosTemporal, o: ServerRestartOptions): Promise<ChaosRow> {
  const started = Date.now();
  const targets = await bulkTargets(t.dir, 'restart', o.targets);
  const taskQueue = newTaskQueue('restart');
  const workers = new WorkerSupervisor(t.workerEnv(taskQueue, targets.connectionsFile));
  const client = await t.revocationClient(taskQueue);
  const restartsBefore = t.restarts;
  try {
    await workers.start();
    const id = `chaos-restart-${Date.now()}`;
    const job: BulkRevocationJobInput = {
      name: 'chaos-server-restart',
      source: { kind: 'ndjson', path: targets.ndjsonPath },
      pageSize: 250,
      concurrency: 10,
    };
    await (await t.temporal()).workflow.start('bulkRevocation', { taskQueue, workflowId: id, args: [job] });
    const revokedAt: number[] = [];
    for (const fraction of o.restartAt) {
      await waitForCount(() => targets.emulator.callsOf('Revoke').length, Math.floor(o.targets * fraction));
      revokedAt.push(targets.emulator.callsOf('Revoke').length);
      await t.restart(o.downMs);
    }
    const op = await waitDone(client, id, o.timeoutMs);
    const verdict = judgeBulk(targets, op?.response as BulkRevocationReport | undefined);
    return {
      scenario: `bulk job, ${o.targets} targets, Temporal server stop/start`,
      faults: `${t.restarts - restartsBefore} server restart`,
      operations: o.targets,
      lost: verdict.lost,
      doubleCounted: verdict.doubleCounted,
      wrongStates: verdict.wrongStates + (op?.error ? 1 : 0),
      notes: [
        `server stopped (SIGTERM) after ${revokedAt.join(', ')} Revoke calls, down ${o.downMs} ms plus its start time, same SQLite file and port`,
        ...verdict.notes,
      ],
      seconds: secondsSince(started),
    };
  } finally {
    await workers.stop();
    await targets.emulator.close();
  }
}
