import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { google } from '@temporalio/proto';
import { Command, CommanderError } from 'commander';
import { InvalidArgumentError, type BulkRevocationJobInput } from '../api';
import { CliContext } from '../cli/context';
import { errorLine, exitCodeOf } from '../cli/exit-codes';
import { addScheduleCommand } from '../cli/schedule';
import {
  backfillBulkSchedule,
  BulkScheduleAlreadyExistsError,
  BulkScheduleNotFoundError,
  createBulkSchedule,
  deleteBulkSchedule,
  describeBulkSchedule,
  listBulkSchedules,
  pauseBulkSchedule,
  triggerBulkSchedule,
  unpauseBulkSchedule,
  updateBulkSchedule,
  type BulkScheduleDescription,
} from '../client/schedules';
import type { BulkOperation } from '../workflows/bulk-revocation';
import { fetchHistory, recordHistory } from './helpers/history';
import { cronSlots, nextCronSlots, nextWallTime, slotDifferences } from './helpers/cron-slots';
import { createTestStack, type TestStack } from './helpers/stack';
import { stackCliEnv } from './helpers/cli';

const run = randomUUID().slice(0, 8);
// The emulator lists only the caller's own subject; jobs tell their tokens apart by client id.
const subject = 'emulator-subject';
const inlineSecret = `yc1.secret-scheduled-${run}-${'x'.repeat(20)}`;

let stack: TestStack;
/** Every schedule a test creates; `after` deletes them and stops their runs. */
const created = new Set<string>();
const sid = (name: string): string => {
  const id = `test-${run}-${name}`;
  created.add(id);
  return id;
};

/** Polls `check` until it returns a value (not undefined) or the deadline passes; schedules are eventually consistent. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await delay(250);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

const describeWhen = (
  id: string,
  ok: (d: BulkScheduleDescription) => boolean,
  what: string,
  timeoutMs?: number,
) =>
  until(
    `${id}: ${what}`,
    async () => {
      const d = await describeBulkSchedule(stack.client, id);
      return ok(d) ? d : undefined;
    },
    timeoutMs,
  );

const BERLIN = 'Europe/Berlin';
const BERLIN_CRON = ['0 3 * * *', '*/15 9-17 * * MON-FRI'];
const DAY = 86_400_000;

/**
 * The times the server says a schedule's spec matches in [from, to) (ListScheduleMatchingTimes).
 * The server leaves out a match at exactly its start time, so the window asked for starts a second
 * early and ends a second early; slots fall on whole minutes.
 */
async function matchingTimes(scheduleId: string, from: Date, to: Date): Promise<Date[]> {
  const ts = (ms: number) =>
    google.protobuf.Timestamp.fromObject({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  const res = await stack.temporal.workflowService.listScheduleMatchingTimes({
    namespace: stack.temporal.options.namespace,
    scheduleId,
    startTime: ts(from.getTime() - 1000),
    endTime: ts(to.getTime() - 1000),
  });
  return (res.startTime ?? []).map(
    (t) => new Date(Number(String(t.seconds ?? 0)) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)),
  );
}

/** Reference times after `after`: the next weekday 10:00 and 20:00 in Berlin, and the next Sunday 10:00. */
function berlinReferenceTimes(after: Date): Date[] {
  const weekday = (d: number) => d >= 1 && d <= 5;
  return [
    nextWallTime(after, BERLIN, 10, 0, weekday),
    nextWallTime(after, BERLIN, 20, 0, weekday),
    nextWallTime(after, BERLIN, 10, 0, (d) => d === 0),
  ];
}

const longJob = (name: string): BulkRevocationJobInput => ({
  name,
  // 20 targets at 2 per second: a run takes about 10 s.
  source: {
    kind: 'inline',
    requests: Array.from({ length: 20 }, (_, i) => ({
      provider: 'yandex-cloud',
      refreshTokenId: `rt-long-${i}`,
    })),
  },
  ratePerSecond: 2,
  concurrency: 2,
});

const quickJob = (name: string): BulkRevocationJobInput => ({
  name,
  source: { kind: 'yandex-list', filter: 'client_id="client-int"' },
  pageSize: 10,
});

before(async () => {
  stack = await createTestStack({
    tokens: [
      ...Array.from({ length: 6 }, (_, i) => ({
        id: `rt-int-${i}`,
        token: `yc1.secret-int-${run}-${i}-${'x'.repeat(20)}`,
        subjectId: subject,
        clientId: 'client-int',
      })),
      ...Array.from({ length: 20 }, (_, i) => ({
        id: `rt-long-${i}`,
        token: `yc1.secret-long-${run}-${i}-${'x'.repeat(20)}`,
        subjectId: subject,
        clientId: 'client-long',
      })),
      {
        id: 'rt-cli-0',
        token: `yc1.secret-cli-${run}-${'x'.repeat(20)}`,
        subjectId: subject,
        clientId: 'client-cli',
      },
    ],
  });
  await stack.startWorker();
});

after(async () => {
  if (!stack) return;
  for (const id of created) {
    await stack.temporal.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
    // Runs outlive their schedule; stop any still running so the next test file starts clean.
    for await (const wf of stack.temporal.workflow.list({
      query: `TemporalScheduledById = '${id}' AND ExecutionStatus = 'Running'`,
    })) {
      await stack.temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('test cleanup')
        .catch(() => undefined);
    }
  }
  await stack.close();
});

void describe('bulk revocation schedules', () => {
  void it('an interval schedule runs the job repeatedly, each run names its schedule; pause stops it; trigger runs it now', async () => {
    const id = sid('interval');
    const d0 = await createBulkSchedule(stack.client, {
      scheduleId: id,
      job: quickJob('every-2s'),
      spec: { every: '2s' },
    });
    assert.equal(d0.overlap, 'SKIP', 'overlap defaults to skip');
    assert.deepEqual(d0.spec.every, ['2s']);
    assert.equal(d0.jobName, 'every-2s');

    const d = await describeWhen(id, (x) => x.recentActions.length >= 2, 'two runs', 15_000);
    const first = d.recentActions[0];
    assert.ok(first);
    for (const a of d.recentActions.slice(0, 2)) {
      assert.ok(a.workflowId.startsWith(`bulk-${id}-`), a.workflowId);
      const op = (await stack.client.wait(a.workflowId, { timeout: 20_000 })) as unknown as BulkOperation;
      assert.equal(op.done, true);
      assert.equal(op.metadata.scheduleId, id, 'the Operation names its schedule');
      assert.equal(op.metadata.name, 'every-2s');
      // The job names no createdBy: each run records the client's identity, not "unknown".
      assert.equal(op.createdBy, stack.client.createdBy);
    }
    // The first run revoked the subject's tokens at the emulator.
    assert.equal(stack.emulator.activeTokens().filter((t) => t.clientId === 'client-int').length, 0);
    recordHistory('schedule-interval-run', await fetchHistory(stack.temporal, first.workflowId));
    // The Web UI's summary and the memo (what `get` falls back on without a worker) name the schedule too.
    const wd = await stack.temporal.workflow.getHandle(first.workflowId).describe();
    assert.match((await wd.staticSummary()) ?? '', new RegExp(`\\(schedule ${id}, by `));
    assert.equal((wd.memo as { scheduleId?: string } | undefined)?.scheduleId, id);

    // The server's own marker, through visibility (eventually consistent).
    const listed = await until('runs in visibility', async () => {
      const ids: string[] = [];
      for await (const wf of stack.temporal.workflow.list({ query: `TemporalScheduledById = '${id}'` })) {
        ids.push(wf.workflowId);
      }
      return ids.length >= 2 ? ids : undefined;
    });
    assert.ok(listed.every((w) => w.startsWith(`bulk-${id}-`)));

    await pauseBulkSchedule(stack.client, id, 'paused by test');
    const paused = await describeBulkSchedule(stack.client, id);
    assert.equal(paused.paused, true);
    assert.equal(paused.note, 'paused by test');
    await delay(1_000); // a run due at the moment of pausing may still be recorded
    const before = (await describeBulkSchedule(stack.client, id)).numActionsTaken;
    await delay(5_000); // more than two intervals
    const still = await describeBulkSchedule(stack.client, id);
    assert.equal(still.numActionsTaken, before, 'no run while paused');

    const policy = await triggerBulkSchedule(stack.client, id);
    assert.equal(policy, 'SKIP', "trigger uses the schedule's overlap policy");
    const triggered = await describeWhen(
      id,
      (x) => x.numActionsTaken === before + 1,
      'the triggered run',
      10_000,
    );
    const last = triggered.recentActions.at(-1);
    assert.ok(
      last && !still.recentActions.some((a) => a.workflowId === last.workflowId),
      'a new run appeared',
    );
    const op = (await stack.client.wait(last.workflowId, { timeout: 20_000 })) as unknown as BulkOperation;
    assert.equal(op.metadata.scheduleId, id);

    await unpauseBulkSchedule(stack.client, id);
    assert.equal((await describeBulkSchedule(stack.client, id)).paused, false);
    await deleteBulkSchedule(stack.client, id);
    await assert.rejects(describeBulkSchedule(stack.client, id), BulkScheduleNotFoundError);
  });

  void it('backfill runs every past slot of the window (paused schedule; buffer-all by default)', async () => {
    const id = sid('backfill');
    await createBulkSchedule(stack.client, {
      scheduleId: id,
      job: { ...quickJob('backfilled'), dryRun: true },
      spec: { every: '1h' },
      paused: true,
    });
    const hour = 3_600_000;
    const H = Math.floor(Date.now() / hour) * hour;
    // Slots H-5h … H-1h; neither end falls on a slot.
    await backfillBulkSchedule(stack.client, id, {
      start: new Date(H - 5 * hour - hour / 2),
      end: new Date(H - hour / 2).toISOString(),
    });
    const d = await describeWhen(id, (x) => x.numActionsTaken >= 5, 'five backfilled runs');
    await delay(1_000);
    const settled = await describeBulkSchedule(stack.client, id);
    assert.equal(settled.numActionsTaken, 5);
    assert.equal(settled.numActionsSkippedOverlap, 0);
    assert.deepEqual(
      d.recentActions.map((a) => a.scheduledAt.getTime()).sort(),
      [5, 4, 3, 2, 1].map((k) => H - k * hour),
    );
    for (const a of d.recentActions) {
      assert.equal(a.workflowId, `bulk-${id}-${a.scheduledAt.toISOString().replace('.000Z', 'Z')}`);
      const op = (await stack.client.wait(a.workflowId, { timeout: 20_000 })) as unknown as BulkOperation;
      assert.equal(op.metadata.scheduleId, id);
    }
  });

  void it('overlap skip holds: a second trigger while a run is running is skipped', async () => {
    const id = sid('skip');
    await createBulkSchedule(stack.client, {
      scheduleId: id,
      job: longJob('long-run'),
      spec: { every: '1h' },
      paused: true,
    });
    await triggerBulkSchedule(stack.client, id);
    const running = await describeWhen(id, (x) => x.running.length === 1, 'one run running');
    await triggerBulkSchedule(stack.client, id);
    const d = await describeWhen(id, (x) => x.numActionsSkippedOverlap > 0, 'a skipped trigger');
    assert.equal(d.running.length, 1, 'only one run');
    assert.equal(d.running[0]?.workflowId, running.running[0]?.workflowId);
    assert.equal(d.numActionsTaken, 1);
    const op = (await stack.client.get(running.running[0]?.workflowId ?? '')) as unknown as BulkOperation;
    assert.equal(op.done, false, 'the first run is still running');
    await stack.temporal.workflow.getHandle(running.running[0]?.workflowId ?? '').terminate('test done');
  });

  void it('cron round trip in a time zone; update changes timing, job and overlap', async () => {
    const id = sid('cron');
    const before = new Date();
    const d = await createBulkSchedule(stack.client, {
      scheduleId: id,
      job: { ...quickJob('nightly'), dryRun: true },
      spec: { cron: BERLIN_CRON, timezone: BERLIN },
      paused: true,
      note: 'created paused',
    });
    const described = new Date();
    assert.deepEqual(d.spec, { cron: BERLIN_CRON, every: [], timezone: BERLIN });
    assert.equal(d.paused, true);
    assert.equal(d.note, 'created paused');
    // The next action times are the spec's next slots in Berlin, whatever the time of day: the
    // first is the first slot after some instant between create and describe, the rest follow it.
    assert.ok(d.nextActionTimes.length > 0);
    const [first] = d.nextActionTimes;
    const earliest = nextCronSlots(BERLIN_CRON, BERLIN, before, 1)[0];
    const latest = nextCronSlots(BERLIN_CRON, BERLIN, described, 1)[0];
    assert.ok(
      first && earliest && latest && first >= earliest && first <= latest,
      `first next action ${first?.toISOString()}, expected between ${earliest?.toISOString()} and ${latest?.toISOString()}`,
    );
    assert.deepEqual(
      slotDifferences(
        d.nextActionTimes,
        nextCronSlots(BERLIN_CRON, BERLIN, first, d.nextActionTimes.length),
        BERLIN,
      ),
      [],
    );

    // Both lines read in Berlin: the server's matching times over a day from each reference time
    // (a weekday morning, a weekday evening, a Sunday) are exactly the spec's slots.
    for (const ref of berlinReferenceTimes(described)) {
      const to = new Date(ref.getTime() + DAY);
      assert.deepEqual(
        slotDifferences(await matchingTimes(id, ref, to), cronSlots(BERLIN_CRON, BERLIN, ref, to), BERLIN),
        [],
        `from ${ref.toISOString()}`,
      );
    }

    const u1 = await updateBulkSchedule(stack.client, id, {
      spec: { every: '30m', offset: '5m' },
      overlap: 'BUFFER_ONE',
    });
    assert.deepEqual(u1.spec.every, ['30m+5m']);
    assert.deepEqual(u1.spec.cron, []);
    assert.equal(u1.overlap, 'BUFFER_ONE');
    assert.equal(u1.paused, true, 'update keeps the state');
    const u2 = await updateBulkSchedule(stack.client, id, {
      job: { ...quickJob('nightly-v2'), dryRun: true },
    });
    assert.equal(u2.jobName, 'nightly-v2');
    assert.equal(u2.job.name, 'nightly-v2');
    assert.deepEqual(u2.spec.every, ['30m+5m'], 'a job change keeps the timing');
    const u3 = await updateBulkSchedule(stack.client, id, {
      spec: { cron: '30 2 * * *', timezone: 'America/New_York' },
    });
    assert.deepEqual(u3.spec, { cron: ['30 2 * * *'], every: [], timezone: 'America/New_York' });

    const listed = await until('the schedule in list', async () =>
      (await listBulkSchedules(stack.client)).find((s) => s.scheduleId === id && s.jobName === 'nightly-v2'),
    );
    assert.equal(listed.paused, true);
  });

  void it('control: the same cron read as UTC fails the Berlin check at every reference time', async () => {
    // What the cron test would see if the server ignored the time zone: its check must fail.
    const id = sid('cron-utc');
    const d = await createBulkSchedule(stack.client, {
      scheduleId: id,
      job: { ...quickJob('nightly-utc'), dryRun: true },
      spec: { cron: BERLIN_CRON, timezone: 'UTC' },
      paused: true,
    });
    assert.equal(d.spec.timezone, 'UTC');
    for (const ref of berlinReferenceTimes(new Date())) {
      const to = new Date(ref.getTime() + DAY);
      const utc = await matchingTimes(id, ref, to);
      assert.deepEqual(
        slotDifferences(utc, cronSlots(BERLIN_CRON, 'UTC', ref, to), 'UTC'),
        [],
        'read as UTC',
      );
      const diff = slotDifferences(utc, cronSlots(BERLIN_CRON, BERLIN, ref, to), BERLIN);
      assert.ok(diff.length > 0, `from ${ref.toISOString()} the UTC reading passed the Berlin check`);
      assert.ok(
        diff.some((line) => / 03:00 Europe\/Berlin\)$/.test(line)),
        `the 03:00 Berlin slot is missing from the UTC reading: ${diff.join('; ')}`,
      );
    }
  });

  void it('invalid input names the field, before anything is sent; taken and unknown ids are reported', async () => {
    const attempt = (o: Partial<Parameters<typeof createBulkSchedule>[1]>) =>
      createBulkSchedule(stack.client, {
        scheduleId: `test-${run}-never`,
        job: quickJob('ok'),
        spec: { every: '1h' },
        ...o,
      } as Parameters<typeof createBulkSchedule>[1]);
    const fields = async (o: Partial<Parameters<typeof createBulkSchedule>[1]>): Promise<string[]> => {
      try {
        await attempt(o);
      } catch (err) {
        assert.ok(err instanceof InvalidArgumentError, String(err));
        return err.violations.map((v) => v.field);
      }
      assert.fail('accepted');
    };
    assert.deepEqual(
      await fields({
        scheduleId: 'has space',
        job: { name: 'bad name!', source: { kind: 'ndjson', path: 'relative.ndjson' } },
        spec: { cron: '0 3 * * *', every: '1h', timezone: 'Mars/Olympus' },
        overlap: 'SOMETIMES' as never,
      }),
      ['scheduleId', 'job.name', 'job.source.path', 'spec', 'spec.timezone', 'overlap'],
    );
    assert.deepEqual(await fields({ spec: {} }), ['spec']);
    assert.deepEqual(await fields({ spec: { every: '500ms' } }), ['spec.every']);
    assert.deepEqual(await fields({ spec: { every: 'hourly' } }), ['spec.every']);
    assert.deepEqual(await fields({ spec: { every: '1h', offset: '2h' } }), ['spec.offset']);
    assert.deepEqual(await fields({ spec: { cron: '0 3 *', offset: '1m' } }), ['spec.cron', 'spec.offset']);
    assert.deepEqual(await fields({ spec: { cron: ['0 3 * * *', ''] } }), ['spec.cron.1']);
    assert.deepEqual(await fields({ catchupWindow: '1s' }), ['catchupWindow']);
    // Go's zone database is case-sensitive; caught here, before the server would refuse it.
    assert.deepEqual(await fields({ spec: { cron: '0 3 * * *', timezone: 'europe/berlin' } }), [
      'spec.timezone',
    ]);
    // The server's own cron check (minute 61) also names the field.
    assert.deepEqual(await fields({ spec: { cron: '61 3 * * *' } }), ['spec.cron']);
    await assert.rejects(describeBulkSchedule(stack.client, `test-${run}-never`), BulkScheduleNotFoundError);

    const id = sid('dup');
    await createBulkSchedule(stack.client, {
      scheduleId: id,
      job: quickJob('dup'),
      spec: { every: '1h' },
      paused: true,
    });
    await assert.rejects(
      createBulkSchedule(stack.client, { scheduleId: id, job: quickJob('dup'), spec: { every: '1h' } }),
      (err: unknown) =>
        err instanceof BulkScheduleAlreadyExistsError &&
        err.scheduleId === id &&
        /scheduleId/.test(err.message),
    );
    await assert.rejects(
      backfillBulkSchedule(stack.client, id, { start: '2026-01-02T00:00:00Z', end: '2026-01-01T00:00:00Z' }),
      (err: unknown) => err instanceof InvalidArgumentError && err.violations[0]?.field === 'end',
    );
    await assert.rejects(updateBulkSchedule(stack.client, id, {}), InvalidArgumentError);

    // A schedule of some other workflow is not ours to touch.
    const foreign = sid('foreign');
    await stack.temporal.schedule.create({
      scheduleId: foreign,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'somethingElse', taskQueue: stack.taskQueue, args: [] },
      state: { paused: true },
    });
    await assert.rejects(deleteBulkSchedule(stack.client, foreign), /not a bulk revocation schedule/);
    await stack.temporal.schedule.getHandle(foreign).describe();
  });
});

// ---- the CLI, wired exactly as cli/main.ts + cli/program.ts wire it ----

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    stdin: Readable.from([stdin]),
  };
  const ctx = new CliContext(io);
  const program = new Command('revoke')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(`${s.trim()} (see --help)\n`),
    })
    .exitOverride();
  addScheduleCommand(program, ctx);
  let code: number;
  try {
    await program.parseAsync(['node', 'revoke', ...args], { from: 'node' });
    code = ctx.exitCode;
  } catch (err) {
    if (!(err instanceof CommanderError)) io.stderr.write(`${errorLine(err)}\n`);
    code = exitCodeOf(err);
  } finally {
    await ctx.close();
  }
  return { code, stdout, stderr };
}

function cliEnv(s: TestStack): NodeJS.ProcessEnv {
  return stackCliEnv(s, { USER: 'schedule-tester' });
}

const unreachableEnv: NodeJS.ProcessEnv = {
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  REVOCATION_CONNECT_TIMEOUT: '1s',
  REVOCATION_CODEC_KEY: Buffer.alloc(32, 7).toString('base64'),
};

void describe('revoke schedule (CLI)', () => {
  void it('create, describe, list, update, pause, trigger, delete round trip with exit codes', async () => {
    const env = cliEnv(stack);
    const id = sid('cli');
    const job = JSON.stringify({
      name: 'cli-job',
      source: { kind: 'yandex-list', filter: 'client_id="client-cli"' },
    });

    const c = await cli(
      ['schedule', 'create', '--schedule-id', id, '--every', '1h', '--paused', '--job', job, '--json'],
      env,
    );
    assert.equal(c.code, 0, c.stderr);
    const createdJson = JSON.parse(c.stdout) as {
      scheduleId: string;
      paused: boolean;
      spec: { every: string[] };
      job: { createdBy?: string };
    };
    assert.equal(createdJson.scheduleId, id);
    assert.equal(createdJson.paused, true);
    assert.deepEqual(createdJson.spec.every, ['1h']);
    assert.equal(
      createdJson.job.createdBy,
      `schedule-tester@${hostname()}`,
      'createdBy defaults to user@host',
    );

    const dup = await cli(['schedule', 'create', '--schedule-id', id, '--every', '1h', '--job', job], env);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, new RegExp(`scheduleId: a schedule ${id} already exists`));

    const text = await cli(['schedule', 'describe', id], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /spec\s+every 1h/);
    assert.match(text.stdout, /state\s+PAUSED/);
    assert.match(text.stdout, /overlap\s+SKIP/);

    const upd = await cli(
      [
        'schedule',
        'update',
        id,
        '--cron',
        '0 3 * * *',
        '--timezone',
        'Europe/Berlin',
        '--overlap',
        'buffer-one',
        '--json',
      ],
      env,
    );
    assert.equal(upd.code, 0, upd.stderr);
    const updated = JSON.parse(upd.stdout) as { spec: { cron: string[]; timezone: string }; overlap: string };
    assert.deepEqual(
      [updated.spec.cron, updated.spec.timezone, updated.overlap],
      [['0 3 * * *'], 'Europe/Berlin', 'BUFFER_ONE'],
    );

    const listed = await until('the schedule in `schedule list`', async () => {
      const l = await cli(['schedule', 'list', '--json'], env);
      assert.equal(l.code, 0, l.stderr);
      // Visibility follows the update a moment later: wait for the new timing too.
      return (JSON.parse(l.stdout) as Array<{ scheduleId: string; spec: { cron: string[] } }>).find(
        (s) => s.scheduleId === id && s.spec.cron[0] === '0 3 * * *',
      );
    });
    assert.ok(listed);
    const table = await cli(['schedule', 'list'], env);
    assert.match(
      table.stdout,
      new RegExp(`${id}\\s+cli-job\\s+cron "0 3 \\* \\* \\*" \\(Europe/Berlin\\)\\s+PAUSED`),
    );

    const p = await cli(['schedule', 'pause', id, '--note', 'incident 42'], env);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /paused schedule .* \(incident 42\)/);

    const t = await cli(['schedule', 'trigger', id, '--json'], env);
    assert.equal(t.code, 0, t.stderr);
    assert.deepEqual(JSON.parse(t.stdout), { scheduleId: id, triggered: true, overlap: 'BUFFER_ONE' });
    const ran = await describeWhen(id, (x) => x.recentActions.length === 1, 'the triggered run');
    const op = (await stack.client.wait(ran.recentActions[0]?.workflowId ?? '', {
      timeout: 20_000,
    })) as unknown as BulkOperation;
    assert.equal(op.metadata.scheduleId, id);
    assert.equal(op.response?.succeeded, 1);

    const del = await cli(['schedule', 'delete', id, '--json'], env);
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual(JSON.parse(del.stdout), { scheduleId: id, deleted: true });
    const gone = await cli(['schedule', 'describe', id], env);
    assert.equal(gone.code, 5);
    assert.match(gone.stderr, new RegExp(`schedule ${id} not found`));
    assert.equal((await cli(['schedule', 'delete', id], env)).code, 5);
  });

  void it('bad input exits 2 naming the flag and field, also with Temporal unreachable; inline secrets stay off argv and out of output', async () => {
    const job = JSON.stringify({ name: 'j', source: { kind: 'yandex-list', subjectId: 's' } });
    const tz = await cli(
      [
        'schedule',
        'create',
        '--schedule-id',
        'x',
        '--every',
        '1h',
        '--timezone',
        'Nowhere/City',
        '--job',
        job,
      ],
      unreachableEnv,
    );
    assert.equal(tz.code, 2);
    assert.match(tz.stderr, /--timezone \(spec\.timezone\): must be an IANA time zone/);
    const both = await cli(
      ['schedule', 'create', '--schedule-id', 'x', '--every', '1h', '--cron', '0 3 * * *', '--job', job],
      unreachableEnv,
    );
    assert.equal(both.code, 2);
    const none = await cli(['schedule', 'create', '--schedule-id', 'x', '--job', job], unreachableEnv);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--every\/--cron \(spec\)/);
    const badJob = await cli(
      ['schedule', 'create', '--schedule-id', 'x', '--every', '1h', '--job', '{"name":"j"}'],
      unreachableEnv,
    );
    assert.equal(badJob.code, 2);
    assert.match(badJob.stderr, /--job\/--job-file \(job\.source\)/);
    const overlap = await cli(
      ['schedule', 'create', '--schedule-id', 'x', '--every', '1h', '--overlap', 'maybe', '--job', job],
      unreachableEnv,
    );
    assert.equal(overlap.code, 2);
    const range = await cli(
      ['schedule', 'backfill', 'x', '--start', 'yesterday', '--end', '2026-01-01T00:00:00Z'],
      unreachableEnv,
    );
    assert.equal(range.code, 2);
    assert.match(range.stderr, /--start \(start\)/);
    // Validation passed, no server: exit 3.
    assert.equal(
      (await cli(['schedule', 'create', '--schedule-id', 'x', '--every', '1h', '--job', job], unreachableEnv))
        .code,
      3,
    );

    const secretJob = {
      name: 'secret-inline',
      source: { kind: 'inline', requests: [{ provider: 'yandex-cloud', refreshToken: inlineSecret }] },
    };
    const onArgv = await cli(
      ['schedule', 'create', '--schedule-id', 'x', '--every', '1h', '--job', JSON.stringify(secretJob)],
      unreachableEnv,
    );
    assert.equal(onArgv.code, 2);
    assert.match(onArgv.stderr, /job\.source\.requests\.0\.refreshToken.*--job-file/);
    assert.ok(!onArgv.stderr.includes(inlineSecret));

    // From a file (or stdin) it is accepted, and describe counts the requests without printing them.
    const env = cliEnv(stack);
    const id = sid('cli-secret');
    const dir = mkdtempSync(join(tmpdir(), 'schedule-'));
    const file = join(dir, 'job.json');
    writeFileSync(file, JSON.stringify(secretJob));
    const c = await cli(
      ['schedule', 'create', '--schedule-id', id, '--every', '1h', '--paused', '--job-file', file],
      env,
    );
    assert.equal(c.code, 0, c.stderr);
    const fromStdin = await cli(
      ['schedule', 'update', id, '--job-file', '-', '--json'],
      env,
      JSON.stringify(secretJob),
    );
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    const asJson = await cli(['schedule', 'describe', id, '--json'], env);
    const asText = await cli(['schedule', 'describe', id], env);
    for (const out of [c.stdout, fromStdin.stdout, asJson.stdout, asText.stdout]) {
      assert.ok(!out.includes(inlineSecret), 'no inline secret in output');
    }
    assert.match(asJson.stdout, /"requestCount": 1/, 'positive control: the inline source is described');
    assert.match(asText.stdout, /secret-inline: 1 inline requests/);
    // The schedule does hold the job (encrypted by the codec) for its runs.
    const stored = await describeBulkSchedule(stack.client, id);
    assert.deepEqual(stored.job.source, secretJob.source);
  });

  void it('--help shows the subcommands with examples, exit codes and overlap policies', async () => {
    const top = await cli(['schedule', '--help'], {});
    assert.equal(top.code, 0);
    for (const sub of [
      'create',
      'list',
      'describe',
      'update',
      'pause',
      'unpause',
      'trigger',
      'backfill',
      'delete',
    ]) {
      assert.match(top.stdout, new RegExp(`^\\s+${sub}\\b`, 'm'), sub);
    }
    assert.match(top.stdout, /Examples:\n\s+\$ revoke schedule create/);
    assert.match(top.stdout, /5\s+no bulk revocation schedule has the id/);
    const create = await cli(['schedule', 'create', '--help'], {});
    assert.equal(create.code, 0);
    assert.match(create.stdout, /skip\s+the due run is dropped \(default/);
    assert.match(create.stdout, /--timezone <zone>/);
    assert.match(
      create.stdout,
      /\$ revoke schedule create --schedule-id nightly-yandex --cron "0 3 \* \* \*"/,
    );
  });
});
