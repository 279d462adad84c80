import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BulkRevocationJobInput, BulkRevocationReport } from '../../../api';
import { bulkTargets, type BulkTargets } from '../bulk-fixture';
import { judgeBulk } from '../bulk-fixture';
import {
  newTaskQueue,
  randomMoments,
  secondsSince,
  trackChild,
  waitDone,
  waitForCount,
  WorkerSupervisor,
  type ChaosTemporal,
} from '../harness';
import type { BaselineFigures, ChaosRow } from '../table';

export interface BulkSigkillOptions {
  targets: number;
  kills: number;
  random: () => number;
  timeoutMs: number;
}

/** Kill moments as Revoke-call counts, spread over the job (not in its first or last few percent). */
function killMoments(o: BulkSigkillOptions): number[] {
  return randomMoments(o.random, o.kills, Math.floor(o.targets * 0.03), Math.floor(o.targets * 0.95));
}

/** SIGKILL the worker `kills` times at random moments of a bulk job; the job must count exactly. */
export async function bulkSigkill(t: ChaosTemporal, o: BulkSigkillOptions): Promise<ChaosRow> {
  const started = Date.now();
  const moments = killMoments(o);
  const targets = await bulkTargets(t.dir, 'bulk-kill', o.targets);
  const taskQueue = newTaskQueue('bulk-kill');
  const workers = new WorkerSupervisor(t.workerEnv(taskQueue, targets.connectionsFile));
  const client = await t.revocationClient(taskQueue);
  try {
    await workers.start();
    const id = `chaos-bulk-kill-${Date.now()}`;
    const job: BulkRevocationJobInput = {
      name: 'chaos-bulk-sigkill',
      source: { kind: 'ndjson', path: targets.ndjsonPath },
      pageSize: 250,
      concurrency: 10,
    };
    await (await t.temporal()).workflow.start('bulkRevocation', { taskQueue, workflowId: id, args: [job] });
    for (const at of moments) {
      await waitForCount(() => targets.emulator.calls.length, at);
      await workers.killAndReplace();
    }
    const op = await waitDone(client, id, o.timeoutMs);
    const verdict = judgeBulk(targets, op?.response as BulkRevocationReport | undefined);
    const baseline = await baselineUnderKills(t, o, moments);
    return {
      scenario: `bulk job, ${o.targets} targets, worker SIGKILLs`,
      faults: `${workers.kills} SIGKILL`,
      operations: o.targets,
      lost: verdict.lost,
      doubleCounted: verdict.doubleCounted,
      wrongStates: verdict.wrongStates + (op?.error ? 1 : 0),
      baseline: baseline.figures,
      notes: [
        `kills after ${moments.join(', ')} emulator calls`,
        ...verdict.notes,
        `baseline (plain loop, progress file every 100, same kill moments): ${baseline.note}`,
      ],
      seconds: secondsSince(started),
    };
  } finally {
    await workers.stop();
    await targets.emulator.close();
  }
}

function runLoop(args: string[]): ChildProcess {
  return trackChild(
    spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'baseline-loop.ts'), ...args], {
      cwd: join(__dirname, '..', '..', '..'),
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
}

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => c.once('exit', () => resolve()));

/** The same targets, kill moments and judge, for the plain loop that resumes from its progress file. */
async function baselineUnderKills(
  t: ChaosTemporal,
  o: BulkSigkillOptions,
  moments: number[],
): Promise<{ figures: BaselineFigures; note: string }> {
  const targets: BulkTargets = await bulkTargets(t.dir, 'baseline-kill', o.targets);
  const progress = join(t.dir, 'baseline-progress.json');
  const reportFile = join(t.dir, 'baseline-report.txt');
  const args = [targets.connectionsFile, targets.ndjsonPath, progress, reportFile];
  let kills = 0;
  try {
    let child = runLoop(args);
    for (const at of moments) {
      const reached = await waitForCount(
        () => targets.emulator.calls.length,
        at,
        () => child.exitCode !== null,
      );
      if (!reached) break;
      child.kill('SIGKILL');
      await exited(child);
      kills += 1;
      child = runLoop(args);
    }
    await exited(child);
    const ending =
      child.exitCode === 0 ? 'finished' : `stopped by itself (exit ${child.exitCode ?? child.signalCode})`;
    const lines = existsSync(reportFile) ? readFileSync(reportFile, 'utf8').split('\n').filter(Boolean) : [];
    const seen = new Map<string, string[]>();
    for (const line of lines) {
      const [outcome = '', id = ''] = line.split(' ');
      seen.set(id, [...(seen.get(id) ?? []), outcome]);
    }
    const active = new Set(targets.emulator.activeTokens().map((x) => x.id));
    let lost = 0;
    let doubleCounted = 0;
    let wrongStates = 0;
    for (const id of targets.ids) {
      const outcomes = seen.get(id) ?? [];
      if (outcomes.length === 0 || (active.has(id) && !outcomes.includes('failed'))) lost += 1;
      if (outcomes.length > 1) doubleCounted += 1;
      if (outcomes.includes('failed') && !active.has(id)) wrongStates += 1;
    }
    return {
      figures: { lost, doubleCounted, wrongStates },
      note: `${kills} SIGKILLs, the last run ${ending}; ${lines.length} report lines for ${o.targets} targets, ${active.size} still active`,
    };
  } finally {
    await targets.emulator.close();
  }
}
