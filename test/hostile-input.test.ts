import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ApplicationFailure, Client, Connection, WorkflowFailedError } from '@temporalio/client';
import {
  Code,
  InvalidArgumentError,
  parseBulkRevocationJob,
  parseRevokeTokensInput,
  WorkflowTypes,
} from '../api';
import { startBulkJob } from '../client/bulk-jobs';
import {
  DEFAULT_CLIENTS,
  DEFAULT_SERVICE_ACCESS_TOKEN,
  DEFAULT_SERVICE_ID,
  startAuthleteEmulator,
  type AuthleteEmulator,
} from '../emulators/authlete';
import {
  startGoogleIdentityPlatformEmulator,
  type GoogleIdentityPlatformEmulator,
} from '../emulators/google-identity-platform';
import { startOAuth2Emulator, type OAuth2Emulator } from '../emulators/oauth2';
import {
  generateClientKey,
  startOpenPaymentsEmulator,
  type OpenPaymentsEmulator,
} from '../emulators/open-payments';
import { waitBulk } from './helpers/bulk';
import {
  coverageKey,
  coverageKeys,
  coverageSample,
  hostileCases,
  hostileNdjsonLines,
  hostileRawRevokeInputs,
  rawRevokeInput,
  type HostileCase,
} from './helpers/hostile-inputs';
import { createTestStack, type TestStack } from './helpers/stack';
import { testTemporal } from './helpers/temporal';
import { startWorkerProcess, waitForExit, type WorkerProcess } from './helpers/worker-process';

/**
 * Issue 5, hostile input: at least 10,000 generated invalid requests and bulk jobs are refused by
 * the client naming the field, end INVALID_ARGUMENT when started raw, reach no provider (five
 * emulators, one per provider, count every call) and do not crash the worker (a child process).
 */

const SEED = Number(process.env.HOSTILE_SEED ?? 20261121);
const REVOKE_CASES = 7_500;
const JOB_CASES = 2_700;
const NDJSON_LINES = 300;
/** Raw starts in flight at once. */
const IN_FLIGHT = 48;

const cases = hostileCases(SEED, REVOKE_CASES, JOB_CASES);
/**
 * Which cases start raw: under `npm run test:full` (TEST_FULL) every one; under `npm test` the
 * coverage sample, two cases of every distinct (kind, mutation, field path) so each shape of hostile
 * input reaches the workflow through both the codec client and the plain-JSON one; HOSTILE_RAW_COUNT=n
 * an evenly spread n.
 */
const rawCases: readonly HostileCase[] = process.env.HOSTILE_RAW_COUNT
  ? stride(cases, Number(process.env.HOSTILE_RAW_COUNT))
  : process.env.TEST_FULL
    ? cases
    : coverageSample(cases, 2);
const rawCount = rawCases.length;

/** `request` values that JSON cannot carry: only the client can be handed them. */
function clientOnlyRequests(): Array<[value: unknown, field: string]> {
  const circular: Record<string, unknown> = { provider: 'yandex-cloud' };
  circular.self = circular;
  return [
    [10n, 'request'],
    [Symbol('request'), 'request'],
    [() => ({ provider: 'yandex-cloud' }), 'request'],
    [new Date(0), 'request.provider'],
    [new Map([['provider', 'yandex-cloud']]), 'request.provider'],
    [Number.NaN, 'request'],
    [Number.POSITIVE_INFINITY, 'request'],
    [circular, 'request'],
  ];
}

/**
 * Lines of the worker's output that show something it did not turn into an Operation: anything that
 * is not one of its JSON log lines (a crash trace), ERROR and FATAL lines (a failed workflow task is
 * one), and unhandled rejections. A failed operation is logged at WARN ("Workflow failed") and is
 * expected here, as are the SDK's WARN lines about slow workflow tasks on a loaded machine.
 */
function alarmingLines(output: string): string[] {
  return output.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    let entry: { level?: unknown; msg?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return true;
    }
    // pino writes its level as a name here, or as a number (50 error, 60 fatal) with default settings.
    const level = String(entry.level).toLowerCase();
    const severe =
      ['error', 'fatal'].includes(level) || (typeof entry.level === 'number' && entry.level >= 50);
    return severe || /unhandled|uncaught|panic/i.test(String(entry.msg));
  });
}

function stride<T>(items: readonly T[], n: number): T[] {
  return n >= items.length
    ? [...items]
    : Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)] as T);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function inPool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
}

function namesField(err: unknown, field: string): boolean {
  return (
    err instanceof InvalidArgumentError &&
    err.violations.some((v) => v.field === field) &&
    err.message.includes(`${field}: `)
  );
}

interface Emulators {
  authlete: AuthleteEmulator;
  google: GoogleIdentityPlatformEmulator;
  openPayments: OpenPaymentsEmulator;
  oauth2: OAuth2Emulator;
}

const OAUTH2_CLIENT = { clientId: 'hostile-test', clientSecret: 'hostile-test-secret' };

void describe('hostile input', () => {
  let s: TestStack;
  let emu: Emulators;
  let plain: Client;
  let worker: WorkerProcess;
  let workerPid: number | undefined;
  let workerOutputAfterRaw = '';
  let rawSeconds = 0;
  let walletAddressUrl = '';
  const tally = { clientRejected: 0, clientOnly: 0, raw: 0, rawInvalidArgument: 0, ndjsonFailed: 0 };

  /** Every provider call the emulators received, by provider. */
  const providerCalls = () => ({
    'yandex-cloud': s.emulator.calls.length,
    authlete: emu.authlete.requests.length,
    'google-identity-platform': emu.google.requests.length,
    'open-payments': emu.openPayments.requests.length,
    oauth2: emu.oauth2.requests.length,
  });
  const totalCalls = () => Object.values(providerCalls()).reduce((a, b) => a + b, 0);

  before(async () => {
    emu = {
      authlete: await startAuthleteEmulator(),
      google: await startGoogleIdentityPlatformEmulator({ accounts: [{ uid: 'hostile-control' }] }),
      openPayments: await startOpenPaymentsEmulator({ mode: 'gnap' }),
      oauth2: await startOAuth2Emulator({
        clients: [{ ...OAUTH2_CLIENT, authMethod: 'client_secret_basic' }],
      }),
    };
    const opKey = generateClientKey('hostile-key');
    ({ walletAddressUrl } = emu.openPayments.addClient({ name: 'hostile-client', keys: [opKey.jwk] }));
    s = await createTestStack(
      {
        tokens: [
          { id: 'control-rt', subjectId: 'emulator-subject', clientId: 'control' },
          { id: 'control-rt-2', subjectId: 'emulator-subject', clientId: 'control' },
        ],
      },
      {
        connections: {
          authlete: {
            default: { baseUrl: emu.authlete.baseUrl, serviceAccessToken: DEFAULT_SERVICE_ACCESS_TOKEN },
          },
          'google-identity-platform': { default: { baseUrl: emu.google.baseUrl, apiKey: emu.google.apiKey } },
          'open-payments': {
            default: {
              privateKey: opKey.privateKeyPem,
              keyId: opKey.keyId,
              walletAddressUrl,
              allowInsecureHttp: true,
            },
          },
          oauth2: {
            default: {
              revocationEndpoint: emu.oauth2.revocationEndpoint,
              clientId: OAUTH2_CLIENT.clientId,
              clientAuthMethod: 'client_secret_basic',
              clientSecret: OAUTH2_CLIENT.clientSecret,
              allowInsecureRequests: true,
            },
          },
        },
      },
    );
    const { namespace } = await testTemporal();
    // Raw callers may send plain JSON payloads; half the raw starts do.
    plain = new Client({ connection: await Connection.connect({ address: s.address }), namespace });
    const key = s.keyring.keys.get(s.keyring.currentKeyId) as Buffer;
    worker = await startWorkerProcess({
      TEMPORAL_ADDRESS: s.address,
      REVOCATION_TASK_QUEUE: s.taskQueue,
      REVOCATION_CONNECTIONS_FILE: s.connectionsFile,
      REVOCATION_CODEC_KEY: key.toString('base64'),
      REVOCATION_CODEC_KEY_ID: s.keyring.currentKeyId,
      REVOCATION_LOG_LEVEL: 'WARN',
    });
    workerPid = worker.child.pid;
    process.stdout.write(
      `hostile inputs: seed ${SEED}, ${cases.length} generated (${REVOKE_CASES} revokeTokens, ${JOB_CASES} bulk jobs), ${rawCount} to start raw (${process.env.TEST_FULL || process.env.HOSTILE_RAW_COUNT ? 'all or HOSTILE_RAW_COUNT' : `2 per each of ${coverageKeys(cases).size} (kind, mutation, field) shapes; npm run test:full starts all`})\n`,
    );
  });

  after(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await waitForExit(worker.child);
    }
    await plain?.connection.close();
    await s?.close();
    await Promise.all(Object.values(emu ?? {}).map((e: { close(): Promise<void> }) => e.close()));
  });

  void it('every generated input is invalid by the schema, names its field, and pollutes no prototype', () => {
    assert.ok(cases.length >= 10_000, `${cases.length} cases`);
    const misses: string[] = [];
    for (const c of cases) {
      let err: unknown;
      try {
        if (c.kind === 'revoke') parseRevokeTokensInput(rawRevokeInput(c));
        else parseBulkRevocationJob(c.job);
      } catch (e) {
        err = e;
      }
      if (!namesField(err, c.field)) misses.push(`${c.mutation} ${c.field}: ${String(err)}`.slice(0, 300));
    }
    assert.deepEqual(misses, []);
    for (const raw of hostileRawRevokeInputs) {
      assert.throws(
        () => parseRevokeTokensInput(raw),
        (e: unknown) => namesField(e, 'input') || namesField(e, 'request'),
      );
    }
    const probe = {} as Record<string, unknown>;
    assert.equal(probe.polluted, undefined);
    assert.equal(probe.isAdmin, undefined);
    // Positive control: a valid input of the same shape passes the same check.
    assert.doesNotThrow(() => parseRevokeTokensInput({ request: { provider: 'oauth2', token: 'abc' } }));
  });

  void it('the client rejects each with InvalidArgumentError naming the field, and starts nothing', async () => {
    for (const c of cases) {
      const attempt =
        c.kind === 'revoke'
          ? s.client.revoke(c.request as never, c.options as never)
          : startBulkJob(s.client, c.job as never);
      await assert.rejects(attempt, (err: unknown) => {
        assert.ok(
          namesField(err, c.field),
          `${c.mutation}: expected ${c.field} in ${String(err).slice(0, 300)}`,
        );
        return true;
      });
      tally.clientRejected += 1;
    }
    for (const [request, field] of clientOnlyRequests()) {
      await assert.rejects(s.client.revoke(request as never), (err: unknown) => namesField(err, field));
      tally.clientOnly += 1;
    }
    assert.equal(await s.temporal.workflow.count(`TaskQueue = "${s.taskQueue}"`).then((r) => r.count), 0);
    assert.equal(totalCalls(), 0);
  });

  void it('the same inputs started raw end INVALID_ARGUMENT naming the field; no provider call, the worker lives', async () => {
    // Each shape's cases alternate between the codec client and the plain-JSON one.
    const seen = new Map<string, number>();
    const viaPlain = (key: string) => {
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      return n % 2 === 1;
    };
    const raw: Array<{ type: string; arg: unknown; field: string; label: string; plain: boolean }> = [
      ...rawCases.map((c: HostileCase) => ({
        ...(c.kind === 'revoke'
          ? { type: WorkflowTypes.revokeTokens, arg: rawRevokeInput(c) }
          : { type: WorkflowTypes.bulkRevocation, arg: c.job }),
        field: c.field,
        label: c.mutation,
        plain: viaPlain(coverageKey(c)),
      })),
      ...hostileRawRevokeInputs.map((arg, i) => ({
        type: WorkflowTypes.revokeTokens,
        arg,
        field: 'input',
        label: 'raw-not-an-input',
        plain: i % 2 === 1,
      })),
      {
        type: WorkflowTypes.bulkRevocation,
        arg: undefined,
        field: 'job',
        label: 'raw-undefined-job',
        plain: false,
      },
    ];
    // The sample must reach every shape the generator made, through both clients where it made two.
    const shapes = coverageKeys(cases);
    const rawShapes = coverageKeys(rawCases);
    if (!process.env.HOSTILE_RAW_COUNT) {
      assert.deepEqual(
        [...shapes.keys()].filter((k) => !rawShapes.has(k)),
        [],
        'shapes never started raw',
      );
      assert.deepEqual(
        [...shapes].filter(([k, n]) => n >= 2 && (rawShapes.get(k) ?? 0) < 2).map(([k]) => k),
        [],
        'shapes started through one client only',
      );
    }
    const wrong: string[] = [];
    const started = Date.now();
    await inPool(raw, IN_FLIGHT, async (r, i) => {
      // Twenty wrong outcomes say enough; do not wait out the timeouts of thousands more.
      if (wrong.length >= 20) return;
      const client = r.plain ? plain : s.temporal;
      const handle = await client.workflow.start(r.type, {
        taskQueue: s.taskQueue,
        workflowId: `hostile-${i}-${randomUUID()}`,
        args: [r.arg],
        // A workflow task that throws would retry forever; this turns it into a visible TIMED_OUT.
        workflowExecutionTimeout: '2m',
      });
      try {
        // The worker encrypts what it sends back; the client with the codec reads every result.
        await s.temporal.workflow.getHandle(handle.workflowId).result();
        wrong.push(`${r.label} #${i}: completed`);
      } catch (err) {
        const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
        if (cause instanceof ApplicationFailure && cause.type === 'INVALID_ARGUMENT') {
          if (cause.message.includes(`${r.field}: `)) tally.rawInvalidArgument += 1;
          else wrong.push(`${r.label} #${i}: ${r.field} not named in ${cause.message.slice(0, 200)}`);
        } else {
          wrong.push(`${r.label} #${i}: ${String(cause ?? err).slice(0, 200)}`);
        }
      }
      tally.raw += 1;
    });
    rawSeconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `hostile inputs: ${raw.length} raw starts in ${rawSeconds.toFixed(0)} s (${(raw.length / rawSeconds).toFixed(0)}/s, ${IN_FLIGHT} in flight)\n`,
    );
    assert.deepEqual(wrong.slice(0, 20), []);
    assert.equal(tally.rawInvalidArgument, raw.length);
    assert.deepEqual(providerCalls(), {
      'yandex-cloud': 0,
      authlete: 0,
      'google-identity-platform': 0,
      'open-payments': 0,
      oauth2: 0,
    });
    assert.equal(worker.child.exitCode, null, 'worker still running');
    assert.equal(worker.child.signalCode, null);
    assert.equal(worker.child.pid, workerPid, 'same worker process');
    workerOutputAfterRaw = worker.output();
    assert.deepEqual(alarmingLines(workerOutputAfterRaw), []);
    // Positive control of the parse: the output holds the expected WARN lines of failed operations.
    assert.match(workerOutputAfterRaw, /"msg":"Workflow failed"/);
  });

  void it('hostile NDJSON lines are failed targets with a reason; the job ends and one valid line still runs', async () => {
    const lines = hostileNdjsonLines(SEED, NDJSON_LINES);
    const dir = mkdtempSync(join(tmpdir(), 'hostile-ndjson-'));
    const path = join(dir, 'targets.ndjson');
    const valid = JSON.stringify({ provider: 'yandex-cloud', refreshTokenId: 'control-rt' });
    writeFileSync(path, `${[...lines, valid].join('\n')}\n`);
    const op = await startBulkJob(s.client, {
      name: 'hostile-ndjson',
      source: { kind: 'ndjson', path },
      pageSize: 100,
      concurrency: 8,
    });
    const done = await waitBulk(s, op.id, 300_000);
    const r = done.response;
    assert.ok(r, JSON.stringify(done.error));
    assert.deepEqual([r.processed, r.failed, r.succeeded], [lines.length + 1, lines.length, 1]);
    tally.ndjsonFailed = r.failed;
    const reasons = r.failures.map((f) => f.error.message).join('\n');
    assert.match(reasons, /not valid JSON/);
    assert.match(reasons, /longer than 65536 bytes/);
    assert.match(reasons, /request\.\w+/);
    assert.ok(r.failures.every((f) => f.error.code === Code.INVALID_ARGUMENT));
    // The valid line is the only provider call of the job: one Revoke of control-rt (plus its polls).
    const revokes = s.emulator.callsOf('Revoke');
    assert.equal(revokes.length, 1);
    assert.match(JSON.stringify(revokes[0]?.request), /"control-rt"/);
    const { 'yandex-cloud': _yandex, ...others } = providerCalls();
    assert.deepEqual(Object.values(others), [0, 0, 0, 0]);
    assert.equal(worker.child.pid, workerPid);
    assert.equal(worker.child.exitCode, null);
  });

  void it('positive controls: a valid request reaches every emulator, and a failing workflow task shows in the worker log', async () => {
    const authleteToken = emu.authlete.addToken({
      serviceId: DEFAULT_SERVICE_ID,
      clientId: (DEFAULT_CLIENTS[0] ?? { clientId: 1 }).clientId,
      subject: 'hostile-control',
    });
    const [idToken] = emu.google.account('hostile-control')?.idTokens ?? [];
    assert.ok(idToken);
    const apple = emu.google.issueAppleToken('hostile-control', undefined, { type: 'REFRESH_TOKEN' });
    const grant = emu.openPayments.issueGrant({ client: walletAddressUrl });
    const opToken = grant.accessTokens[0];
    assert.ok(opToken);
    const oauth2Token = emu.oauth2.addToken({ type: 'refresh_token', clientId: OAUTH2_CLIENT.clientId });
    const valid = [
      { provider: 'yandex-cloud', refreshTokenId: 'control-rt-2' },
      {
        provider: 'authlete',
        serviceId: DEFAULT_SERVICE_ID,
        accessTokenIdentifier: authleteToken.accessToken,
      },
      {
        provider: 'google-identity-platform',
        providerId: 'apple.com',
        tokenType: 'REFRESH_TOKEN',
        token: apple.value,
        idToken,
      },
      {
        provider: 'open-payments',
        action: 'revokeToken',
        manageUrl: opToken.manageUrl,
        accessToken: opToken.value,
      },
      { provider: 'oauth2', token: oauth2Token.value },
    ] as const;
    const before = providerCalls();
    for (const request of valid) {
      const op = await s.client.revoke(request as never, { createdBy: 'hostile-input positive control' });
      const done = await s.client.wait(op.id, { timeout: 120_000 });
      assert.equal(done.error, undefined, `${request.provider}: ${JSON.stringify(done.error)}`);
    }
    const afterCalls = providerCalls();
    for (const provider of Object.keys(before) as Array<keyof typeof before>) {
      assert.ok(afterCalls[provider] > before[provider], `${provider} was called`);
    }

    // The log check above can fail: a workflow type the worker does not know fails its task.
    const handle = await s.temporal.workflow.start('hostileNoSuchWorkflow', {
      taskQueue: s.taskQueue,
      workflowId: `hostile-control-${randomUUID()}`,
      args: [],
    });
    const deadline = Date.now() + 60_000;
    const alarms = () => alarmingLines(worker.output().slice(workerOutputAfterRaw.length));
    while (alarms().length === 0 && Date.now() < deadline) await delay(200);
    await handle.terminate('positive control done');
    assert.notDeepEqual(alarms(), [], 'a failing workflow task is seen in the worker output');
    process.stdout.write(`hostile inputs: positive control alarm: ${(alarms()[0] ?? '').slice(0, 160)}\n`);
    assert.equal(worker.child.pid, workerPid);

    const crashes = worker.child.exitCode === null && worker.child.pid === workerPid ? 0 : 1;
    process.stdout.write(
      `hostile inputs: ${cases.length} generated, ${tally.clientRejected} rejected by client (+${tally.clientOnly} non-JSON requests), ` +
        `${tally.rawInvalidArgument} INVALID_ARGUMENT raw of ${tally.raw} started, ${tally.ndjsonFailed} hostile NDJSON lines failed targets, ` +
        `0 provider calls, ${crashes} worker crashes\n`,
    );
  });
});
