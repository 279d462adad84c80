import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CommanderError } from 'commander';
import { BulkTypeUrl, Code, type BulkRevocationReport } from '../api';
import { bulkJobId, getBulkJob, type BulkJobOperation } from '../client/bulk-jobs';
import { addBulkCommand } from '../cli/bulk';
import { CliContext } from '../cli/context';
import { errorLine, exitCodeOf } from '../cli/exit-codes';
import { buildProgram } from '../cli/program';
import { createBulkProgress, formatEta, RateWindow } from '../cli/progress';
import { createTestStack, type TestStack } from './helpers/stack';
import { fetchHistory, recordHistory } from './helpers/history';

const subject = `bulk-cli-${randomUUID().slice(0, 8)}`;

interface Write {
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  writes: Write[];
}

/**
 * `runCli` with the bulk command registered: the program as cli/main.ts builds it, plus
 * `addBulkCommand` when program.ts does not register it yet.
 */
async function run(args: string[], env: NodeJS.ProcessEnv, options: { tty?: boolean } = {}): Promise<Run> {
  const writes: Write[] = [];
  const sink = (stream: Write['stream']) => ({
    write: (text: string) => writes.push({ at: Date.now(), stream, text }),
    ...(stream === 'stderr' && options.tty ? { isTTY: true, columns: 120 } : {}),
  });
  const ctx = new CliContext({
    stdout: sink('stdout'),
    stderr: sink('stderr'),
    env,
    stdin: Readable.from(['']),
  });
  let code: number;
  try {
    const program = buildProgram(ctx);
    if (!program.commands.some((c) => c.name() === 'bulk')) addBulkCommand(program, ctx);
    await program.parseAsync(['node', 'revoke', ...args], { from: 'node' });
    code = ctx.exitCode;
  } catch (err) {
    if (!(err instanceof CommanderError)) ctx.io.stderr.write(`${errorLine(err)}\n`);
    code = exitCodeOf(err);
  } finally {
    await ctx.close();
  }
  const text = (s: Write['stream']) =>
    writes
      .filter((w) => w.stream === s)
      .map((w) => w.text)
      .join('');
  return { code, stdout: text('stdout'), stderr: text('stderr'), writes };
}

const opOf = (r: Run): BulkJobOperation => JSON.parse(r.stdout) as BulkJobOperation;

function ndjson(ids: string[], extra: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulk-cli-'));
  const path = join(dir, 'targets.ndjson');
  const lines = ids.map((id) => JSON.stringify({ provider: 'yandex-cloud', refreshTokenId: id }));
  writeFileSync(path, [...lines, ...extra].join('\n') + '\n');
  return path;
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => `rt-${from + i}`);

/** Env with a valid key but no Temporal: whatever passes validation fails with exit 3, not 2. */
const unreachableEnv: NodeJS.ProcessEnv = {
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  REVOCATION_CONNECT_TIMEOUT: '1s',
  REVOCATION_CODEC_KEY: Buffer.alloc(32, 7).toString('base64'),
};

let stack: TestStack;
let env: NodeJS.ProcessEnv;

before(async () => {
  stack = await createTestStack({
    // The caller owns the tokens (a token of another subject is NOT_FOUND: "already revoked").
    iamTokens: { 'emulator-iam-token': subject },
    tokens: [
      ...range(0, 400).map((id) => ({
        id,
        token: `yc1.secret-${id}-${'x'.repeat(20)}`,
        subjectId: subject,
        clientId: 'client-a',
      })),
      ...Array.from({ length: 5 }, (_, i) => ({
        id: `dry-${i}`,
        token: `yc1.secret-dry-${i}-${'x'.repeat(20)}`,
        subjectId: subject,
        clientId: 'client-dry',
      })),
    ],
  });
  await stack.startWorker();
  const key = stack.keyring.keys.get('test');
  assert.ok(key);
  env = {
    TEMPORAL_ADDRESS: stack.address,
    REVOCATION_TASK_QUEUE: stack.taskQueue,
    REVOCATION_CODEC_KEY: key.toString('base64'),
    REVOCATION_CODEC_KEY_ID: 'test',
    USER: 'bulk-cli-test',
  };
});

after(async () => {
  await stack.close();
});

const active = () => new Set(stack.emulator.activeTokens().map((t) => t.id));

void describe('revoke bulk start', () => {
  void it('an NDJSON job from flags with --wait --json: done, exact counts, every target revoked', async () => {
    const ids = range(0, 20);
    const r = await run(
      [
        'bulk',
        'start',
        '--name',
        'cli-ndjson',
        '--ndjson',
        ndjson(ids),
        '--page-size',
        '7',
        '--wait',
        '--json',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const op = opOf(r);
    assert.equal(op.done, true);
    assert.equal(op.metadata['@type'], BulkTypeUrl.metadata);
    assert.equal(op.createdBy, `bulk-cli-test@${hostname()}`, 'user@host is the default --created-by');
    const report = op.response as BulkRevocationReport;
    assert.deepEqual(
      [report.processed, report.succeeded, report.failed, report.total, report.pages],
      [20, 20, 0, 20, 3],
    );
    const left = active();
    assert.ok(
      ids.every((id) => !left.has(id)),
      'every listed token was revoked',
    );
    assert.ok(left.has('rt-20'), 'positive control: a token not in the file is still active');
    recordHistory('bulk-cli-ndjson', await fetchHistory(stack.temporal, op.id));
  });

  void it('failed targets: exit 1, the human report lists counts and each failure with fingerprint, code, message', async () => {
    const path = ndjson(range(20, 5), ['{not json', JSON.stringify({ provider: 'nope' })]);
    const r = await run(['bulk', 'start', '--name', 'cli-failures', '--ndjson', path, '--wait'], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^status\s+DONE WITH 2 FAILED TARGETS$/m);
    assert.match(r.stdout, /^ {2}processed\s+7 of 7$/m);
    assert.match(r.stdout, /^ {2}succeeded\s+5$/m);
    assert.match(r.stdout, /^ {2}failed\s+2$/m);
    assert.match(r.stdout, /^ {2}#5\s+line 5\s+INVALID_ARGUMENT \(3\): line is not valid JSON$/m);
    assert.match(
      r.stdout,
      /^ {2}#6\s+sha256:[0-9a-f]{16}\s+INVALID_ARGUMENT \(3\): invalid argument: request/m,
    );
    // The counts are aligned: every number ends in the same column.
    const counts = r.stdout
      .split('\n')
      .filter((l) => /^ {2}(processed|succeeded|already revoked|failed|skipped)\s/.test(l));
    assert.equal(counts.length, 5);
    assert.equal(new Set(counts.map((l) => l.replace(/ of \d+$/, '').length)).size, 1, counts.join('\n'));
    assert.match(r.stderr, /finished with 2 failed targets of 7/);
  });

  void it('a dry run from a Yandex listing lists what would be revoked and revokes nothing', async () => {
    const r = await run(
      [
        'bulk',
        'start',
        '--name',
        'cli-dry',
        '--yandex-list',
        '--subject-id',
        subject,
        '--filter',
        'client_id="client-dry"',
        '--dry-run',
        '--wait',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^job\s+cli-dry \(dry run: nothing revoked\)$/m);
    assert.match(r.stdout, /^ {2}skipped\s+5$/m);
    assert.match(r.stdout, /^would revoke\n( {2}sha256:[0-9a-f]{16} refresh token id dry-\d\n){5}/m);
    assert.equal([...active()].filter((id) => id.startsWith('dry-')).length, 5);
  });

  void it('while --wait runs without a TTY, plain progress lines appear on stderr before the report', async () => {
    const path = ndjson(range(40, 60));
    const r = await run(
      [
        'bulk',
        'start',
        '--name',
        'cli-progress',
        '--ndjson',
        path,
        '--page-size',
        '10',
        '--concurrency',
        '1',
        '--rate',
        '20',
        '--wait',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const reportAt = r.writes.find((w) => w.stream === 'stdout')?.at ?? 0;
    const lines = r.writes.filter((w) => w.stream === 'stderr' && /^bulk-\S+: RUNNING /.test(w.text));
    assert.ok(lines.length >= 2, `progress lines: ${r.stderr}`);
    assert.ok(
      lines.every((l) => l.at <= reportAt && l.text.endsWith('\n') && !l.text.includes('\x1b')),
      'plain lines, before the report',
    );
    const midway = lines
      .map((l) => /RUNNING (\d+)\/60 \(\d+%\) processed, [\d.?]+\/s, ETA \S+, 0 failed/.exec(l.text))
      .filter((m) => m !== null)
      .map((m) => Number(m[1]));
    assert.ok(
      midway.some((p) => p > 0 && p < 60),
      `a line shows the job midway: ${r.stderr}`,
    );
    assert.match(r.stdout, /^status\s+SUCCEEDED$/m);
    assert.match(r.stdout, /^ {2}processed\s+60 of 60$/m);
  });
});

void describe('revoke bulk status, pause, throttle, resume, cancel', () => {
  void it('status → pause (PAUSED, no calls) → throttle (rate changed) → resume → wait: done', async () => {
    const ids = range(100, 60);
    const started = await run(
      [
        'bulk',
        'start',
        '--name',
        'cli-lifecycle',
        '--ndjson',
        ndjson(ids),
        '--page-size',
        '5',
        '--concurrency',
        '1',
        '--rate',
        '20',
        '--json',
      ],
      env,
    );
    assert.equal(started.code, 0, started.stderr);
    const id = opOf(started).id;
    assert.match(id, /^bulk-[0-9a-f-]{36}$/);
    assert.equal(opOf(started).done, false);

    const status = await run(['bulk', 'status', id, '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(opOf(status).done, false);
    assert.equal(opOf(status).metadata.name, 'cli-lifecycle');

    const paused = await run(['bulk', 'pause', id, '--json'], env);
    assert.equal(paused.code, 0, paused.stderr);
    assert.equal(opOf(paused).metadata.phase, 'PAUSED');
    await delay(600); // the page in flight (at most 5 targets at 20/s) finishes
    const atPause = stack.emulator.callsOf('Revoke').length;
    await delay(700);
    assert.equal(stack.emulator.callsOf('Revoke').length, atPause, 'no provider calls while paused');

    const human = await run(['bulk', 'status', id], env);
    assert.match(human.stdout, /^status\s+PAUSED$/m);
    assert.match(human.stdout, /^throttle\s+concurrency 1, at most 20\/s/m);

    const badRate = await run(['bulk', 'throttle', id, '--rate', '0'], env);
    assert.equal(badRate.code, 2);
    assert.match(badRate.stderr, /--rate\/--no-rate \(ratePerSecond\): must be a number above 0/);
    const badConcurrency = await run(['bulk', 'throttle', id, '--concurrency', '500'], env);
    assert.equal(badConcurrency.code, 2);
    assert.match(badConcurrency.stderr, /--concurrency \(concurrency\): must be an integer from 1 to 100/);

    const throttled = await run(
      ['bulk', 'throttle', id, '--rate', '200', '--concurrency', '4', '--json'],
      env,
    );
    assert.equal(throttled.code, 0, throttled.stderr);
    assert.equal(opOf(throttled).metadata.ratePerSecond, 200);
    assert.equal(opOf(throttled).metadata.concurrency, 4);

    const resumed = await run(['bulk', 'resume', id, '--json'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.notEqual(opOf(resumed).metadata.phase, 'PAUSED');

    const waited = await run(['wait', id, '--json', '--timeout', '30s'], env);
    assert.equal(waited.code, 0, waited.stderr);
    const done = opOf(waited);
    assert.equal(done.done, true);
    assert.equal(done.response?.processed, 60);
    assert.equal(done.response?.succeeded, 60);
    assert.equal(done.metadata.ratePerSecond, 200);
    const left = active();
    assert.ok(ids.every((t) => !left.has(t)));

    const again = await run(['bulk', 'pause', id], env);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /already done; nothing to pause/);
    assert.match(again.stdout, /^status\s+SUCCEEDED$/m);
    const late = await run(['bulk', 'throttle', id, '--rate', '5'], env);
    assert.equal(late.code, 0, late.stderr);
    assert.match(late.stderr, /already done; nothing to throttle/);
    const lateCancel = await run(['bulk', 'cancel', id], env);
    assert.equal(lateCancel.code, 0, lateCancel.stderr);
    assert.match(lateCancel.stderr, /was already done; nothing to cancel/);
    recordHistory('bulk-cli-lifecycle', await fetchHistory(stack.temporal, id));
  });

  void it('cancel: the job stops after the page in flight; cancel and the waiting start both exit 1 with the report', async () => {
    const requestId = `cli-cancel-${randomUUID()}`;
    const id = bulkJobId(requestId);
    const args = [
      'bulk',
      'start',
      '--name',
      'cli-cancel',
      '--ndjson',
      ndjson(range(200, 100)),
      '--page-size',
      '10',
      '--concurrency',
      '2',
      '--rate',
      '25',
      '--request-id',
      requestId,
    ];
    const waiting = run([...args, '--wait', '--json', '--no-progress'], env);
    for (;;) {
      const op = await getBulkJob(stack.client, id).catch(() => undefined);
      if (op && op.metadata.processed >= 10) break;
      await delay(50);
    }
    const repeated = await run([...args, '--json'], env);
    assert.equal(opOf(repeated).id, id, 'the same --request-id returns the same job');

    const cancelled = await run(['bulk', 'cancel', id], env);
    assert.equal(cancelled.code, 1, cancelled.stderr);
    assert.match(cancelled.stdout, /^status\s+FAILED CANCELLED$/m);
    assert.match(cancelled.stdout, /^report\n {2}processed\s+\d+ of 100$/m);
    assert.match(
      cancelled.stderr,
      /ended with CANCELLED \(1\): cancelled after \d+ targets; \d+ targets were processed/,
    );

    const w = await waiting;
    assert.equal(w.code, 1, w.stderr);
    assert.equal(w.stderr.split('\n').filter((l) => l.startsWith('bulk-')).length, 0, '--no-progress');
    const op = opOf(w);
    assert.equal(op.error?.code, Code.CANCELLED);
    const report = op.error?.details[0] as unknown as BulkRevocationReport;
    assert.equal(report.cancelled, true);
    assert.equal(report.processed % 10, 0, 'whole pages only');
    assert.ok(report.processed < 100);
    assert.equal(
      report.processed,
      stack.emulator.callsOf('Revoke').filter((c) => /rt-(2\d\d)\b/.test(JSON.stringify(c))).length,
    );
  });

  void it('with no worker: a job from --file starts, and status shows it from its memo; terminated, it is done', async () => {
    const noWorker = { ...env, REVOCATION_TASK_QUEUE: `no-worker-${randomUUID()}` };
    const dir = mkdtempSync(join(tmpdir(), 'bulk-cli-'));
    const file = join(dir, 'job.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'from-file',
        source: { kind: 'ndjson', path: ndjson(['rt-399']) },
        concurrency: 3,
        createdBy: 'file-author',
      }),
    );
    const started = await run(['bulk', 'start', '--file', file, '--rate', '7', '--json'], noWorker);
    assert.equal(started.code, 0, started.stderr);
    const id = opOf(started).id;
    const status = await run(['bulk', 'status', id, '--json'], noWorker);
    assert.equal(status.code, 0, status.stderr);
    const op = opOf(status);
    assert.deepEqual(
      [op.done, op.metadata.name, op.metadata.concurrency, op.metadata.ratePerSecond, op.createdBy],
      [false, 'from-file', 3, 7, 'file-author'],
    );
    assert.match(op.description, /^Bulk revocation from-file: NDJSON file \//);
    await stack.temporal.workflow.getHandle(id).terminate('test');
    const ended = await run(['bulk', 'status', id], noWorker);
    assert.equal(ended.code, 1);
    assert.match(ended.stdout, /^status\s+FAILED ABORTED$/m);
    assert.match(ended.stderr, /ended with ABORTED \(10\): operation terminated/);
  });

  void it('unknown ids exit 5; an operation that is not a job exits 2', async () => {
    for (const cmd of ['status', 'pause', 'resume', 'cancel']) {
      const r = await run(['bulk', cmd, `bulk-${randomUUID()}`], env);
      assert.equal(r.code, 5, `${cmd}: ${r.stderr}`);
      assert.match(r.stderr, /not found/);
    }
    const t = await run(['bulk', 'throttle', `bulk-${randomUUID()}`, '--rate', '5'], env);
    assert.equal(t.code, 5, t.stderr);
    const single = await run(['yandex-cloud', '--refresh-token-id', 'rt-399', '--wait', '--json'], env);
    assert.equal(single.code, 0, single.stderr);
    const r = await run(['bulk', 'status', (JSON.parse(single.stdout) as { id: string }).id], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a revokeTokens operation, not a bulk job/);
  });
});

void describe('revoke bulk: bad input exits 2 naming the flag, before connecting', () => {
  const cases: Array<{ args: string[]; field: RegExp }> = [
    { args: ['start', '--name', 'x'], field: /--ndjson\/--yandex-list\/--authlete-list: no source/ },
    {
      args: ['start', '--name', 'x', '--ndjson', 'relative.ndjson'],
      field: /--ndjson \(job\.source\.path\): must be an absolute path/,
    },
    { args: ['start', '--ndjson', '/tmp/x.ndjson'], field: /--name \(job\.name\)/ },
    { args: ['start', '--name', 'bad name!', '--yandex-list'], field: /--name \(job\.name\): must be 1-100/ },
    { args: ['start', '--name', 'x', '--authlete-list'], field: /--service-id \(job\.source\.serviceId\)/ },
    {
      args: ['start', '--name', 'x', '--yandex-list', '--concurrency', '500'],
      field: /--concurrency \(job\.concurrency\)/,
    },
    {
      args: ['start', '--name', 'x', '--yandex-list', '--page-size', '0'],
      field: /--page-size \(job\.pageSize\)/,
    },
    {
      args: ['start', '--name', 'x', '--yandex-list', '--rate', '-3'],
      field: /--rate \(job\.ratePerSecond\)/,
    },
    { args: ['start', '--name', 'x', '--yandex-list', '--rate', 'fast'], field: /--rate .*must be a number/ },
    {
      args: ['start', '--name', 'x', '--yandex-list', '--service-id', '1'],
      field: /--service-id: only applies with --authlete-list/,
    },
    {
      args: ['start', '--name', 'x', '--ndjson', '/a', '--yandex-list'],
      field: /--yandex-list: only one source/,
    },
    {
      args: ['start', '--file', '/nonexistent/job.json'],
      field: /--file: cannot read \/nonexistent\/job\.json \(ENOENT\)/,
    },
    { args: ['start', '--json', '{"name":'], field: /--json: not valid JSON/ },
    {
      args: ['start', '--json', '{"name":"x","source":{"kind":"ndjson","path":"/a"},"pageSize":5000}'],
      field: /--json \(job\.pageSize\): /,
    },
    {
      args: ['start', '--json', '{"name":"x","source":{"kind":"ndjson","path":"/a"}}', '--concurrency', '0'],
      field: /--concurrency \(job\.concurrency\): /,
    },
    {
      args: ['start', '--json', '{"name":"x","source":{"kind":"ndjson","path":"/a"}}', '--yandex-list'],
      field: /--yandex-list: the source comes from the job document/,
    },
    {
      args: ['start', '--name', 'x', '--yandex-list', '--timeout', '5s'],
      field: /--timeout: only applies with --wait/,
    },
    {
      args: ['start', '--name', 'x', '--yandex-list', '--request-id', 'has space'],
      field: /--request-id \(requestId\)/,
    },
    { args: ['status', 'bulk-x', '--timeout', '5s'], field: /--timeout: only applies with --watch/ },
    { args: ['throttle', 'bulk-x'], field: /--rate\/--no-rate\/--concurrency: nothing to change/ },
  ];
  for (const c of cases) {
    void it(`revoke bulk ${c.args.join(' ')}`, async () => {
      const r = await run(['bulk', ...c.args], unreachableEnv);
      assert.equal(r.code, 2, `${r.stdout}${r.stderr}`);
      assert.match(r.stderr, c.field);
      assert.equal(r.stdout, '');
    });
  }

  void it('a job on the command line carrying a token is refused, and the token is not echoed', async () => {
    const secret = 'yc1.secret-on-the-command-line-xxxxxxxx';
    const job = {
      name: 'inline',
      source: {
        kind: 'inline',
        requests: [
          { provider: 'yandex-cloud', refreshTokenId: 'rt-1' },
          { provider: 'yandex-cloud', refreshToken: secret },
        ],
      },
    };
    const r = await run(['bulk', 'start', '--json', JSON.stringify(job)], unreachableEnv);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--json \(job\.source\.requests\.1\): a secret is never accepted on the command line/,
    );
    assert.equal(r.stderr.includes(secret), false);
    const safe = await run(
      [
        'bulk',
        'start',
        '--json',
        JSON.stringify({ ...job, source: { ...job.source, requests: job.source.requests.slice(0, 1) } }),
      ],
      unreachableEnv,
    );
    assert.equal(safe.code, 3, 'positive control: the same job without the token passes validation');
  });
});

void describe('progress renderer', () => {
  function jobAt(
    processed: number,
    extra: Partial<BulkJobOperation['metadata']> = {},
    done = false,
  ): BulkJobOperation {
    return {
      id: 'bulk-1',
      description: 'd',
      createdAt: '2024-01-01T00:00:00.000Z',
      createdBy: 'me',
      modifiedAt: '2024-01-01T00:00:00.000Z',
      done,
      metadata: {
        '@type': BulkTypeUrl.metadata,
        name: 'n',
        source: 's',
        phase: done ? 'DONE' : 'RUNNING',
        dryRun: false,
        processed,
        succeeded: processed,
        alreadyRevoked: 0,
        failed: 0,
        skipped: 0,
        total: 600,
        pages: 0,
        concurrency: 1,
        runs: 1,
        ...extra,
      },
    };
  }

  void it('without a TTY: a plain line at most every interval, at once on a phase change, none when done', () => {
    let out = '';
    let now = 0;
    const p = createBulkProgress({ write: (s: string) => (out += s) }, 'bulk-1', {
      lineIntervalMs: 2_000,
      now: () => now,
    });
    p.update(jobAt(0, { currentRate: 25 }));
    now = 1_000;
    p.update(jobAt(20)); // within the interval: no line
    now = 4_000;
    p.update(jobAt(80, { failed: 2 }));
    now = 4_500;
    p.update(jobAt(80, { phase: 'PAUSED', failed: 2 })); // a phase change prints at once
    now = 9_000;
    p.update(jobAt(80, { phase: 'PAUSED', failed: 2 })); // nothing changed: no line
    now = 10_000;
    p.update(jobAt(600, {}, true));
    p.stop();
    assert.deepEqual(out.split('\n'), [
      'bulk-1: RUNNING 0/600 (0%) processed, 25.0/s, ETA 24s, 0 failed',
      'bulk-1: RUNNING 80/600 (13%) processed, 20.0/s, ETA 26s, 2 failed',
      'bulk-1: PAUSED 80/600 (13%) processed, 17.8/s, 2 failed',
      '',
    ]);
  });

  void it('a total not known yet: no percentage and no ETA', () => {
    let out = '';
    const p = createBulkProgress({ write: (s: string) => (out += s) }, 'bulk-2', { now: () => 0 });
    p.update({ ...jobAt(5), metadata: { ...jobAt(5).metadata, total: undefined } });
    assert.equal(out, 'bulk-2: RUNNING 5/? processed, ?/s, ETA ?, 0 failed\n');
  });

  void it('at a TTY: a bar redrawn in place with processed/total, rate, ETA and failures', () => {
    let out = '';
    let now = 0;
    const p = createBulkProgress({ write: (s: string) => (out += s), isTTY: true, columns: 120 }, 'bulk-3', {
      now: () => now,
    });
    p.update(jobAt(0, { currentRate: 10 }));
    now = 5_000;
    p.update(jobAt(300, { failed: 1 }));
    p.stop();
    assert.ok(out.includes('\u001b['), 'cursor control sequences');
    assert.match(out, /RUNNING \[={10}-{10}\] 300\/600 \(50%\), 60\.0\/s, ETA 5s, 1 failed/);
  });

  void it('rate window and ETA text', () => {
    const w = new RateWindow(10_000, 3_000);
    w.add(0, 0);
    w.add(2_000, 40);
    assert.equal(w.rate(), undefined, 'too short a span');
    w.add(4_000, 80);
    assert.equal(w.rate(), 20);
    w.add(20_000, 400);
    assert.equal(w.rate(), 20);
    assert.deepEqual(
      [formatEta(5), formatEta(125), formatEta(7_500), formatEta(undefined)],
      ['5s', '2m05s', '2h05m', '?'],
    );
  });
});
