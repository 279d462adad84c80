import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import { GoogleIdentityPlatformAdapter } from '../activities/google-identity-platform/adapter';
import {
  GOOGLE_ERROR_TYPE_URL,
  GoogleIdentityPlatformError,
} from '../activities/google-identity-platform/errors';
import { parseRetryAfter as retryAfterMs } from '../activities/retry-after';
import {
  Code,
  fingerprint,
  InvalidArgumentError,
  TypeUrl,
  type RevocationRequestInput,
  type RevokeTokensOperation,
} from '../api';
import { startDemo } from '../emulators/google-identity-platform/demo';
import {
  REVOKE_PATH,
  startGoogleIdentityPlatformEmulator,
  type AppleToken,
  type GoogleEmulatorRequest,
  type GoogleIdentityPlatformEmulator,
  type ServiceAccountKey,
} from '../emulators/google-identity-platform';
import { connectionsConfig } from '../worker/connections';
import { fastTiming, fetchHistory, historyBytes, recordHistory } from './helpers/history';
import { createTestStack, workerLogs, type TestStack } from './helpers/stack';
import { runCliCaptured, stackCliEnv } from './helpers/cli';

const apiKey = 'AIzaSyTEST-gip-0123456789-abcdefghijklm';
const wrongKey = 'AIzaSyWRONG-gip-0123456789-zyxwvutsrqp';
const provider = 'google-identity-platform';

let emu: GoogleIdentityPlatformEmulator;
let s: TestStack;
/** The service account of the bearer-token connections (its key file holds the private key). */
let sa: ServiceAccountKey;
const wrongScope = 'https://www.googleapis.com/auth/userinfo.email';
const badKeyMarker = 'PRIVATE-KEY-MATERIAL-7f3a';

before(async () => {
  emu = await startGoogleIdentityPlatformEmulator({ apiKeys: [apiKey] });
  const dir = mkdtempSync(join(tmpdir(), 'gip-test-'));
  const apiKeyFile = join(dir, 'api-key');
  writeFileSync(apiKeyFile, `${apiKey}\n`, { mode: 0o600 });
  process.env.GIP_TEST_API_KEY = apiKey;
  delete process.env.GIP_TEST_UNSET_VARIABLE;
  const baseUrl = emu.baseUrl;
  sa = emu.createServiceAccount({ clientEmail: 'revoker@gip-test.iam.gserviceaccount.com' });
  const saFile = join(dir, 'sa.json');
  writeFileSync(saFile, JSON.stringify(sa), { mode: 0o600 });
  process.env.GIP_TEST_SA_KEY = JSON.stringify(emu.createServiceAccount());
  // The same account name with a key the emulator never registered: its signature cannot verify.
  const forged = join(dir, 'forged.json');
  const other = emu.createServiceAccount();
  writeFileSync(forged, JSON.stringify({ ...other, client_email: sa.client_email }), { mode: 0o600 });
  const badKeyFile = join(dir, 'bad-key.json');
  writeFileSync(badKeyFile, JSON.stringify({ ...sa, private_key: `not a key ${badKeyMarker}` }), {
    mode: 0o600,
  });
  const plainHttpTokenUri = join(dir, 'http-token-uri.json');
  writeFileSync(plainHttpTokenUri, JSON.stringify({ ...sa, token_uri: 'http://oauth.example.com/token' }), {
    mode: 0o600,
  });
  s = await createTestStack(
    {},
    {
      connections: {
        [provider]: {
          default: { baseUrl, apiKey },
          'from-file': { baseUrl, apiKeyFile },
          'from-env': { baseUrl, apiKeyEnv: 'GIP_TEST_API_KEY' },
          'unset-env': { baseUrl, apiKeyEnv: 'GIP_TEST_UNSET_VARIABLE' },
          'bad-key': { baseUrl, apiKey: wrongKey },
          'service-account': { baseUrl, serviceAccountKeyFile: saFile },
          'sa-cloud-platform': {
            baseUrl,
            serviceAccountKeyEnv: 'GIP_TEST_SA_KEY',
            scopes: ['https://www.googleapis.com/auth/cloud-platform'],
          },
          'sa-wrong-scope': { baseUrl, serviceAccountKeyFile: saFile, scopes: [wrongScope] },
          'sa-forged': { baseUrl, serviceAccountKeyFile: forged },
          'sa-bad-file': { baseUrl, serviceAccountKeyFile: badKeyFile },
          'sa-http-token-uri': { baseUrl, serviceAccountKeyFile: plainHttpTokenUri },
          // Used once each, so no cached access token stands between the call and the token endpoint.
          'sa-token-503': { baseUrl, serviceAccountKeyFile: saFile },
          'sa-token-echo': { baseUrl, serviceAccountKeyFile: saFile },
        },
      },
    },
  );
  await s.startWorker();
});

after(async () => {
  await s?.close();
  await emu?.close();
});

interface User {
  uid: string;
  tenantId?: string;
  idToken: string;
  refresh: AppleToken;
  access: AppleToken;
  code: AppleToken;
  /** revokeToken calls the emulator received for this user's ID token. */
  calls(): GoogleEmulatorRequest[];
}

const redirectUri = 'https://app.example.com/apple/callback';

/** A fresh Identity Platform user with Apple tokens, so tests share the emulator but not state. */
function newUser(tenantId?: string): User {
  const uid = `user-${randomUUID().slice(0, 8)}`;
  const account = emu.addAccount({ uid, ...(tenantId ? { tenantId } : {}) });
  const idToken = account.idTokens[0];
  assert.ok(idToken);
  return {
    uid,
    ...(tenantId ? { tenantId } : {}),
    idToken,
    refresh: emu.issueAppleToken(uid, tenantId, { type: 'REFRESH_TOKEN' }),
    access: emu.issueAppleToken(uid, tenantId, { type: 'ACCESS_TOKEN' }),
    code: emu.issueAppleToken(uid, tenantId, { type: 'CODE', redirectUri }),
    calls: () =>
      emu.revokeCalls().filter((c) => (c.body as { idToken?: unknown } | undefined)?.idToken === idToken),
  };
}

function requestFor(u: User, patch: Record<string, unknown> = {}): RevocationRequestInput {
  return {
    provider,
    providerId: 'apple.com',
    tokenType: 'REFRESH_TOKEN',
    token: u.refresh.value,
    idToken: u.idToken,
    ...(u.tenantId ? { tenantId: u.tenantId } : {}),
    ...patch,
  } as RevocationRequestInput;
}

async function revokeAndWait(
  request: RevocationRequestInput,
  timing: Record<string, string> = fastTiming,
): Promise<RevokeTokensOperation> {
  const started = await s.client.revoke(request, { timing });
  return s.client.wait(started.id, { timeout: 30_000 });
}

async function failureOf(id: string): Promise<ApplicationFailure> {
  let failure: ApplicationFailure | undefined;
  await assert.rejects(s.temporal.workflow.getHandle(id).result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    failure = err.cause;
    return true;
  });
  assert.ok(failure);
  return failure;
}

const gap = (a: GoogleEmulatorRequest | undefined, b: GoogleEmulatorRequest | undefined) =>
  (b?.receivedAt.getTime() ?? NaN) - (a?.respondedAt?.getTime() ?? NaN);

/** The JSON body Identity Toolkit takes (the request without the engine's own fields). */
function bodyFor(u: User, patch: Record<string, unknown> = {}): Record<string, unknown> {
  const { provider: _p, ...body } = requestFor(u, patch) as Record<string, unknown>;
  return body;
}

void describe('google-identity-platform emulator (HTTP, as Identity Toolkit answers)', () => {
  const post = async (body: unknown, query = `?key=${apiKey}`) => {
    const res = await request(`${emu.baseUrl}${REVOKE_PATH}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.statusCode,
      json: (await res.body.json()) as { error: { message: string; status: string } },
    };
  };

  void it('checks the API key: missing is 403, wrong is 400 API_KEY_INVALID as Google words it', async () => {
    const u = newUser();
    const missing = await post(bodyFor(u), '');
    assert.equal(missing.status, 403);
    assert.equal(missing.json.error.status, 'PERMISSION_DENIED');
    const wrong = await post(bodyFor(u), `?key=${wrongKey}`);
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.json, {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        errors: [
          {
            message: 'API key not valid. Please pass a valid API key.',
            domain: 'global',
            reason: 'badRequest',
          },
        ],
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'identitytoolkit.googleapis.com' },
          },
        ],
      },
    });
    assert.deepEqual(
      u.calls().map((c) => c.apiKey),
      ['missing', 'invalid'],
    );
    assert.equal(emu.appleToken(u.refresh.value)?.revokedAt, undefined);
  });

  void it('accepts tokenType as name, number and number string ("3", as Firebase iOS sends)', async () => {
    const a = newUser();
    assert.equal((await post(bodyFor(a, { tokenType: 1 }))).status, 200);
    assert.ok(emu.appleToken(a.refresh.value)?.revokedAt);
    const b = newUser();
    const code = await post(bodyFor(b, { tokenType: '3', token: b.code.value, redirectUri }));
    assert.equal(code.status, 200);
    assert.deepEqual(code.json, {});
    assert.ok(emu.appleToken(b.code.value)?.revokedAt);
    assert.equal(b.calls()[0]?.outcome, 'code-exchanged-and-revoked');
    const c = newUser();
    assert.equal((await post(bodyFor(c, { tokenType: 'ACCESS_TOKEN', token: c.access.value }))).status, 200);
    assert.ok(emu.appleToken(c.access.value)?.revokedAt);
    const unspecified = await post(bodyFor(newUser(), { tokenType: '0' }));
    assert.equal(unspecified.status, 400);
    assert.match(unspecified.json.error.message, /^INVALID_TOKEN_TYPE : /);
    const bogus = await post(bodyFor(newUser(), { tokenType: 'ID_TOKEN' }));
    assert.equal(bogus.status, 400);
    assert.match(bogus.json.error.message, /Invalid value at 'token_type'/);
  });

  void it('rejects unknown fields, bad ID tokens and another tenant, with Identity Toolkit codes', async () => {
    const u = newUser('tenant-a1');
    const unknown = await post({ ...bodyFor(u), userId: 'x' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.json.error.message, /Unknown name "userId"/);
    const badId = await post(bodyFor(u, { idToken: 'aaa.bbb.ccc' }));
    assert.equal(badId.status, 400);
    assert.equal(badId.json.error.message, 'INVALID_ID_TOKEN');
    assert.equal(badId.json.error.status, 'INVALID_ARGUMENT');
    const otherTenant = await post(bodyFor(u, { tenantId: 'tenant-b2' }));
    assert.equal(otherTenant.json.error.message, 'TENANT_ID_MISMATCH');
    assert.equal(emu.appleToken(u.refresh.value)?.revokedAt, undefined);
    assert.equal((await post(bodyFor(u))).status, 200);
    assert.ok(emu.appleToken(u.refresh.value)?.revokedAt);
  });

  void it('logs every request with arrival and answer times, and answers faults with Retry-After', async () => {
    const u = newUser();
    emu.injectFault({ status: 503, retryAfter: 7, times: 2 });
    const first = await request(`${emu.baseUrl}${REVOKE_PATH}?key=${apiKey}`, {
      method: 'POST',
      body: JSON.stringify(bodyFor(u)),
    });
    assert.equal(first.statusCode, 503);
    assert.equal(first.headers['retry-after'], '7');
    assert.equal(((await first.body.json()) as { error: { status: string } }).error.status, 'UNAVAILABLE');
    assert.equal((await post(bodyFor(u))).status, 503);
    assert.equal((await post(bodyFor(u))).status, 200);
    const calls = u.calls();
    assert.deepEqual(
      calls.map((c) => [c.status, c.outcome]),
      [
        [503, 'fault'],
        [503, 'fault'],
        [200, 'revoked'],
      ],
    );
    for (const c of calls) {
      assert.ok(c.receivedAt instanceof Date && c.respondedAt instanceof Date);
      assert.ok(c.respondedAt.getTime() >= c.receivedAt.getTime());
    }
  });
});

void describe('google-identity-platform adapter: classification and scrubbing without Temporal', () => {
  const revokeReq = (u: User) => ({
    providerId: 'apple.com',
    tokenType: 'REFRESH_TOKEN' as const,
    token: u.refresh.value,
    idToken: u.idToken,
  });

  void it('the emulator enforces the redirectUri rules itself (adapter bypasses the client schema)', async () => {
    const adapter = new GoogleIdentityPlatformAdapter({ apiKey, baseUrl: emu.baseUrl });
    const u = newUser();
    for (const uri of [
      undefined,
      'http://app.example.com/cb',
      'https://203.0.113.7/cb',
      'https://[2001:db8::1]/cb',
      'https://localhost/cb',
      'https://intranet/cb',
    ]) {
      await assert.rejects(
        adapter.revokeToken({
          ...revokeReq(u),
          tokenType: 'CODE',
          token: u.code.value,
          ...(uri ? { redirectUri: uri } : {}),
        }),
        (err: unknown) => {
          assert.ok(err instanceof GoogleIdentityPlatformError);
          assert.equal(err.code, Code.INVALID_ARGUMENT);
          assert.equal(err.retryable, false);
          assert.match(err.reason, /^(MISSING|INVALID)_REDIRECT_URI$/);
          assert.match(err.message, /redirectUri/);
          return true;
        },
        String(uri),
      );
    }
    assert.equal(emu.appleToken(u.code.value)?.revokedAt, undefined);
  });

  void it('a refused connection or a reset is UNAVAILABLE and retryable, and never shows the key', async () => {
    const u = newUser();
    const dead = new GoogleIdentityPlatformAdapter({ apiKey, baseUrl: 'http://127.0.0.1:1' });
    await assert.rejects(dead.revokeToken(revokeReq(u)), (err: unknown) => {
      assert.ok(err instanceof GoogleIdentityPlatformError);
      assert.equal(err.code, Code.UNAVAILABLE);
      assert.equal(err.retryable, true);
      assert.match(err.message, /no answer from the server \(ECONNREFUSED\)/);
      assert.ok(!JSON.stringify({ ...err, message: err.message, stack: err.stack }).includes(apiKey));
      return true;
    });
    emu.injectFault({ status: 0, reset: true });
    const adapter = new GoogleIdentityPlatformAdapter({ apiKey, baseUrl: emu.baseUrl });
    await assert.rejects(adapter.revokeToken(revokeReq(u)), (err: unknown) => {
      assert.ok(err instanceof GoogleIdentityPlatformError);
      assert.equal(err.code, Code.UNAVAILABLE);
      assert.ok(!err.message.includes(apiKey));
      return true;
    });
  });

  void it('Retry-After is read as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs('2', now), 2000);
    assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
    assert.equal(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(undefined, now), undefined);
  });
});

void describe('revokeTokens at google-identity-platform: revocations', () => {
  void it('revokes an Apple refresh token: the emulator store changes, the response says what was revoked', async () => {
    const u = newUser();
    const op = await revokeAndWait(requestFor(u));
    assert.equal(op.done, true);
    assert.equal(op.error, undefined);
    // verification and evidence come from the steps after the revoke (test/verification-google.test.ts, the ledger's tests).
    const { verification, evidence: _evidence, ...response } = op.response ?? {};
    assert.deepEqual(response, {
      '@type': TypeUrl.revokeTokensResponse,
      provider,
      connection: 'default',
      revokedCount: 1,
      providerId: 'apple.com',
      tokenType: 'REFRESH_TOKEN',
      tokenFingerprint: fingerprint(u.refresh.value),
    });
    assert.equal(verification?.state, 'UNVERIFIABLE');
    assert.equal(op.metadata.target, `apple.com refresh token ${fingerprint(u.refresh.value)}`);
    assert.equal(op.metadata.attempts, 1);
    assert.ok(emu.appleToken(u.refresh.value)?.revokedAt, 'the Apple token is revoked');
    assert.equal(emu.appleToken(u.access.value)?.revokedAt, undefined, 'other tokens are not');
    const calls = u.calls();
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.apiKey, 'valid');
    assert.deepEqual(calls[0]?.body, {
      providerId: 'apple.com',
      tokenType: 'REFRESH_TOKEN',
      token: u.refresh.value,
      idToken: u.idToken,
    });
    recordHistory('google-identity-platform-revoke-refresh-token', await fetchHistory(s.temporal, op.id));
  });

  void it('revokes an access token in a tenant, and a CODE with its redirectUri', async () => {
    const t = newUser('shop-eu-k3j2');
    const op = await revokeAndWait(requestFor(t, { tokenType: 'ACCESS_TOKEN', token: t.access.value }));
    assert.equal(op.response?.tokenType, 'ACCESS_TOKEN');
    assert.equal(op.response?.tenantId, 'shop-eu-k3j2');
    assert.equal(op.response?.tokenFingerprint, fingerprint(t.access.value));
    assert.equal(t.calls()[0]?.outcome, 'revoked');
    assert.equal((t.calls()[0]?.body as { tenantId?: string }).tenantId, 'shop-eu-k3j2');
    assert.ok(emu.appleToken(t.access.value)?.revokedAt);

    const c = newUser();
    const code = await revokeAndWait(requestFor(c, { tokenType: 'CODE', token: c.code.value, redirectUri }));
    assert.equal(code.error, undefined);
    assert.equal(code.response?.tokenType, 'CODE');
    assert.equal(c.calls()[0]?.outcome, 'code-exchanged-and-revoked');
    assert.equal((c.calls()[0]?.body as { redirectUri?: string }).redirectUri, redirectUri);
    assert.ok(emu.appleToken(c.code.value)?.revokedAt);
    recordHistory('google-identity-platform-revoke-code', await fetchHistory(s.temporal, code.id));
  });

  void it('a duplicate revoke returns at once: short-circuited by the emulator, the operation succeeds', async () => {
    const u = newUser();
    const latency = 400;
    emu.configure({ appleLatencyMs: latency });
    try {
      const first = await revokeAndWait(requestFor(u));
      assert.equal(first.error, undefined);
      const revokedAt = emu.account(u.uid)?.revokedAt;
      assert.ok(revokedAt);
      const firstCall = u.calls()[0];
      assert.equal(firstCall?.shortCircuited, false);
      assert.ok(gapOf(firstCall) >= latency, 'a real revocation goes to Apple');

      // The access token was issued before that revocation: this is a duplicate, ignored by Google.
      const dup = await revokeAndWait(requestFor(u, { tokenType: 'ACCESS_TOKEN', token: u.access.value }));
      assert.equal(dup.done, true);
      assert.equal(dup.error, undefined);
      assert.equal(dup.response?.tokenType, 'ACCESS_TOKEN');
      // Google's answer to an ignored repeat is the same `{}`: the engine does not claim to know.
      assert.equal(dup.response?.duplicate, undefined);
      const dupCall = u.calls()[1];
      assert.equal(dupCall?.status, 200);
      assert.equal(dupCall?.shortCircuited, true);
      assert.equal(dupCall?.outcome, 'duplicate-ignored');
      assert.ok(gapOf(dupCall) < latency, `answered at once (${gapOf(dupCall)} ms)`);
      assert.equal(emu.appleToken(u.access.value)?.revokedAt, undefined, 'the store was not touched');
      assert.deepEqual(emu.account(u.uid)?.revokedAt, revokedAt);
      recordHistory('google-identity-platform-duplicate', await fetchHistory(s.temporal, dup.id));

      // A token issued after the revocation makes the next request a real one again.
      const fresh = emu.issueAppleToken(u.uid, undefined, { type: 'REFRESH_TOKEN' });
      const again = await revokeAndWait(requestFor(u, { token: fresh.value }));
      assert.equal(again.error, undefined);
      assert.equal(u.calls()[2]?.shortCircuited, false);
      assert.ok(emu.appleToken(fresh.value)?.revokedAt);
    } finally {
      emu.configure({ appleLatencyMs: 0 });
    }
  });

  void it('reads the API key from a file or a named environment variable of the worker', async () => {
    for (const connection of ['from-file', 'from-env']) {
      const u = newUser();
      const op = await revokeAndWait(requestFor(u, { connection }));
      assert.equal(op.error, undefined, connection);
      assert.equal(op.response?.connection, connection);
      assert.equal(u.calls()[0]?.apiKey, 'valid');
    }
  });

  void it('a connection whose key variable is unset fails for good with FAILED_PRECONDITION, no call', async () => {
    const u = newUser();
    const op = await revokeAndWait(requestFor(u, { connection: 'unset-env' }));
    assert.equal(op.error?.code, Code.FAILED_PRECONDITION);
    assert.match(
      op.error?.message ?? '',
      /apiKeyEnv: environment variable GIP_TEST_UNSET_VARIABLE is not set/,
    );
    assert.equal(op.metadata.attempts, 1);
    assert.equal(u.calls().length, 0);
  });

  void it('connection config: https only (http just to loopback), exactly one key source', () => {
    const parse = (c: Record<string, unknown>) => connectionsConfig.safeParse({ [provider]: { x: c } });
    const http = parse({ apiKey: 'k', baseUrl: 'http://identitytoolkit.example.com' });
    assert.equal(http.success, false);
    assert.match(JSON.stringify(http.error?.issues), /must use https/);
    assert.equal(parse({ apiKey: 'k', baseUrl: 'http://127.0.0.1:8080' }).success, true);
    assert.equal(parse({ apiKey: 'k' }).success, true);
    const two = parse({ apiKey: 'k', apiKeyEnv: 'K' });
    assert.match(JSON.stringify(two.error?.issues), /at most one of apiKey, apiKeyFile, apiKeyEnv/);
    const none = parse({ baseUrl: 'https://x.example.com' });
    assert.match(JSON.stringify(none.error?.issues), /set an API key .* a service account/);
    assert.equal(parse({ serviceAccountKeyFile: '/k.json' }).success, true);
    assert.equal(parse({ apiKey: 'k', serviceAccountKeyEnv: 'SA' }).success, true);
    const twoSa = parse({ serviceAccountKeyFile: '/k.json', serviceAccountKeyEnv: 'SA' });
    assert.match(JSON.stringify(twoSa.error?.issues), /at most one of serviceAccountKeyFile/);
    const scopeWithoutSa = parse({
      apiKey: 'k',
      scopes: ['https://www.googleapis.com/auth/identitytoolkit'],
    });
    assert.match(JSON.stringify(scopeWithoutSa.error?.issues), /scopes apply to a service account only/);
    const notScope = parse({ serviceAccountKeyFile: '/k.json', scopes: ['identitytoolkit'] });
    assert.match(JSON.stringify(notScope.error?.issues), /must be a Google OAuth scope URL/);
  });
});

function gapOf(call: GoogleEmulatorRequest | undefined): number {
  return (call?.respondedAt?.getTime() ?? NaN) - (call?.receivedAt.getTime() ?? NaN);
}

void describe('revokeTokens at google-identity-platform: errors and retries', () => {
  for (const c of [
    { status: 401, code: Code.UNAUTHENTICATED, type: 'UNAUTHENTICATED' },
    { status: 403, code: Code.PERMISSION_DENIED, type: 'PERMISSION_DENIED' },
  ]) {
    void it(`${c.status} is final: non-retryable, exactly one call`, async () => {
      const u = newUser();
      emu.injectFault({ status: c.status });
      const started = await s.client.revoke(requestFor(u), { timing: fastTiming });
      const op = await s.client.wait(started.id, { timeout: 30_000 });
      assert.equal(op.error?.code, c.code);
      assert.equal(op.metadata.attempts, 1);
      assert.equal(u.calls().length, 1);
      const failure = await failureOf(started.id);
      assert.equal(failure.type, c.type);
      assert.equal(emu.appleToken(u.refresh.value)?.revokedAt, undefined);
      recordHistory(`google-identity-platform-${c.status}`, await fetchHistory(s.temporal, started.id));
    });
  }

  void it('5xx twice, then success: done, three calls', async () => {
    const u = newUser();
    emu.injectFault({ status: 500 });
    emu.injectFault({ status: 503 });
    const op = await revokeAndWait(requestFor(u));
    assert.equal(op.done, true);
    assert.equal(op.error, undefined);
    assert.equal(op.response?.revokedCount, 1);
    assert.equal(op.metadata.attempts, 3);
    assert.deepEqual(
      u.calls().map((c) => c.status),
      [500, 503, 200],
    );
    assert.ok(emu.appleToken(u.refresh.value)?.revokedAt);
    recordHistory('google-identity-platform-5xx-then-ok', await fetchHistory(s.temporal, op.id));
  });

  void it('429 and 503 with Retry-After: each next attempt waits at least that long (emulator log)', async () => {
    const u = newUser();
    // 2 s each: the dev server's own retry timers already take about 1 s, so 1 s would prove nothing.
    emu.injectFault({ status: 429, retryAfter: 2 });
    emu.injectFault({ status: 503, retryAfter: '2' });
    const started = await s.client.revoke(requestFor(u), { timing: fastTiming });
    // While the retry waits: not done, the latest failure shown.
    let pending: RevokeTokensOperation | undefined;
    for (let i = 0; i < 50 && pending?.error === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pending = await s.client.get(started.id);
    }
    assert.equal(pending?.done, false);
    assert.equal(pending?.error?.code, Code.RESOURCE_EXHAUSTED);
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error, undefined);
    const calls = u.calls();
    assert.deepEqual(
      calls.map((c) => c.status),
      [429, 503, 200],
    );
    // Without Retry-After, fastTiming retries after 100 ms and 200 ms (about 1 s on the dev server).
    assert.ok(gap(calls[0], calls[1]) >= 2000, `waited ${gap(calls[0], calls[1])} ms after the 429`);
    assert.ok(gap(calls[1], calls[2]) >= 2000, `waited ${gap(calls[1], calls[2])} ms after the 503`);
    recordHistory('google-identity-platform-retry-after', await fetchHistory(s.temporal, op.id));
  });

  void it('a Google JSON error maps onto the Operation error: code from status, message, status and details kept', async () => {
    const u = newUser();
    const op = await revokeAndWait(requestFor(u, { idToken: `${u.idToken.slice(0, -4)}AAAA` }));
    assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
    assert.match(op.error?.message ?? '', /HTTP 400 INVALID_ARGUMENT\): INVALID_ID_TOKEN$/);
    assert.equal(op.metadata.attempts, 1);
    const [info, google] = op.error?.details ?? [];
    assert.equal(info?.['@type'], TypeUrl.errorInfo);
    assert.equal(info?.reason, 'INVALID_ID_TOKEN');
    assert.equal(info?.domain, provider);
    assert.deepEqual(google, {
      '@type': GOOGLE_ERROR_TYPE_URL,
      httpStatus: 400,
      code: 400,
      message: 'INVALID_ID_TOKEN',
      status: 'INVALID_ARGUMENT',
      errors: [{ message: 'INVALID_ID_TOKEN', domain: 'global', reason: 'invalid' }],
    });

    // Google's own details (ErrorInfo API_KEY_INVALID) are kept; the key is not.
    const k = newUser();
    const bad = await revokeAndWait(requestFor(k, { connection: 'bad-key' }));
    assert.equal(bad.error?.code, Code.INVALID_ARGUMENT);
    assert.equal(bad.error?.details[0]?.reason, 'API_KEY_INVALID');
    assert.ok(
      bad.error?.details.some(
        (d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo' && d.reason === 'API_KEY_INVALID',
      ),
    );
    assert.equal(k.calls()[0]?.apiKey, 'invalid');
    assert.ok(!JSON.stringify(bad).includes(wrongKey));

    // Status names map directly (RESOURCE_EXHAUSTED), with a custom Identity Toolkit message.
    const q = newUser();
    emu.injectFault({
      status: 429,
      body: { error: { code: 429, message: 'QUOTA_EXCEEDED : try later', status: 'RESOURCE_EXHAUSTED' } },
    });
    const quota = await revokeAndWait(requestFor(q));
    assert.equal(quota.error, undefined, 'retried and then succeeded');
    assert.equal(q.calls().length, 2);
  });
});

void describe('revokeTokens at google-identity-platform: validation before any call', () => {
  const rules: Array<{
    name: string;
    patch: (u: User) => Record<string, unknown>;
    field: string;
    text: RegExp;
  }> = [
    {
      name: 'CODE without redirectUri',
      patch: (u) => ({ tokenType: 'CODE', token: u.code.value }),
      field: 'request.redirectUri',
      text: /required when tokenType is CODE/,
    },
    {
      name: 'redirectUri not https',
      patch: (u) => ({ tokenType: 'CODE', token: u.code.value, redirectUri: 'http://app.example.com/cb' }),
      field: 'request.redirectUri',
      text: /must use https/,
    },
    {
      name: 'redirectUri with an IPv4 address',
      patch: (u) => ({ tokenType: 'CODE', token: u.code.value, redirectUri: 'https://203.0.113.7/cb' }),
      field: 'request.redirectUri',
      text: /not by IP address/,
    },
    {
      name: 'redirectUri with a shorthand IPv4 address',
      patch: (u) => ({ tokenType: 'CODE', token: u.code.value, redirectUri: 'https://0x7f.1/cb' }),
      field: 'request.redirectUri',
      text: /not by IP address/,
    },
    {
      name: 'redirectUri with an IPv6 address',
      patch: (u) => ({
        tokenType: 'CODE',
        token: u.code.value,
        redirectUri: 'https://[2001:db8::1]:8443/cb',
      }),
      field: 'request.redirectUri',
      text: /not by IP address/,
    },
    {
      name: 'redirectUri on localhost',
      patch: (u) => ({ tokenType: 'CODE', token: u.code.value, redirectUri: 'https://localhost/cb' }),
      field: 'request.redirectUri',
      text: /must not be localhost/,
    },
    {
      name: 'redirectUri on a .localhost name',
      patch: (u) => ({ tokenType: 'CODE', token: u.code.value, redirectUri: 'https://app.localhost./cb' }),
      field: 'request.redirectUri',
      text: /must not be localhost/,
    },
    {
      name: 'redirectUri without a domain name',
      patch: (u) => ({ tokenType: 'CODE', token: u.code.value, redirectUri: 'https://intranet/cb' }),
      field: 'request.redirectUri',
      text: /fully qualified domain name/,
    },
    {
      name: 'providerId other than apple.com',
      patch: () => ({ providerId: 'google.com' }),
      field: 'request.providerId',
      text: /must be "apple.com"/,
    },
    {
      name: 'tokenType not one of the three names',
      patch: () => ({ tokenType: 'ID_TOKEN' }),
      field: 'request.tokenType',
      text: /must be one of REFRESH_TOKEN, ACCESS_TOKEN, CODE/,
    },
    {
      name: 'tokenType as a number string',
      patch: () => ({ tokenType: '3' }),
      field: 'request.tokenType',
      text: /must be one of/,
    },
    {
      name: 'idToken that is not a JWT',
      patch: () => ({ idToken: 'not-a-jwt-but-long-enough' }),
      field: 'request.idToken',
      text: /must be an Identity Platform ID token/,
    },
  ];

  for (const rule of rules) {
    void it(`${rule.name}: the client refuses, and a raw start ends INVALID_ARGUMENT naming ${rule.field}`, async () => {
      const u = newUser();
      const bad = requestFor(u, rule.patch(u));
      await assert.rejects(s.client.revoke(bad, { timing: fastTiming }), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        const v = err.violations.find((x) => x.field === rule.field);
        assert.ok(v, `violations: ${JSON.stringify(err.violations)}`);
        assert.match(v.description, rule.text);
        assert.ok(!err.message.includes(u.refresh.value) && !err.message.includes(u.idToken));
        return true;
      });

      const id = `gip-raw-invalid-${randomUUID()}`;
      const handle = await s.temporal.workflow.start('revokeTokens', {
        taskQueue: s.taskQueue,
        workflowId: id,
        args: [{ request: bad }],
      });
      const failure = await failureOf(handle.workflowId);
      assert.equal(failure.type, 'INVALID_ARGUMENT');
      assert.match(failure.message, new RegExp(`${rule.field.replace('.', '\\.')}: `));
      assert.match(failure.message, rule.text);
      const op = await s.client.get(id);
      assert.equal(op.done, true);
      assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
      assert.equal(u.calls().length, 0, 'the emulator saw no call');
      if (rule.name === 'redirectUri on localhost') {
        recordHistory('google-identity-platform-invalid', await fetchHistory(s.temporal, id));
      }
    });
  }
});

void describe('google-identity-platform: secrets', () => {
  void it('no token, ID token or API key in history, worker logs, errors or the Operation (with controls)', async () => {
    const u = newUser();
    const marker = 'gip-echo-marker-5c1e';
    // A provider (or a proxy) that echoes everything it got, the URL with its key included.
    const echo = `${marker} token=${u.refresh.value} idToken=${u.idToken} url=${REVOKE_PATH}?key=${apiKey}&alt=json`;
    emu.injectFault({
      status: 503,
      body: {
        error: {
          code: 503,
          message: `BACKEND_ERROR : ${echo}`,
          status: 'UNAVAILABLE',
          details: [{ '@type': 'type.googleapis.com/google.rpc.DebugInfo', detail: echo }],
        },
      },
    });
    emu.injectFault({
      status: 400,
      body: { error: { code: 400, message: `INVALID_ID_TOKEN : ${echo}`, status: 'INVALID_ARGUMENT' } },
    });
    const logsBefore = workerLogs.length;
    const started = await s.client.revoke(requestFor(u), {
      timing: fastTiming,
      createdBy: 'secops@example.com',
    });
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
    const failure = await failureOf(started.id);
    const history = await fetchHistory(s.temporal, started.id);
    const bytes = historyBytes(history);
    const logs = workerLogs.slice(logsBefore).join('\n');
    const opJson = JSON.stringify(op);
    const failureText = `${failure.message}\n${JSON.stringify(failure.details)}`;

    // Controls: the key really was sent, and each place is searchable for text that is there.
    assert.equal(u.calls()[0]?.apiKey, 'valid');
    assert.ok(bytes.includes(Buffer.from('secops@example.com')));
    assert.ok(logs.includes(marker), 'the worker logged the failed attempts');
    assert.ok(opJson.includes(marker) && opJson.includes(fingerprint(u.refresh.value)));
    assert.ok(failureText.includes(marker));
    assert.ok(opJson.includes('key=[redacted]'));

    for (const secret of [u.refresh.value, u.idToken, apiKey]) {
      const forms = [secret, secret.slice(-26), Buffer.from(secret).toString('base64')];
      for (const f of forms) {
        assert.equal(bytes.includes(Buffer.from(f)), false, 'history');
        assert.equal(logs.includes(f), false, 'worker logs');
        assert.equal(opJson.includes(f), false, 'operation');
        assert.equal(failureText.includes(f), false, 'failure');
      }
    }
    recordHistory('google-identity-platform-scrubbed', history);
  });
});

void describe('revokeTokens at google-identity-platform: duplicates', () => {
  void it('a retry after a lost reply is reported as a duplicate of attempt 1, one revocation (emulator log)', async () => {
    const u = newUser();
    // Attempt 1 reaches Google, which revokes; the connection drops before the answer arrives.
    emu.injectFault({ status: 500, reset: true, afterHandling: true });
    const op = await revokeAndWait(requestFor(u));
    assert.equal(op.error, undefined);
    assert.equal(op.metadata.attempts, 2);
    const calls = u.calls();
    assert.deepEqual(
      calls.map((c) => c.outcome),
      ['fault', 'duplicate-ignored'],
    );
    assert.equal(calls[1]?.shortCircuited, true, 'Google ignored attempt 2');
    assert.ok(emu.appleToken(u.refresh.value)?.revokedAt, 'attempt 1 revoked the token');
    assert.equal(op.response?.duplicate, true);
    assert.equal(op.response?.duplicateOfAttempt, 1);
    assert.equal(op.response?.duplicateEvidence, 'CONNECTION_LOST');
    assert.equal(op.response?.revokedCount, 1, 'not a second revocation');
    recordHistory(
      'google-identity-platform-duplicate-after-lost-reply',
      await fetchHistory(s.temporal, op.id),
    );
  });

  void it('a retry after an attempt that never reached Google is no duplicate (503 answered, then revoked)', async () => {
    const u = newUser();
    emu.injectFault({ status: 503 });
    const op = await revokeAndWait(requestFor(u));
    assert.equal(op.error, undefined);
    assert.equal(op.metadata.attempts, 2);
    assert.deepEqual(
      u.calls().map((c) => c.outcome),
      ['fault', 'revoked'],
    );
    assert.equal(op.response?.duplicate, undefined);
    assert.equal(op.response?.revokedCount, 1);
  });
});

void describe('revokeTokens at google-identity-platform: service account (OAuth 2.0 bearer)', () => {
  void it('revokes with a bearer token from the key file: assertion verified, scope identitytoolkit, no API key', async () => {
    const u = newUser();
    const tokensBefore = emu.tokenCalls().length;
    const op = await revokeAndWait(requestFor(u, { connection: 'service-account' }));
    assert.equal(op.error, undefined);
    assert.equal(op.response?.serviceAccount, sa.client_email);
    const [call] = u.calls();
    assert.equal(call?.bearer, 'valid');
    assert.equal(call?.apiKey, 'missing');
    assert.equal(call?.outcome, 'revoked');
    const tokenCalls = emu.tokenCalls().slice(tokensBefore);
    assert.equal(tokenCalls.length, 1);
    assert.equal(tokenCalls[0]?.serviceAccount, sa.client_email);
    const issued = emu.issuedAccessTokens().at(-1) ?? '';
    assert.deepEqual(emu.accessTokenScopes(issued), ['https://www.googleapis.com/auth/identitytoolkit']);
    assert.ok(emu.appleToken(u.refresh.value)?.revokedAt);

    // The library caches the access token: a second operation needs no token call.
    const v = newUser();
    assert.equal((await revokeAndWait(requestFor(v, { connection: 'service-account' }))).error, undefined);
    assert.equal(emu.tokenCalls().length, tokensBefore + 1);
  });

  void it('the cloud-platform scope works too, with the key file JSON in an environment variable', async () => {
    const u = newUser();
    const op = await revokeAndWait(requestFor(u, { connection: 'sa-cloud-platform' }));
    assert.equal(op.error, undefined);
    assert.equal(u.calls()[0]?.bearer, 'valid');
    const issued = emu.issuedAccessTokens().at(-1) ?? '';
    assert.deepEqual(emu.accessTokenScopes(issued), ['https://www.googleapis.com/auth/cloud-platform']);
  });

  void it("a wrong scope: Google's 403 body, PERMISSION_DENIED with ACCESS_TOKEN_SCOPE_INSUFFICIENT, one call", async () => {
    const u = newUser();
    const started = await s.client.revoke(requestFor(u, { connection: 'sa-wrong-scope' }), {
      timing: fastTiming,
    });
    const op = await s.client.wait(started.id, { timeout: 30_000 });
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    assert.match(
      op.error?.message ?? '',
      /HTTP 403 PERMISSION_DENIED\): Request had insufficient authentication scopes\.$/,
    );
    assert.equal(op.metadata.attempts, 1);
    const [info, google, googleInfo] = op.error?.details ?? [];
    assert.equal(info?.['@type'], TypeUrl.errorInfo);
    assert.equal(info?.reason, 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
    assert.equal(google?.['@type'], GOOGLE_ERROR_TYPE_URL);
    assert.equal(google?.httpStatus, 403);
    assert.equal(google?.status, 'PERMISSION_DENIED');
    assert.deepEqual(google?.errors, [
      { message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' },
    ]);
    assert.deepEqual(googleInfo, {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
      domain: 'googleapis.com',
      metadata: {
        service: 'identitytoolkit.googleapis.com',
        method: 'google.cloud.identitytoolkit.v2.AuthenticationService.RevokeToken',
      },
    });
    const calls = u.calls();
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.status, 403);
    assert.equal(calls[0]?.bearer, 'insufficient-scope');
    assert.equal(emu.appleToken(u.refresh.value)?.revokedAt, undefined);
    assert.equal((await failureOf(started.id)).type, 'PERMISSION_DENIED');
  });

  void it("the emulator answers a wrong scope with Google's own body and WWW-Authenticate (raw HTTP)", async () => {
    const u = newUser();
    const token = await new GoogleIdentityPlatformAdapter({
      baseUrl: emu.baseUrl,
      serviceAccount: {
        clientEmail: sa.client_email,
        privateKey: sa.private_key,
        tokenUri: sa.token_uri,
        scopes: [wrongScope],
      },
    })
      .revokeToken({ providerId: 'apple.com', tokenType: 'REFRESH_TOKEN', token: 'x', idToken: u.idToken })
      .then(
        () => assert.fail('expected 403'),
        () => emu.issuedAccessTokens().at(-1) ?? '',
      );
    const res = await request(`${emu.baseUrl}${REVOKE_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(bodyFor(u)),
    });
    assert.equal(res.statusCode, 403);
    assert.match(String(res.headers['www-authenticate']), /error="insufficient_scope"/);
    const body = (await res.body.json()) as { error: Record<string, unknown> };
    assert.equal(body.error.code, 403);
    assert.equal(body.error.status, 'PERMISSION_DENIED');
    assert.equal(body.error.message, 'Request had insufficient authentication scopes.');
    assert.equal(
      (body.error.details as Array<{ reason: string }>)[0]?.reason,
      'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
    );
    // An unknown bearer is 401 UNAUTHENTICATED; no bearer and no key is Google's 403 for the key.
    const bogus = await request(`${emu.baseUrl}${REVOKE_PATH}`, {
      method: 'POST',
      headers: { authorization: 'Bearer ya29.not-issued', 'content-type': 'application/json' },
      body: JSON.stringify(bodyFor(u)),
    });
    assert.equal(bogus.statusCode, 401);
    assert.equal(
      ((await bogus.body.json()) as { error: { status: string } }).error.status,
      'UNAUTHENTICATED',
    );
  });

  void it('an unusable key file fails for good with FAILED_PRECONDITION naming the field, never its content', async () => {
    const u = newUser();
    const op = await revokeAndWait(requestFor(u, { connection: 'sa-bad-file' }));
    assert.equal(op.error?.code, Code.FAILED_PRECONDITION);
    assert.match(
      op.error?.message ?? '',
      /sa-bad-file\.serviceAccountKeyFile: is not a usable service account key file: private_key must be a PEM private key/,
    );
    assert.equal(JSON.stringify(op).includes(badKeyMarker), false);
    const http = await revokeAndWait(requestFor(newUser(), { connection: 'sa-http-token-uri' }));
    assert.equal(http.error?.code, Code.FAILED_PRECONDITION);
    assert.match(http.error?.message ?? '', /token_uri must use https/);
    assert.equal(u.calls().length, 0);
  });

  void it('a key the emulator cannot verify: UNAUTHENTICATED from the token endpoint, no revokeToken call', async () => {
    const u = newUser();
    const op = await revokeAndWait(requestFor(u, { connection: 'sa-forged' }));
    assert.equal(op.error?.code, Code.UNAUTHENTICATED);
    assert.match(
      op.error?.message ?? '',
      /token endpoint refused the service account \(HTTP 400 invalid_grant\): Invalid JWT Signature\./,
    );
    assert.equal(op.error?.details?.[0]?.reason, 'invalid_grant');
    assert.equal(op.metadata.attempts, 1);
    assert.equal(u.calls().length, 0);
  });

  void it('a token endpoint 503 is retried by the activity policy, one token request per attempt', async () => {
    const u = newUser();
    emu.injectTokenFault({ status: 503 });
    const tokensBefore = emu.tokenCalls().length;
    const op = await revokeAndWait(requestFor(u, { connection: 'sa-token-503' }));
    assert.equal(op.error, undefined);
    assert.equal(op.metadata.attempts, 2);
    assert.deepEqual(
      emu
        .tokenCalls()
        .slice(tokensBefore)
        .map((c) => c.status),
      [503, 200],
      'google-auth-library does not retry on its own',
    );
    assert.equal(u.calls().length, 1);
    assert.equal(op.response?.duplicate, undefined, 'attempt 1 never sent revokeToken');
  });

  void it('a token endpoint that echoes the signed assertion: the Operation shows it blanked', async () => {
    const u = newUser();
    emu.injectTokenFault({ status: 400, description: 'Invalid JWT:', echoAssertion: true });
    const op = await revokeAndWait(requestFor(u, { connection: 'sa-token-echo' }));
    assert.equal(op.error?.code, Code.UNAUTHENTICATED);
    const text = JSON.stringify(op);
    assert.match(text, /Invalid JWT: assertion=\[redacted JWT\]/, 'control: the echo reached the engine');
    assert.doesNotMatch(text, /eyJ[\w-]+\.[\w-]+/);
    assert.equal(u.calls().length, 0);
  });

  void it('an access token that expired early is replaced once within the call (401, new token, 200)', async () => {
    const u = newUser();
    assert.equal((await revokeAndWait(requestFor(u, { connection: 'service-account' }))).error, undefined);
    emu.expireAccessTokens();
    const v = newUser();
    const tokensBefore = emu.tokenCalls().length;
    const op = await revokeAndWait(requestFor(v, { connection: 'service-account' }));
    assert.equal(op.error, undefined);
    assert.equal(op.metadata.attempts, 1);
    assert.deepEqual(
      v.calls().map((c) => [c.status, c.bearer]),
      [
        [401, 'invalid'],
        [200, 'valid'],
      ],
    );
    assert.equal(emu.tokenCalls().length, tokensBefore + 1);
  });

  void it('the private key and the access tokens appear in no history, worker log, error or Operation', async () => {
    const u = newUser();
    const logsBefore = workerLogs.length;
    const ok = await revokeAndWait(requestFor(u, { connection: 'service-account' }));
    const bad = await revokeAndWait(requestFor(newUser(), { connection: 'sa-wrong-scope' }));
    const forged = await revokeAndWait(requestFor(newUser(), { connection: 'sa-forged' }));
    assert.equal(bad.error?.code, Code.PERMISSION_DENIED);
    const texts = [ok, bad, forged].map((op) => JSON.stringify(op));
    const histories = await Promise.all(
      [ok, bad, forged].map(async (op) => historyBytes(await fetchHistory(s.temporal, op.id))),
    );
    const logs = workerLogs.slice(logsBefore).join('\n');
    assert.ok(texts[0]?.includes(sa.client_email), 'control: the account name is there');
    const keyBody = sa.private_key.split('\n').filter((l) => l.length > 40);
    const secrets = [...keyBody, ...emu.issuedAccessTokens()];
    assert.ok(secrets.length > 3);
    for (const secret of secrets) {
      for (const f of [secret, secret.slice(-26)]) {
        assert.equal(logs.includes(f), false, 'worker logs');
        for (const t of texts) assert.equal(t.includes(f), false, 'operation');
        for (const h of histories) assert.equal(h.includes(Buffer.from(f)), false, 'history');
      }
    }
  });
});

void describe('revoke google-identity-platform (CLI)', () => {
  const cliEnv = (stack: TestStack) => stackCliEnv(stack);

  const run = runCliCaptured;

  void it('revokes with the token from a variable and the ID token from stdin, --wait --json', async () => {
    const u = newUser();
    const r = await run(
      [
        provider,
        '--token-type',
        'refresh_token',
        '--token-env',
        'APPLE_RT',
        '--id-token-stdin',
        '--wait',
        '--json',
      ],
      { ...cliEnv(s), APPLE_RT: u.refresh.value },
      `${u.idToken}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    const op = JSON.parse(r.stdout) as RevokeTokensOperation;
    assert.equal(op.done, true);
    assert.equal(op.response?.tokenType, 'REFRESH_TOKEN');
    assert.equal(op.response?.tokenFingerprint, fingerprint(u.refresh.value));
    assert.ok(emu.appleToken(u.refresh.value)?.revokedAt);
    assert.ok(!r.stdout.includes(u.refresh.value) && !r.stdout.includes(u.idToken));
  });

  void it('refuses secrets on the command line and bad fields, naming the flag, before connecting', async () => {
    const u = newUser();
    const offline = { TEMPORAL_ADDRESS: '127.0.0.1:1', REVOCATION_CONNECT_TIMEOUT: '1s' };
    const inline = await run(
      [provider, '--token-type', 'REFRESH_TOKEN', '--token', u.refresh.value],
      offline,
    );
    assert.equal(inline.code, 2);
    assert.match(inline.stderr, /--token: a secret is never accepted on the command line/);
    assert.ok(!inline.stderr.includes(u.refresh.value));

    const env = { ...offline, T: u.code.value, I: u.idToken };
    const noUri = await run(
      [provider, '--token-type', 'CODE', '--token-env', 'T', '--id-token-env', 'I'],
      env,
    );
    assert.equal(noUri.code, 2);
    assert.match(noUri.stderr, /--redirect-uri \(request\.redirectUri\): is required when tokenType is CODE/);
    const ip = await run(
      [
        provider,
        '--token-type',
        'CODE',
        '--token-env',
        'T',
        '--id-token-env',
        'I',
        '--redirect-uri',
        'https://10.0.0.1/cb',
      ],
      env,
    );
    assert.equal(ip.code, 2);
    assert.match(ip.stderr, /--redirect-uri \(request\.redirectUri\): must name its host by domain name/);
    const badType = await run(
      [provider, '--token-type', 'ID', '--token-env', 'T', '--id-token-env', 'I'],
      env,
    );
    assert.match(badType.stderr, /--token-type \(request\.tokenType\): must be one of/);
    const noId = await run([provider, '--token-type', 'CODE', '--token-env', 'T'], env);
    assert.equal(noId.code, 2);
    assert.match(noId.stderr, /--id-token-env: the Identity Platform ID token is required/);
    for (const out of [noUri, ip, badType, noId]) {
      assert.ok(!out.stderr.includes(u.code.value) && !out.stderr.includes(u.idToken));
    }
    assert.equal(u.calls().length, 0);
  });

  void it('--help documents the flags and shows examples', async () => {
    const r = await run([provider, '--help'], {});
    assert.equal(r.code, 0);
    for (const flag of [
      '--token-type',
      '--token-stdin',
      '--id-token-env',
      '--tenant-id',
      '--redirect-uri',
      '--wait',
    ]) {
      assert.ok(r.stdout.includes(flag), flag);
    }
    assert.match(r.stdout, /Examples:/);
    assert.ok(!r.stdout.includes('--token [value]'));
  });

  void it('the npm start demo: every printed example and the documented subcommand example succeed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gip-demo-'));
    const demo = await startDemo(dir);
    const stack = await createTestStack({}, { connections: { [provider]: demo.connections as never } });
    try {
      await stack.startWorker();
      // docs/providers/google-identity-platform.md: `set -a; . .data/google-identity-platform-demo.env; set +a`
      const vars = Object.fromEntries(
        readFileSync(join(dir, 'google-identity-platform-demo.env'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      for (const args of [
        '--token-type CODE --token-env GIP_DEMO_APPLE_CODE --id-token-env GIP_DEMO_ID_TOKEN --redirect-uri https://demo.example.com/apple/callback --wait',
        '--token-type ACCESS_TOKEN --token-env GIP_DEMO_APPLE_ACCESS_TOKEN --id-token-env GIP_DEMO_ID_TOKEN --wait --json',
      ]) {
        const r = await run([provider, ...args.split(' ')], { ...cliEnv(stack), ...vars });
        assert.equal(r.code, 0, `${args}: ${r.stderr}`);
      }
      assert.ok(demo.examples.length > 0);
      for (const example of demo.examples) {
        const r = await run(example.split(' '), cliEnv(stack));
        assert.equal(r.code, 0, `${example}: ${r.stderr}`);
        assert.match(r.stdout, /^status +SUCCEEDED$/m);
      }
      // The service-account connection authenticates with the demo service account's bearer token.
      const saRequest = join(dir, 'google-identity-platform-service-account-request.json');
      const viaSa = await run(['start', '--file', saRequest, '--wait', '--json'], cliEnv(stack));
      assert.equal(viaSa.code, 0, viaSa.stderr);
      const saOp = JSON.parse(viaSa.stdout) as RevokeTokensOperation;
      assert.equal(saOp.response?.connection, 'service-account');
      assert.equal(saOp.response?.serviceAccount, 'revoker@demo-project.iam.gserviceaccount.com');
      // Running the printed example again is safe: the repeat is ignored by "Google" and succeeds.
      const again = await run((demo.examples[0] ?? '').split(' '), cliEnv(stack));
      assert.equal(again.code, 0, again.stderr);
    } finally {
      await stack.close();
      await demo.close();
    }
  });
});
