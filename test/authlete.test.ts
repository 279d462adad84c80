import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AuthleteAdapter, authleteClusterUrl } from '../activities/authlete/adapter';
import { createAuthleteActivities } from '../activities/authlete/activities';
import { AUTHLETE_RESULT_TYPE, AuthleteApiError, classifyAuthleteError } from '../activities/authlete/errors';
import { parseRetryAfter } from '../activities/retry-after';
import {
  Code,
  InvalidArgumentError,
  parseRevocationRequest,
  type RevocationRequestInput,
  type RevokeTokensOperation,
  type Status,
} from '../api';
import {
  authleteTokenHash,
  DEFAULT_CLIENTS,
  startAuthleteEmulator,
  type AuthleteEmulator,
  type AuthleteStoredToken,
} from '../emulators/authlete';
import { startDemo } from '../emulators/authlete/demo';
import { buildConnectionRegistry, connectionsConfig, type ConnectionsConfig } from '../worker/connections';
import { fastTiming, fetchHistory, historyBytes, recordHistory } from './helpers/history';
import { createTestStack, workerLogs, type TestStack } from './helpers/stack';
import { runCliCaptured } from './helpers/cli';

const ORG_TOKEN = 'authlete-org-token-5f2b8c1d9e7a4b3c';
const SERVICE_ONE_TOKEN = 'authlete-svc1-token-0a9b8c7d6e5f';
const SERVICE_ONE = '100000001';
const TOKEN_ENV = 'AUTHLETE_TEST_SERVICE_TOKEN';
const [APP, CLI] = DEFAULT_CLIENTS.map((c) => c.clientId) as [number, number];

let emu: AuthleteEmulator;
let stack: TestStack;
let adapter: AuthleteAdapter;
let connections: ConnectionsConfig;
/** Every token value and credential the tests used; none may leak (checked at the end). */
const secretsUsed = new Set<string>([ORG_TOKEN, SERVICE_ONE_TOKEN]);

before(async () => {
  emu = await startAuthleteEmulator({
    services: [{ serviceId: SERVICE_ONE, clients: [...DEFAULT_CLIENTS] }],
    accessTokens: { [ORG_TOKEN]: '*', [SERVICE_ONE_TOKEN]: [SERVICE_ONE] },
  });
  const dir = mkdtempSync(join(tmpdir(), 'authlete-test-'));
  const tokenFile = join(dir, 'service-token');
  writeFileSync(tokenFile, `${ORG_TOKEN}\n`);
  process.env[TOKEN_ENV] = ORG_TOKEN;
  const baseUrl = emu.baseUrl;
  connections = {
    authlete: {
      default: { baseUrl, serviceAccessToken: ORG_TOKEN },
      fromFile: { baseUrl, serviceAccessTokenFile: tokenFile },
      fromEnv: { baseUrl, serviceAccessTokenEnv: TOKEN_ENV },
      unknownToken: { baseUrl, serviceAccessToken: 'authlete-unknown-token-31337' },
      serviceOne: { baseUrl, serviceAccessToken: SERVICE_ONE_TOKEN },
      unsetEnv: { baseUrl, serviceAccessTokenEnv: 'AUTHLETE_TEST_UNSET_VARIABLE' },
    },
  };
  stack = await createTestStack({}, { connections });
  await stack.startWorker();
  adapter = new AuthleteAdapter({ baseUrl, serviceAccessToken: ORG_TOKEN });
});

after(async () => {
  await stack?.close();
  await emu?.close();
});

let nextService = 200_000_001;
/** A service of its own per test, so tests never see each other's tokens or faults. */
function freshService(revokeCountMax?: number): string {
  const serviceId = String(nextService++);
  emu.addService({ serviceId, clients: [...DEFAULT_CLIENTS], ...(revokeCountMax ? { revokeCountMax } : {}) });
  return serviceId;
}

interface Seeded {
  accessToken: string;
  refreshToken: string;
  subject: string;
  clientId: number;
}

/** Seeds tokens through the real adapter's create call. */
async function seed(serviceId: string, subject: string, clientId: number, n = 1): Promise<Seeded[]> {
  const out: Seeded[] = [];
  for (let i = 0; i < n; i++) {
    const res = await adapter.create(serviceId, {
      grantType: 'AUTHORIZATION_CODE',
      clientId,
      subject,
      scopes: ['openid', 'profile'],
    });
    assert.equal(res.action, 'OK');
    assert.ok(res.accessToken && res.refreshToken);
    secretsUsed.add(res.accessToken).add(res.refreshToken);
    out.push({ accessToken: res.accessToken, refreshToken: res.refreshToken, subject, clientId });
  }
  return out;
}

const live = (serviceId: string) =>
  emu
    .tokens(serviceId)
    .map((t: AuthleteStoredToken) => t.accessToken)
    .sort();

async function run(
  request: Record<string, unknown>,
  timing: Record<string, string> = fastTiming,
): Promise<RevokeTokensOperation> {
  const started = await stack.client.revoke({ provider: 'authlete', ...request } as RevocationRequestInput, {
    timing,
  });
  assert.equal(started.done, false);
  return stack.client.wait(started.id, { timeout: 30_000 });
}

async function failureType(id: string): Promise<string | undefined> {
  const handle = stack.temporal.workflow.getHandle(id);
  let type: string | undefined;
  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    type = err.cause.type ?? undefined;
    return true;
  });
  return type;
}

const authleteDetail = (status: Status | undefined) =>
  status?.details.find((d) => d['@type'] === AUTHLETE_RESULT_TYPE);

void describe('Authlete adapter and emulator: the token management surface', () => {
  void it('create, list (pagination), update, reissue, destroy and revoke through the real adapter', async () => {
    const svc = freshService();
    const alice = await seed(svc, 'alice', APP, 6);
    const bob = await seed(svc, 'bob', CLI, 2);
    const [a0, a1, a2, a3] = alice as [Seeded, Seeded, Seeded, Seeded];

    // list: defaults start=0, end=5; totalCount counts all matches; hashes only.
    const first = await adapter.list(svc);
    assert.deepEqual([first.start, first.end, first.totalCount, first.accessTokens.length], [0, 5, 8, 5]);
    const second = await adapter.list(svc, { start: 5, end: 10 });
    assert.deepEqual(
      [second.start, second.end, second.totalCount, second.accessTokens.length],
      [5, 10, 8, 3],
    );
    const hashes = [...first.accessTokens, ...second.accessTokens].map((t) => t.accessTokenHash).sort();
    assert.deepEqual(hashes, [...alice, ...bob].map((s) => authleteTokenHash(s.accessToken)).sort());
    assert.ok(hashes.every((h) => /^[A-Za-z0-9_-]{43}$/.test(h)));
    assert.ok(!JSON.stringify([first, second]).includes(a0.accessToken), 'the list never holds token values');
    const byClient = await adapter.list(svc, { clientIdentifier: 'demo-app', subject: 'alice', end: 100 });
    assert.equal(byClient.totalCount, 6);
    assert.equal(byClient.client?.clientId, APP);
    assert.equal(byClient.subject, 'alice');

    // update: by hash (scopes) and by value (expiry); the list shows both.
    const updated = await adapter.update(svc, {
      accessTokenHash: authleteTokenHash(a1.accessToken),
      scopes: ['openid', 'email'],
    });
    assert.equal(updated.action, 'OK');
    assert.equal(updated.resultCode, 'A135001');
    const expiresAt = Date.now() + 7_200_000;
    await adapter.update(svc, { accessToken: a2.accessToken, accessTokenExpiresAt: expiresAt });
    const listed = (await adapter.list(svc, { end: 100 })).accessTokens;
    const entry = (s: Seeded) => listed.find((t) => t.accessTokenHash === authleteTokenHash(s.accessToken));
    assert.deepEqual(entry(a1)?.scopes, ['openid', 'email']);
    assert.equal(entry(a2)?.accessTokenExpiresAt, expiresAt);
    await assert.rejects(
      adapter.update(svc, { accessTokenHash: authleteTokenHash('no-such-token') }),
      (err) => {
        assert.ok(err instanceof AuthleteApiError);
        assert.equal(classifyAuthleteError(err).code, Code.NOT_FOUND);
        return true;
      },
    );

    // reissue: a valid pair gets a JWT-shaped ID token for the subject; a mismatched pair is a caller error.
    const reissued = await adapter.reissueIdToken(svc, {
      accessToken: a0.accessToken,
      refreshToken: a0.refreshToken,
    });
    assert.equal(reissued.action, 'OK');
    const [, payload] = (reissued.idToken ?? '').split('.');
    assert.match(reissued.idToken ?? '', /^[\w-]+\.[\w-]+\.[\w-]*$/);
    assert.equal(
      (JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { sub: string }).sub,
      'alice',
    );
    await assert.rejects(
      adapter.reissueIdToken(svc, { accessToken: a0.accessToken, refreshToken: a1.refreshToken }),
      (err) => {
        assert.ok(err instanceof AuthleteApiError);
        assert.equal(err.body.action, 'CALLER_ERROR');
        assert.equal(classifyAuthleteError(err).code, Code.INVALID_ARGUMENT);
        return true;
      },
    );

    // destroy: 204, the token is gone; an unknown one is 404.
    await adapter.destroy(svc, a3.accessToken);
    assert.equal(emu.requestsOf('delete', svc).at(-1)?.status, 204);
    assert.ok(!live(svc).includes(a3.accessToken));
    await assert.rejects(adapter.destroy(svc, a3.accessToken), (err) => {
      assert.ok(err instanceof AuthleteApiError);
      assert.equal(err.status, 404);
      return true;
    });

    // revoke, by the refresh token's hash: that pair, and only it.
    const revoked = await adapter.revoke(svc, { refreshTokenIdentifier: authleteTokenHash(a1.refreshToken) });
    assert.deepEqual(revoked, {
      resultCode: 'A312001',
      resultMessage: 'Revoked 1 access token(s).',
      count: 1,
    });
    assert.equal(emu.removed(svc).at(-1)?.refreshToken, a1.refreshToken);

    for (const op of ['list', 'create', 'update', 'delete', 'revoke', 'reissue'] as const) {
      assert.ok(emu.requestsOf(op, svc).length > 0, `${op} was exercised`);
    }
  });

  void it('list/create/update/reissue are activities too, and their failures are classified', async () => {
    const svc = freshService();
    const acts = createAuthleteActivities(buildConnectionRegistry(connections));
    const created = await acts.authleteCreateToken({
      connection: 'default',
      serviceId: svc,
      request: { grantType: 'PASSWORD', clientIdentifier: 'demo-cli', subject: 'dave', scopes: ['openid'] },
    });
    secretsUsed.add(created.accessToken ?? '').add(created.refreshToken ?? '');
    const page = await acts.authleteListTokens({ connection: 'fromEnv', serviceId: svc, subject: 'dave' });
    assert.equal(page.totalCount, 1);
    const updated = await acts.authleteUpdateToken({
      connection: 'fromFile',
      serviceId: svc,
      request: { accessToken: created.accessToken ?? '', scopes: ['openid', 'phone'] },
    });
    assert.deepEqual(updated.scopes, ['openid', 'phone']);
    const reissued = await acts.authleteReissueIdToken({
      connection: 'default',
      serviceId: svc,
      request: { accessToken: created.accessToken ?? '', refreshToken: created.refreshToken ?? '' },
    });
    assert.equal(reissued.action, 'OK');

    await assert.rejects(
      acts.authleteCreateToken({
        connection: 'default',
        serviceId: svc,
        request: { grantType: 'PASSWORD', clientId: 1, subject: 'dave' },
      }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'INVALID_ARGUMENT');
        assert.equal(err.nonRetryable, true);
        const status = err.details?.[0] as Status;
        assert.equal(authleteDetail(status)?.resultCode, 'A109203');
        return true;
      },
    );
    await assert.rejects(
      acts.authleteReissueIdToken({
        connection: 'default',
        serviceId: svc,
        request: { accessToken: created.accessToken ?? '', refreshToken: 'not-the-refresh-token' },
      }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'INVALID_ARGUMENT');
        assert.ok(!err.message.includes(created.accessToken ?? '-'));
        return true;
      },
    );
    // A connection whose token variable is unset fails for good, naming the field.
    await assert.rejects(
      acts.authleteListTokens({ connection: 'unsetEnv', serviceId: svc }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'FAILED_PRECONDITION');
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, /authlete\.unsetEnv\.serviceAccessTokenEnv/);
        return true;
      },
    );
  });

  void it('the emulator follows the revoke precedence, and answers 400 when no identifier is given', async () => {
    const svc = freshService();
    const [x, y] = (await seed(svc, 'erin', APP, 2)) as [Seeded, Seeded];
    // accessTokenIdentifier wins; subject is ignored (the adapter sends what it is given).
    const res = await adapter.revoke(svc, { accessTokenIdentifier: x.accessToken, subject: 'erin' });
    assert.equal(res.count, 1);
    assert.deepEqual(live(svc), [y.accessToken]);
    await assert.rejects(adapter.revoke(svc, {}), (err) => {
      assert.ok(err instanceof AuthleteApiError);
      assert.equal(err.status, 400);
      assert.equal(err.body.resultCode, 'A312201');
      assert.equal(classifyAuthleteError(err).code, Code.INVALID_ARGUMENT);
      return true;
    });
    // Form encoding is accepted too, as the spec allows.
    const form = await fetch(`${emu.baseUrl}/api/${svc}/auth/token/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ORG_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ accessTokenIdentifier: authleteTokenHash(y.accessToken) }),
    });
    assert.deepEqual(await form.json(), {
      resultCode: 'A312001',
      resultMessage: 'Revoked 1 access token(s).',
      count: 1,
    });
  });

  void it('bearer auth is per service: missing or unknown token 401, another service 403', async () => {
    const svc = freshService();
    const missing = await fetch(`${emu.baseUrl}/api/${svc}/auth/token/get/list`);
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { resultCode: string }).resultCode, 'A001202');
    const unknown = new AuthleteAdapter({ baseUrl: emu.baseUrl, serviceAccessToken: 'nope-not-a-token' });
    await assert.rejects(unknown.list(svc), (err) => err instanceof AuthleteApiError && err.status === 401);
    const one = new AuthleteAdapter({ baseUrl: emu.baseUrl, serviceAccessToken: SERVICE_ONE_TOKEN });
    assert.equal((await one.list(SERVICE_ONE)).totalCount, 0);
    await assert.rejects(one.list(svc), (err) => {
      assert.ok(err instanceof AuthleteApiError);
      assert.equal(err.status, 403);
      assert.equal(classifyAuthleteError(err).code, Code.PERMISSION_DENIED);
      return true;
    });
  });

  void it('connections: clusters, base URL rules, and the transport failures', async () => {
    assert.equal(authleteClusterUrl('eu'), 'https://eu.authlete.com');
    const ok = connectionsConfig.safeParse({
      authlete: { prod: { cluster: 'jp', serviceAccessTokenEnv: 'AUTHLETE_TOKEN' } },
    });
    assert.equal(ok.success, true);
    const bad = (c: unknown) => {
      const r = connectionsConfig.safeParse({ authlete: { x: c } });
      assert.equal(r.success, false);
      return r.error?.issues.map((i) => i.message).join('; ') ?? '';
    };
    assert.match(bad({ cluster: 'mars', serviceAccessToken: 't' }), /us, jp, eu, br/);
    assert.match(bad({ baseUrl: 'http://authlete.example.com', serviceAccessToken: 't' }), /must be https/);
    assert.match(
      bad({ cluster: 'us', baseUrl: 'https://a.example', serviceAccessToken: 't' }),
      /exactly one of cluster, baseUrl/,
    );
    assert.match(
      bad({ cluster: 'us', serviceAccessToken: 't', serviceAccessTokenFile: '/f' }),
      /exactly one of serviceAccessToken/,
    );
    // Nothing listens on port 1: UNAVAILABLE, retryable; no URL or token in the message.
    const dead = new AuthleteAdapter({ baseUrl: 'http://127.0.0.1:1', serviceAccessToken: ORG_TOKEN });
    await assert.rejects(dead.destroy('1', 'secret-value-in-the-path-123'), (err) => {
      const c = classifyAuthleteError(err);
      assert.equal(c.code, Code.UNAVAILABLE);
      assert.ok(!String((err as Error).message).includes('secret-value-in-the-path-123'));
      return true;
    });
    // An answer later than the call timeout: DEADLINE_EXCEEDED, retryable.
    const svc = freshService();
    emu.configure({ latencyMs: 300 });
    try {
      const slow = new AuthleteAdapter({
        baseUrl: emu.baseUrl,
        serviceAccessToken: ORG_TOKEN,
        callTimeoutMs: 100,
      });
      await assert.rejects(
        slow.list(svc),
        (err) => classifyAuthleteError(err).code === Code.DEADLINE_EXCEEDED,
      );
    } finally {
      emu.configure({ latencyMs: 0 });
    }
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 8_000), 2000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

void describe('revokeTokens at authlete', () => {
  void it('revokes one pair by the access token value: the store changes, the response has count and resultCode', async () => {
    const svc = freshService();
    const [t1, t2, t3] = (await seed(svc, 'alice', APP, 3)) as [Seeded, Seeded, Seeded];
    const op = await run({ serviceId: svc, accessTokenIdentifier: t1.accessToken });
    assert.equal(op.done, true);
    assert.equal(op.error, undefined);
    assert.equal(op.response?.revokedCount, 1);
    assert.equal(op.response?.count, 1);
    assert.equal(op.response?.resultCode, 'A312001');
    assert.equal(op.response?.resultMessage, 'Revoked 1 access token(s).');
    assert.equal(op.response?.selector, 'accessToken');
    assert.equal(op.response?.serviceId, svc);
    assert.deepEqual(live(svc), [t2.accessToken, t3.accessToken].sort());
    // The pair is gone: its refresh token no longer reissues an ID token.
    assert.deepEqual(
      emu.removed(svc).map((t) => [t.refreshToken, t.removedBy]),
      [[t1.refreshToken, 'revoke']],
    );
    assert.equal(emu.requestsOf('revoke', svc).length, 1);
    // The revoke, then the verification's introspection (a provider call too).
    assert.equal(op.metadata.attempts, 2);
    assert.equal(emu.requestsOf('introspection', svc).length, 1);
    assert.match(
      op.metadata.target,
      /^access token sha256:[0-9a-f]{16} and its refresh token in service \d+$/,
    );
    recordHistory('authlete-revoke-access-token', await fetchHistory(stack.temporal, op.id));
  });

  void it('revokes by the refresh token hash, through a connection whose token comes from a file', async () => {
    const svc = freshService();
    const [t1, t2] = (await seed(svc, 'alice', APP, 2)) as [Seeded, Seeded];
    const op = await run({
      connection: 'fromFile',
      serviceId: Number(svc),
      refreshTokenIdentifier: authleteTokenHash(t2.refreshToken),
    });
    assert.equal(op.response?.count, 1);
    assert.equal(op.response?.selector, 'refreshToken');
    assert.deepEqual(live(svc), [t1.accessToken]);
  });

  void it('revoke by subject + clientIdentifier revokes exactly the matching tokens', async () => {
    const svc = freshService();
    const aliceApp = await seed(svc, 'alice', APP, 3);
    const aliceCli = await seed(svc, 'alice', CLI, 2);
    const bobApp = await seed(svc, 'bob', APP, 2);
    const op = await run({
      connection: 'fromEnv',
      serviceId: svc,
      clientIdentifier: 'demo-app',
      subject: 'alice',
    });
    assert.equal(op.error, undefined);
    assert.equal(op.response?.count, 3);
    assert.equal(op.response?.revokedCount, 3);
    assert.equal(op.response?.selector, 'clientAndSubject');
    assert.equal(op.response?.subjectId, 'alice');
    assert.deepEqual(live(svc), [...aliceCli, ...bobApp].map((t) => t.accessToken).sort());
    assert.deepEqual(
      emu
        .removed(svc)
        .map((t) => t.accessToken)
        .sort(),
      aliceApp.map((t) => t.accessToken).sort(),
    );
    // The second call found nothing left and ended the loop.
    assert.deepEqual(
      emu.requestsOf('revoke', svc).map((r) => r.body),
      [
        { clientIdentifier: 'demo-app', subject: 'alice' },
        { clientIdentifier: 'demo-app', subject: 'alice' },
      ],
    );
    assert.equal(op.response?.revokeCalls, 2);
    recordHistory('authlete-revoke-client-and-subject', await fetchHistory(stack.temporal, op.id));
  });

  void it('a bulk revoke repeats the call until Authlete revokes none (its per-call cap)', async () => {
    const svc = freshService(2);
    await seed(svc, 'frank', APP, 5);
    const keep = await seed(svc, 'grace', APP, 1);
    const op = await run({ serviceId: svc, subject: 'frank' });
    assert.equal(op.response?.count, 5);
    assert.equal(op.response?.revokeCalls, 4);
    assert.equal(op.metadata.count, 5);
    assert.deepEqual(
      live(svc),
      keep.map((t) => t.accessToken),
    );
    assert.equal(emu.requestsOf('revoke', svc).length, 4);
    recordHistory('authlete-revoke-bulk-capped', await fetchHistory(stack.temporal, op.id));
  });

  void it('action delete: DELETE .../auth/token/delete/{identifier} answers 204 and the token is gone', async () => {
    const svc = freshService();
    const [t1, t2] = (await seed(svc, 'heidi', CLI, 2)) as [Seeded, Seeded];
    const op = await run({
      serviceId: svc,
      action: 'delete',
      accessTokenIdentifier: authleteTokenHash(t1.accessToken),
    });
    assert.equal(op.response?.deleted, true);
    assert.equal(op.response?.revokedCount, 1);
    assert.equal(op.response?.action, 'delete');
    assert.deepEqual(live(svc), [t2.accessToken]);
    const [call] = emu.requestsOf('delete', svc);
    assert.equal(call?.status, 204);
    assert.equal(call?.path, `/api/${svc}/auth/token/delete/${authleteTokenHash(t1.accessToken)}`);
    assert.equal(emu.removed(svc)[0]?.removedBy, 'delete');
    recordHistory('authlete-delete', await fetchHistory(stack.temporal, op.id));
  });

  void it('requests that mean nothing (or something else) are refused before any call, naming the field', async () => {
    const svc = freshService();
    const before = emu.requests.length;
    const refused = async (request: Record<string, unknown>, field: RegExp) => {
      await assert.rejects(
        stack.client.revoke({ provider: 'authlete', serviceId: svc, ...request } as RevocationRequestInput),
        (err: unknown) => {
          assert.ok(err instanceof InvalidArgumentError, String(err));
          assert.ok(
            err.violations.some((v) => field.test(v.field)),
            JSON.stringify(err.violations),
          );
          return true;
        },
      );
    };
    await refused({}, /^request\.accessTokenIdentifier$/);
    await refused({ accessTokenIdentifier: 'abcdefgh', subject: 'alice' }, /^request\.subject$/);
    await refused(
      { refreshTokenIdentifier: 'abcdefgh', clientIdentifier: 'demo-app' },
      /^request\.clientIdentifier$/,
    );
    await refused(
      { accessTokenIdentifier: 'abcdefgh', refreshTokenIdentifier: 'ijklmnop' },
      /^request\.refreshTokenIdentifier$/,
    );
    await refused({ action: 'delete', subject: 'alice' }, /^request\.accessTokenIdentifier$/);
    await refused({ action: 'purge', subject: 'alice' }, /^request\.action$/);
    await refused({ serviceId: 'svc-1', subject: 'alice' }, /^request\.serviceId$/);
    assert.equal(emu.requests.length, before, 'nothing reached the emulator');
    // The meaningful combinations parse.
    for (const r of [
      { accessTokenIdentifier: 'x'.repeat(43) },
      { refreshTokenIdentifier: 'x'.repeat(43) },
      { clientIdentifier: 'demo-app', subject: 'alice' },
      { clientIdentifier: '26888344961664' },
      { subject: 'alice' },
      { action: 'delete', accessTokenIdentifier: 'x'.repeat(43) },
    ]) {
      assert.ok(parseRevocationRequest({ provider: 'authlete', serviceId: svc, ...r }));
    }
  });
});

void describe('revokeTokens at authlete: failures', () => {
  void it('401 is UNAUTHENTICATED: not retried, exactly one call, Authlete body kept in the details', async () => {
    const svc = freshService();
    const op = await run({ connection: 'unknownToken', serviceId: svc, subject: 'alice' });
    assert.equal(op.error?.code, Code.UNAUTHENTICATED);
    assert.equal(emu.requestsOf('revoke', svc).length, 1);
    assert.equal(op.metadata.attempts, 1);
    const detail = authleteDetail(op.error);
    assert.equal(detail?.resultCode, 'A001203');
    assert.equal(detail?.httpStatus, 401);
    assert.match(String(detail?.resultMessage), /^\[A001203\] \/auth\/token\/revoke, /);
    assert.equal(await failureType(op.id), 'UNAUTHENTICATED');
    recordHistory('authlete-unauthenticated', await fetchHistory(stack.temporal, op.id));
  });

  void it('403 (a token for another service) is PERMISSION_DENIED: exactly one call', async () => {
    const svc = freshService();
    const op = await run({ connection: 'serviceOne', serviceId: svc, subject: 'alice' });
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    assert.equal(authleteDetail(op.error)?.resultCode, 'A001216');
    assert.equal(emu.requestsOf('revoke', svc).length, 1);
    assert.equal(await failureType(op.id), 'PERMISSION_DENIED');
  });

  void it('404 on the first attempt is NOT_FOUND: exactly one call', async () => {
    const svc = freshService();
    const op = await run({ serviceId: svc, accessTokenIdentifier: authleteTokenHash('never-issued-token') });
    assert.equal(op.error?.code, Code.NOT_FOUND);
    assert.equal(authleteDetail(op.error)?.resultCode, 'A312301');
    assert.equal(emu.requestsOf('revoke', svc).length, 1);
  });

  void it('5xx twice, then success: the operation is done', async () => {
    const svc = freshService();
    const [t1] = (await seed(svc, 'ivan', APP, 1)) as [Seeded];
    emu.injectFault({ operation: 'revoke', serviceId: svc, status: 500, times: 1 });
    emu.injectFault({ operation: 'revoke', serviceId: svc, status: 503, times: 1 });
    const op = await run({ serviceId: svc, accessTokenIdentifier: t1.accessToken });
    assert.equal(op.error, undefined);
    assert.equal(op.response?.count, 1);
    assert.deepEqual(
      emu.requestsOf('revoke', svc).map((r) => r.status),
      [500, 503, 200],
    );
    // Three revoke attempts and the verification's introspection.
    assert.equal(op.metadata.attempts, 4);
    assert.equal(emu.pendingFaults(), 0);
    recordHistory('authlete-transient-retries', await fetchHistory(stack.temporal, op.id));
  });

  // Without Retry-After the retry comes ~1 s later here (100 ms policy, server timer granularity),
  // so the asked-for waits are longer than that: ignoring them would fail these tests.
  for (const c of [
    { status: 429, retryAfter: () => '2' as string, atLeastMs: 2000, form: 'delay-seconds' },
    // An HTTP date has whole seconds: 3.5 s ahead is at least 2.5 s after it was made.
    {
      status: 503,
      retryAfter: () => new Date(Date.now() + 3500).toUTCString(),
      atLeastMs: 2000,
      form: 'HTTP-date',
    },
  ]) {
    void it(`${c.status} with Retry-After (${c.form}): the next attempt waits at least that long`, async () => {
      const svc = freshService();
      const [t1] = (await seed(svc, 'judy', APP, 1)) as [Seeded];
      emu.injectFault({ operation: 'revoke', serviceId: svc, status: c.status, retryAfter: c.retryAfter() });
      const op = await run({ serviceId: svc, refreshTokenIdentifier: t1.refreshToken });
      assert.equal(op.response?.count, 1);
      const [a1, a2] = emu.requestsOf('revoke', svc);
      assert.equal(a1?.status, c.status);
      assert.equal(a2?.status, 200);
      const gap = (a2?.at ?? 0) - (a1?.at ?? 0);
      assert.ok(gap >= c.atLeastMs, `second attempt ${gap} ms after the first`);
      recordHistory(`authlete-retry-after-${c.status}`, await fetchHistory(stack.temporal, op.id));
    });
  }

  void it('a reply lost after the revocation: the retry finds nothing left and the operation ends done', async () => {
    const svc = freshService();
    const [t1, t2] = (await seed(svc, 'mallory', APP, 2)) as [Seeded, Seeded];
    emu.injectFault({ operation: 'revoke', serviceId: svc, status: 502, afterHandling: true });
    const op = await run({ serviceId: svc, accessTokenIdentifier: t1.accessToken });
    assert.equal(op.error, undefined);
    assert.equal(op.response?.notFoundOnRetry, true);
    assert.equal(op.response?.count, 0);
    assert.deepEqual(live(svc), [t2.accessToken]);
    assert.deepEqual(
      emu.requestsOf('revoke', svc).map((r) => r.status),
      [502, 404],
    );
    recordHistory('authlete-lost-reply', await fetchHistory(stack.temporal, op.id));
  });
});

void describe('secrets', () => {
  void it('no token value or credential appears in history, worker logs, errors or the Operation', async () => {
    const svc = freshService();
    const [t1, t2] = (await seed(svc, 'oscar', APP, 2)) as [Seeded, Seeded];
    // Authlete echoing the token in its error text: retried, then done; the echo must be scrubbed.
    emu.injectFault({
      operation: 'revoke',
      serviceId: svc,
      status: 500,
      body: { resultCode: 'A001999', resultMessage: `[A001999] echo of ${t1.accessToken} and ${ORG_TOKEN}` },
    });
    const revoked = await run({ serviceId: svc, accessTokenIdentifier: t1.accessToken });
    assert.equal(revoked.response?.count, 1);
    // A final failure echoing the token, for delete by value (the value is in the URL path too).
    emu.injectFault({
      operation: 'delete',
      serviceId: svc,
      status: 400,
      body: { resultCode: 'A001998', resultMessage: `cannot delete ${t2.accessToken}` },
    });
    const failed = await run({ serviceId: svc, action: 'delete', accessTokenIdentifier: t2.accessToken });
    assert.equal(failed.error?.code, Code.INVALID_ARGUMENT);
    assert.equal(emu.requestsOf('delete', svc).length, 1, '400 is not retried');
    assert.match(failed.error?.message ?? '', /cannot delete \[sha256:[0-9a-f]{16}\]/);
    assert.match(String(authleteDetail(failed.error)?.resultMessage), /cannot delete \[sha256:/);

    const texts: Array<[string, string]> = [
      ['revoked operation', JSON.stringify(revoked)],
      ['failed operation', JSON.stringify(failed)],
      ['worker logs', workerLogs.join('\n')],
    ];
    const histories = [
      historyBytes(await fetchHistory(stack.temporal, revoked.id)),
      historyBytes(await fetchHistory(stack.temporal, failed.id)),
    ];
    // Positive controls: the checks see what they search.
    assert.ok(
      workerLogs.some((l) => l.includes('A001999')),
      'the retried failure was logged',
    );
    assert.ok(
      histories[1]?.includes(Buffer.from('cannot delete [sha256:')),
      'the failure text is in the history',
    );
    assert.ok(texts[1]?.[1].includes('cannot delete'));
    for (const secret of secretsUsed) {
      if (!secret) continue;
      for (const [where, text] of texts)
        assert.ok(!text.includes(secret), `a secret leaked into the ${where}`);
      for (const bytes of histories) {
        assert.ok(!bytes.includes(Buffer.from(secret)), 'a secret leaked into a history');
        assert.ok(
          !bytes.includes(Buffer.from(secret.slice(4, 28))),
          'part of a secret leaked into a history',
        );
      }
    }
    recordHistory('authlete-secrets-scrubbed', await fetchHistory(stack.temporal, failed.id));
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], s: TestStack, env: NodeJS.ProcessEnv = {}, stdin = ''): Promise<Run> {
  const key = s.keyring.keys.get('test');
  assert.ok(key);
  return runCliCaptured(
    args,
    {
      TEMPORAL_ADDRESS: s.address,
      REVOCATION_TASK_QUEUE: s.taskQueue,
      REVOCATION_CODEC_KEY: key.toString('base64'),
      REVOCATION_CODEC_KEY_ID: 'test',
      ...env,
    },
    stdin,
  );
}

void describe('revoke authlete (CLI)', () => {
  void it('revokes a token from an environment variable or stdin, and never prints it', async () => {
    const svc = freshService();
    const [t1, t2, t3] = (await seed(svc, 'peggy', APP, 3)) as [Seeded, Seeded, Seeded];
    const fromEnv = await cli(
      ['authlete', '--service-id', svc, '--access-token-identifier-env', 'AT', '--wait', '--json'],
      stack,
      { AT: t1.accessToken },
    );
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    const op = JSON.parse(fromEnv.stdout) as RevokeTokensOperation;
    assert.equal(op.response?.count, 1);
    assert.equal(op.response?.resultCode, 'A312001');
    const fromStdin = await cli(
      ['authlete', '--service-id', svc, '--refresh-token-identifier-stdin', '--wait'],
      stack,
      {},
      `${t2.refreshToken}\n`,
    );
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.match(fromStdin.stdout, /^done +true$/m);
    const deleted = await cli(
      [
        'authlete',
        '--service-id',
        svc,
        '--action',
        'delete',
        '--access-token-hash',
        authleteTokenHash(t3.accessToken),
        '--wait',
        '--json',
      ],
      stack,
    );
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(live(svc), []);
    for (const r of [fromEnv, fromStdin, deleted]) {
      for (const t of [t1, t2, t3])
        assert.ok(
          !(r.stdout + r.stderr).includes(t.accessToken) && !(r.stdout + r.stderr).includes(t.refreshToken),
        );
    }
  });

  void it('bad input exits 2 naming the flag, before anything starts', async () => {
    const svc = freshService();
    const before = emu.requests.length;
    const cases: Array<[string[], RegExp]> = [
      [
        ['--access-token-identifier', 'tok-value-123'],
        /--access-token-identifier: a token is never accepted on the command line/,
      ],
      [[], /--access-token-hash: nothing selected/],
      [['--access-token-hash', 'short'], /--access-token-hash: must be a token hash/],
      [
        ['--access-token-hash', 'x'.repeat(43), '--subject', 'alice'],
        /--subject \(request\.subject\): cannot be combined with accessTokenIdentifier/,
      ],
      [
        ['--action', 'delete', '--subject', 'alice'],
        /--access-token-hash\/--access-token-identifier-stdin\/--access-token-identifier-env \(request\.accessTokenIdentifier\): is required/,
      ],
      [
        ['--access-token-identifier-env', 'UNSET_VAR_X'],
        /--access-token-identifier-env: environment variable UNSET_VAR_X is not set/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['authlete', '--service-id', svc, ...args], stack);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.ok(!r.stderr.includes('tok-value-123'));
    }
    const noService = await cli(['authlete', '--subject', 'alice'], stack);
    assert.equal(noService.code, 2);
    assert.match(noService.stderr, /--service-id: is required/);
    const help = await cli(['authlete', '--help'], stack);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n {2}\$ revoke authlete --service-id/);
    assert.equal(emu.requests.length, before);
  });

  void it('the npm start demo: every printed example succeeds against the demo emulator', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'authlete-demo-'));
    const demo = await startDemo(dataDir);
    const demoStack = await createTestStack(
      {},
      { connections: { authlete: demo.connections as ConnectionsConfig['authlete'] } },
    );
    try {
      await demoStack.startWorker();
      assert.equal(demo.provider, 'authlete');
      assert.ok(demo.examples.length >= 4);
      for (const example of demo.examples) {
        const r = await cli([...example.split(' '), '--json'], demoStack);
        assert.equal(r.code, 0, `${example}: ${r.stderr}`);
        const op = JSON.parse(r.stdout) as RevokeTokensOperation;
        assert.ok(Number(op.response?.revokedCount) >= 1, `${example} revoked something`);
      }
    } finally {
      await demoStack.close();
      await demo.close();
    }
  });
});
