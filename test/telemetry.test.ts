import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startOAuth2Emulator, type OAuth2Emulator } from '../emulators/oauth2';
import { freePort } from '../scripts/free-port';
import { EngineMetrics, metricsAddress, metricsUrl } from '../worker/metrics';
import { configuredSecrets, createWorkerLogging, parseLogLevel } from '../worker/logging';
import { startBulk, waitBulk } from './helpers/bulk';
import { fastTiming } from './helpers/history';
import { labelValuesContaining, parsePrometheusText, sumOf, type Sample } from './helpers/prometheus-text';
import { createTestStack, type TestStack } from './helpers/stack';
import { startWorkerProcess, waitForExit, type WorkerProcess } from './helpers/worker-process';

/*
 * One scripted run against a worker process configured only by its environment (JSON logs at DEBUG,
 * Prometheus on a free port): revocations that succeed at two providers, one that succeeds after a
 * retry, failures with two codes, an invalid request whose provider field holds a secret, and a
 * small bulk job. Then the scrape and the log lines are checked against what was run.
 */

const CLIENT_SECRET = `oauth2-client-secret-${randomUUID()}`;
/** A secret where a provider key belongs: an invalid request must not carry it into a label. */
const JUNK_PROVIDER = `junk-provider-secret-${randomUUID()}`;
const YANDEX_SUBJECT = 'emulator-subject';
/** The subjects of the OAuth 2.0 grants revoked. */
const SUBJECTS = ['subject-alice-7f3a', 'subject-bob-19c2'];

interface Run {
  stack: TestStack;
  oauth2: OAuth2Emulator;
  worker: WorkerProcess;
  metricsUrl: string;
  /** Operation id → the provider label it must carry. */
  operations: Map<string, string>;
  /** Ids started without the RevocationProvider search attribute (a raw start). */
  rawStarts: Set<string>;
  secrets: string[];
  bulkId: string;
}

let run: Run | undefined;
const current = (): Run => {
  assert.ok(run, 'the scripted run did not happen (see the before hook)');
  return run;
};

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  return parsePrometheusText(await res.text());
}

/** Workflow metrics reach the exporter through a sink after the activation; wait until they are in. */
async function scrapeUntil(url: string, ready: (s: Sample[]) => boolean): Promise<Sample[]> {
  let samples = await scrape(url);
  for (let i = 0; i < 100 && !ready(samples); i++) {
    await delay(200);
    samples = await scrape(url);
  }
  return samples;
}

before(async () => {
  const oauth2 = await startOAuth2Emulator({
    clients: [{ clientId: 'metrics-app', authMethod: 'client_secret_basic', clientSecret: CLIENT_SECRET }],
  });
  const stack = await createTestStack(
    {
      pollsUntilDone: 1,
      tokens: [1, 2, 3, 4, 5, 6, 7].map((n) => ({
        id: `rt-${n}`,
        // The emulator lets its IAM token's subject revoke only its own tokens.
        subjectId: YANDEX_SUBJECT,
        clientId: 'client-a',
      })),
    },
    {
      connections: {
        oauth2: {
          default: {
            revocationEndpoint: oauth2.revocationEndpoint,
            clientId: 'metrics-app',
            clientSecret: CLIENT_SECRET,
            allowInsecureRequests: true,
          },
        },
      },
    },
  );
  const port = await freePort();
  const key = stack.keyring.keys.get(stack.keyring.currentKeyId) as Buffer;
  const worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: stack.address,
    REVOCATION_TASK_QUEUE: stack.taskQueue,
    REVOCATION_CONNECTIONS_FILE: stack.connectionsFile,
    REVOCATION_CODEC_KEY: key.toString('base64'),
    REVOCATION_CODEC_KEY_ID: stack.keyring.currentKeyId,
    REVOCATION_LOG_LEVEL: 'DEBUG',
    REVOCATION_METRICS_ADDRESS: `127.0.0.1:${port}`,
  });
  try {
    run = await scriptedRun(stack, oauth2, worker, port, key);
  } catch (err) {
    // The worker's own account of what went wrong is the first thing to read.
    process.stderr.write(`worker output:\n${worker.output().slice(-20_000)}\n`);
    worker.child.kill('SIGKILL');
    await waitForExit(worker.child);
    await stack.close();
    await oauth2.close();
    throw err;
  }
});

async function scriptedRun(
  stack: TestStack,
  oauth2: OAuth2Emulator,
  worker: WorkerProcess,
  port: number,
  key: Buffer,
): Promise<Run> {
  const operations = new Map<string, string>();
  const rawStarts = new Set<string>();
  const timing = fastTiming;
  const c = stack.client;
  const yandexToken = (id: string) => stack.emulator.tokens().find((t) => t.id === id)?.token as string;
  const grants = [0, 1, 2].map((i) => oauth2.issueGrant('metrics-app', SUBJECTS[i % 2]));

  // One at a time where a fault is queued, so the fault meets the call it is meant for.
  stack.emulator.injectFault({ method: 'Revoke', code: 14, message: 'try again' });
  const retried = await c.revoke({ provider: 'yandex-cloud', refreshTokenId: 'rt-4' }, { timing });
  operations.set((await c.wait(retried.id, { timeout: 60_000 })).id, 'yandex-cloud');
  stack.emulator.injectFault({ method: 'Revoke', code: 7, message: 'caller may not revoke' });
  const denied = await c.revoke({ provider: 'yandex-cloud', refreshTokenId: 'rt-5' }, { timing });
  assert.equal((await c.wait(denied.id, { timeout: 60_000 })).error?.code, 7);
  operations.set(denied.id, 'yandex-cloud');
  oauth2.injectFault({ endpoint: 'revocation', status: 401, body: { error: 'invalid_client' } });
  const unauthenticated = await c.revoke({ provider: 'oauth2', token: grants[2]?.refreshToken as string });
  assert.equal((await c.wait(unauthenticated.id, { timeout: 60_000 })).error?.code, 16);
  operations.set(unauthenticated.id, 'oauth2');

  const ok = await Promise.all([
    c.revoke({ provider: 'yandex-cloud', refreshTokenId: 'rt-1' }, { timing }),
    c.revoke({ provider: 'yandex-cloud', refreshTokenId: 'rt-2' }, { timing }),
    c.revoke({ provider: 'yandex-cloud', refreshToken: yandexToken('rt-3') }, { timing }),
    c.revoke({ provider: 'oauth2', token: grants[0]?.refreshToken as string }),
    c.revoke({ provider: 'oauth2', token: grants[1]?.accessToken as string }),
  ]);
  for (const op of ok) {
    const done = await c.wait(op.id, { timeout: 60_000 });
    assert.equal(done.error, undefined, `${op.id} failed: ${done.error?.message}`);
    operations.set(op.id, op.metadata.provider);
  }

  const invalidId = `revoke-invalid-${randomUUID()}`;
  await stack.temporal.workflow.start('revokeTokens', {
    taskQueue: stack.taskQueue,
    workflowId: invalidId,
    args: [{ request: { provider: JUNK_PROVIDER, token: JUNK_PROVIDER } }],
  });
  assert.equal((await c.wait(invalidId, { timeout: 60_000 })).error?.code, 3);
  operations.set(invalidId, 'invalid');
  rawStarts.add(invalidId);

  const bulkTokens = [0, 1].map(() => oauth2.issueGrant('metrics-app', SUBJECTS[0]).refreshToken);
  // One of the two OAuth 2.0 targets meets it, whichever is first: a permanent failure, not retried.
  oauth2.injectFault({ endpoint: 'revocation', status: 403, body: { error: 'access_denied' } });
  const bulkId = await startBulk(stack, {
    name: 'telemetry',
    source: {
      kind: 'inline',
      requests: [
        { provider: 'yandex-cloud', refreshTokenId: 'rt-6' },
        { provider: 'yandex-cloud', refreshTokenId: 'rt-7' },
        // NOT_FOUND on the first attempt: nothing of ours can have revoked it, so not_found.
        { provider: 'yandex-cloud', refreshTokenId: 'rt-never-issued' },
        ...bulkTokens.map((token) => ({ provider: 'oauth2', token })),
      ],
    },
  });
  const bulk = await waitBulk(stack, bulkId, 60_000);
  const report = JSON.stringify(bulk.response ?? bulk.error);
  assert.deepEqual(
    [bulk.response?.succeeded, bulk.response?.alreadyRevoked, bulk.response?.notFound, bulk.response?.failed],
    [3, 0, 1, 1],
    report,
  );
  operations.set(bulkId, 'mixed');
  rawStarts.add(bulkId);

  // Log lines reach the output up to 100 ms late (the SDK sorts forwarded lines by time).
  const finished = () =>
    [...operations.keys()].every(
      (id) =>
        worker.output().includes(`"operationId":"${id}","provider"`) &&
        new RegExp(`"operationId":"${id}"[^\n]*"msg":"operation done"`).test(worker.output()),
    );
  for (let i = 0; i < 100 && !finished(); i++) await delay(100);

  const secrets = [
    CLIENT_SECRET,
    JUNK_PROVIDER,
    stack.emulator.iamToken,
    key.toString('base64'),
    ...bulkTokens,
    ...stack.emulator.tokens().map((t) => t.token),
    ...grants.flatMap((g) => [g.accessToken, g.refreshToken]),
  ];
  return {
    stack,
    oauth2,
    worker,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    operations,
    rawStarts,
    secrets,
    bulkId,
  };
}

after(async () => {
  if (!run) return;
  run.worker.child.kill('SIGTERM');
  await waitForExit(run.worker.child);
  await run.stack.close();
  await run.oauth2.close();
});

void describe('metrics: the Prometheus endpoint of a worker process', () => {
  const revokeTokens = { workflowType: 'revokeTokens' };
  const expected: Array<[string, Record<string, string>, number]> = [
    [
      EngineMetrics.operationsStarted,
      { ...revokeTokens, provider: 'yandex-cloud', connection: 'default' },
      5,
    ],
    [EngineMetrics.operationsStarted, { ...revokeTokens, provider: 'oauth2', connection: 'default' }, 3],
    [EngineMetrics.operationsStarted, { ...revokeTokens, provider: 'invalid', connection: 'invalid' }, 1],
    [EngineMetrics.operationsStarted, { workflowType: 'bulkRevocation', provider: 'mixed' }, 1],
    [EngineMetrics.operationsDone, { ...revokeTokens, provider: 'yandex-cloud', outcome: 'OK' }, 4],
    [
      EngineMetrics.operationsDone,
      { ...revokeTokens, provider: 'yandex-cloud', outcome: 'PERMISSION_DENIED' },
      1,
    ],
    [EngineMetrics.operationsDone, { ...revokeTokens, provider: 'oauth2', outcome: 'OK' }, 2],
    [EngineMetrics.operationsDone, { ...revokeTokens, provider: 'oauth2', outcome: 'UNAUTHENTICATED' }, 1],
    [EngineMetrics.operationsDone, { ...revokeTokens, provider: 'invalid', outcome: 'INVALID_ARGUMENT' }, 1],
    [EngineMetrics.operationsDone, { workflowType: 'bulkRevocation', outcome: 'OK' }, 1],
    [EngineMetrics.bulkTargets, { outcome: 'succeeded' }, 3],
    [EngineMetrics.bulkTargets, { outcome: 'not_found' }, 1],
    [EngineMetrics.bulkTargets, { outcome: 'failed' }, 1],
    [
      EngineMetrics.providerCallRetries,
      { provider: 'yandex-cloud', activityType: 'yandexRevokeRefreshTokens' },
      1,
    ],
  ];
  const count = `${EngineMetrics.providerCallDuration}_count`;
  const revokeCalls = {
    provider: 'yandex-cloud',
    connection: 'default',
    activityType: 'yandexRevokeRefreshTokens',
  };
  const ready = (s: Sample[]) => expected.every(([name, labels, n]) => sumOf(s, name, labels) >= n);

  void it('counts every operation run, by workflow type, provider, connection and outcome', async () => {
    const samples = await scrapeUntil(current().metricsUrl, ready);
    const table = expected.map(([name, labels, n]) => ({
      name,
      labels,
      expected: n,
      got: sumOf(samples, name, labels),
    }));
    console.table(table.map((r) => ({ ...r, labels: JSON.stringify(r.labels) })));
    for (const r of table) assert.equal(r.got, r.expected, `${r.name} ${JSON.stringify(r.labels)}`);
    // Every operation started is done, and none is counted twice (the queries on closed runs replay them).
    assert.equal(sumOf(samples, EngineMetrics.operationsStarted), 10);
    assert.equal(sumOf(samples, EngineMetrics.operationsDone), 10);
    assert.equal(sumOf(samples, EngineMetrics.bulkTargets), 5);
    assert.equal(sumOf(samples, EngineMetrics.bulkTargets, { outcome: 'already_revoked' }), 0);
  });

  void it('times every provider call, by outcome, and each retry shows there', async () => {
    const samples = await scrapeUntil(current().metricsUrl, ready);
    // Revoke calls outside the bulk job: rt-1..3 and rt-4's retry OK, its first attempt UNAVAILABLE, rt-5 denied.
    assert.equal(sumOf(samples, count, { ...revokeCalls, outcome: 'OK' }), 4);
    assert.equal(sumOf(samples, count, { ...revokeCalls, outcome: 'UNAVAILABLE' }), 1);
    assert.equal(sumOf(samples, count, { ...revokeCalls, outcome: 'PERMISSION_DENIED' }), 1);
    const bulkRevokes = 3;
    assert.equal(
      sumOf(samples, count, revokeCalls),
      current().stack.emulator.callsOf('Revoke').length - bulkRevokes,
      'one histogram sample per Revoke call the emulator received',
    );
    assert.equal(sumOf(samples, count, { provider: 'oauth2', activityType: 'oauth2RevokeToken' }), 3);
    const gets = sumOf(samples, count, { provider: 'yandex-cloud', activityType: 'yandexGetOperation' });
    assert.ok(gets >= 4 && gets <= current().stack.emulator.callsOf('Get').length, `${gets} Get calls timed`);
    const inf = sumOf(samples, `${EngineMetrics.providerCallDuration}_bucket`, {
      ...revokeCalls,
      le: '+Inf',
    });
    assert.equal(inf, 6, 'the +Inf bucket holds every call');
    assert.ok(sumOf(samples, `${EngineMetrics.providerCallDuration}_sum`, revokeCalls) > 0);
  });

  void it("serves the SDK's own metrics on the same endpoint", async () => {
    const samples = await scrape(current().metricsUrl);
    const sdk = new Set(samples.filter((s) => s.name.startsWith('temporal_')).map((s) => s.name));
    assert.ok(sdk.has('temporal_workflow_completed'), `SDK metrics: ${[...sdk].join(', ')}`);
    assert.ok(sdk.has('temporal_activity_execution_latency_count'));
  });

  void it('no label value is or contains a subject, a token, a credential or an operation id', async () => {
    const r = current();
    const samples = await scrape(r.metricsUrl);
    const needles = [...r.secrets, YANDEX_SUBJECT, ...SUBJECTS, ...r.operations.keys()];
    assert.deepEqual(labelValuesContaining(samples, needles), []);
    // Positive control: the same check finds a planted value, and a value that is there.
    const planted = parsePrometheusText(
      `${EngineMetrics.operationsStarted}{provider="x-${SUBJECTS[0]}-y",connection="default"} 1\n`,
    );
    assert.equal(labelValuesContaining(planted, needles).length, 1);
    assert.ok(labelValuesContaining(samples, ['yandex-cloud']).length > 0);
  });
});

void describe('logs: the JSON lines of the same run', () => {
  const lines = () =>
    current()
      .worker.output()
      .split('\n')
      .filter((l) => l.trim() !== '');

  void it('every line is JSON with time, level and msg', () => {
    const all = lines();
    assert.ok(all.length > 50, `only ${all.length} lines`);
    for (const line of all) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`not JSON: ${line.slice(0, 300)}`);
      }
      assert.equal(typeof entry.msg, 'string', line);
      assert.match(String(entry.level), /^(trace|debug|info|warn|error|fatal)$/, line);
      assert.ok(!Number.isNaN(Date.parse(String(entry.time))), line);
    }
    assert.ok(all.some((l) => l.includes('worker ready')));
  });

  void it('the lines about each operation carry its id and provider, from start to outcome', () => {
    const entries = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const [id, provider] of current().operations) {
      const mine = entries.filter((e) => e.operationId === id);
      assert.ok(mine.length >= 3, `${id}: ${mine.length} lines`);
      for (const e of mine) {
        // The SDK logs "Workflow started" before any code sees the input; a client start names the provider.
        if (e.msg === 'Workflow started' && current().rawStarts.has(id) && provider !== 'mixed') continue;
        assert.equal(e.provider, provider, `${id}: ${JSON.stringify(e)}`);
      }
      assert.ok(
        mine.some((e) => e.msg === 'operation started'),
        `${id}: no "operation started"`,
      );
      assert.ok(
        mine.some((e) => e.msg === 'operation done' && typeof e.outcome === 'string'),
        `${id}: no outcome`,
      );
    }
    // Activity lines too (the SDK's own, at DEBUG), with the configured connection.
    const activity = entries.filter(
      (e) => e.msg === 'Activity completed' && e.activityType === 'oauth2RevokeToken',
    );
    assert.ok(activity.length >= 2);
    for (const e of activity) assert.deepEqual([e.provider, e.connection], ['oauth2', 'default']);
    const banner = entries.find((e) => String(e.msg).startsWith('worker ready'));
    assert.equal(banner?.operationId, undefined, 'a line not about an operation has no operation id');
  });

  void it('no line holds a token, a credential or the codec key', () => {
    const r = current();
    const text = r.worker.output();
    const hits = r.secrets.filter((s) => text.includes(s));
    assert.deepEqual(hits, [], `secrets in the worker's output`);
    // Positive controls: the scan finds what is there, and would find a secret that was.
    assert.ok(text.includes(r.bulkId));
    assert.ok([...r.operations.keys()].every((id) => text.includes(id)));
    const planted = `${text}\n{"msg":"oops ${r.secrets[0]}"}`;
    assert.equal(r.secrets.filter((s) => planted.includes(s)).length, 1);
  });
});

void describe('logs: redaction', () => {
  function capture(): { lines: string[]; destination: Writable } {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    return { lines, destination };
  }

  void it('secret fields are redacted at any depth, and configured secrets wherever they appear', () => {
    const { lines, destination } = capture();
    const logging = createWorkerLogging({ level: 'DEBUG', destination });
    const apiKey = `api-key-${randomUUID()}`;
    const envSecret = `env-secret-${randomUUID()}`;
    logging.addSecrets(
      configuredSecrets(
        { oauth2: { prod: { clientId: 'app', clientSecret: apiKey } }, x: { y: { apiKeyEnv: 'X_KEY' } } },
        { X_KEY: envSecret },
      ),
    );
    logging.logger.info('request', {
      workflowId: 'revoke-1',
      request: { provider: 'oauth2', token: 'tok-123456789' },
      headers: { authorization: 'Bearer abcdefghij' },
      list: [{ refreshToken: 'rt-secret-value' }],
      deep: { a: { idToken: 'id-token-value' } },
      taskToken: 'dGFzay10b2tlbg==',
    });
    logging.logger.warn(`provider echoed ${apiKey} and ${envSecret}`, { error: new Error(`boom ${apiKey}`) });
    logging.logger.debug('shown at DEBUG');
    logging.logger.trace('not shown at DEBUG');
    assert.equal(lines.length, 3);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(first?.request, { provider: 'oauth2', token: '[Redacted]' });
    assert.deepEqual(first?.headers, { authorization: '[Redacted]' });
    assert.deepEqual(first?.list, [{ refreshToken: '[Redacted]' }]);
    assert.deepEqual(first?.deep, { a: { idToken: '[Redacted]' } });
    assert.equal(first?.operationId, 'revoke-1');
    assert.equal(first?.taskToken, undefined);
    assert.equal(second?.msg, 'provider echoed [Redacted] and [Redacted]');
    assert.equal((second?.error as { message?: string }).message, 'boom [Redacted]');
    for (const secret of [
      'tok-123456789',
      'abcdefghij',
      'rt-secret-value',
      'id-token-value',
      apiKey,
      envSecret,
    ]) {
      assert.ok(!lines.join('\n').includes(secret), secret);
    }
  });

  void it('the banner is written at any level', () => {
    const { lines, destination } = capture();
    const logging = createWorkerLogging({ level: 'ERROR', destination });
    logging.logger.warn('hidden');
    logging.banner('worker ready: test', { taskQueue: 'q' });
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /"msg":"worker ready: test"/);
  });
});

void describe('metrics: a worker crash counts nothing twice', () => {
  void it('the worker that takes over replays the operation without counting its start again', async () => {
    const s = await createTestStack({
      pollsUntilDone: 12,
      tokens: [{ id: 'rt-crash', subjectId: YANDEX_SUBJECT, clientId: 'client-a' }],
    });
    const workers: WorkerProcess[] = [];
    try {
      const key = s.keyring.keys.get(s.keyring.currentKeyId) as Buffer;
      const start = async () => {
        const port = await freePort();
        const w = await startWorkerProcess({
          TEMPORAL_ADDRESS: s.address,
          REVOCATION_TASK_QUEUE: s.taskQueue,
          REVOCATION_CONNECTIONS_FILE: s.connectionsFile,
          REVOCATION_CODEC_KEY: key.toString('base64'),
          REVOCATION_CODEC_KEY_ID: s.keyring.currentKeyId,
          REVOCATION_METRICS_ADDRESS: `127.0.0.1:${port}`,
        });
        workers.push(w);
        return { w, url: `http://127.0.0.1:${port}/metrics` };
      };
      const first = await start();
      const op = await s.client.revoke(
        { provider: 'yandex-cloud', refreshTokenId: 'rt-crash' },
        { timing: { ...fastTiming, pollMaxInterval: '200ms' } },
      );
      while (s.emulator.callsOf('Get').length < 3) await delay(20);
      const before = await scrapeUntil(first.url, (x) => sumOf(x, EngineMetrics.operationsStarted) >= 1);
      assert.equal(sumOf(before, EngineMetrics.operationsStarted), 1);
      first.w.child.kill('SIGKILL');
      await waitForExit(first.w.child);

      const second = await start();
      assert.equal((await s.client.wait(op.id, { timeout: 90_000 })).error, undefined);
      await s.client.get(op.id); // a query on the closed run replays it once more
      const after = await scrapeUntil(second.url, (x) => sumOf(x, EngineMetrics.operationsDone) >= 1);
      assert.equal(sumOf(after, EngineMetrics.operationsDone, { outcome: 'OK' }), 1);
      assert.equal(sumOf(after, EngineMetrics.operationsStarted), 0, 'the replayed start is not counted');
      assert.equal(s.emulator.callsOf('Revoke').length, 1);
    } finally {
      for (const w of workers) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => waitForExit(w.child)));
      await s.close();
    }
  });
});

void describe('telemetry configuration', () => {
  void it('bad values name their variable; metrics are off unless an address is set', () => {
    assert.equal(metricsAddress({}), undefined);
    assert.equal(metricsAddress({ REVOCATION_METRICS_ADDRESS: '0.0.0.0:9464' }), '0.0.0.0:9464');
    assert.equal(metricsUrl('0.0.0.0:9464'), 'http://127.0.0.1:9464/metrics');
    for (const bad of ['9464', 'localhost', 'http://127.0.0.1:9464', '127.0.0.1:70000']) {
      assert.throws(
        () => metricsAddress({ REVOCATION_METRICS_ADDRESS: bad }),
        /^ConfigError: REVOCATION_METRICS_ADDRESS: /,
      );
    }
    assert.equal(parseLogLevel({}, 'REVOCATION_LOG_LEVEL', 'INFO'), 'INFO');
    assert.equal(parseLogLevel({ REVOCATION_LOG_LEVEL: 'debug' }, 'REVOCATION_LOG_LEVEL', 'INFO'), 'DEBUG');
    assert.throws(
      () => parseLogLevel({ REVOCATION_LOG_LEVEL: 'verbose' }, 'REVOCATION_LOG_LEVEL', 'INFO'),
      /REVOCATION_LOG_LEVEL: must be one of/,
    );
  });
});
