import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AuthleteAdapter } from '../activities/authlete/adapter';
import {
  Code,
  MAX_REVOKES_WHILE_STILL_ACTIVE,
  STILL_ACTIVE_REASON,
  TypeUrl,
  type RevocationRequestInput,
  type RevokeTokensOperation,
} from '../api';
import { DEFAULT_CLIENTS, startAuthleteEmulator, type AuthleteEmulator } from '../emulators/authlete';
import { fastTiming, fetchHistory, recordHistory } from './helpers/history';
import { createTestStack, type TestStack } from './helpers/stack';

const ORG_TOKEN = 'authlete-verify-org-token-9d2c41';
const [APP, CLI] = DEFAULT_CLIENTS.map((c) => c.clientId) as [number, number];
const OFF = 'verification is switched off for this connection (verify: false)';

let emu: AuthleteEmulator;
let stack: TestStack;
let adapter: AuthleteAdapter;

before(async () => {
  emu = await startAuthleteEmulator({ services: [], accessTokens: { [ORG_TOKEN]: '*' } });
  const baseUrl = emu.baseUrl;
  stack = await createTestStack(
    {},
    {
      connections: {
        authlete: {
          default: { baseUrl, serviceAccessToken: ORG_TOKEN },
          noVerify: { baseUrl, serviceAccessToken: ORG_TOKEN, verify: false },
        },
      },
    },
  );
  await stack.startWorker();
  adapter = new AuthleteAdapter({ baseUrl, serviceAccessToken: ORG_TOKEN });
});

after(async () => {
  await stack?.close();
  await emu?.close();
});

let nextService = 300_000_001;
function freshService(): string {
  const serviceId = String(nextService++);
  emu.addService({ serviceId, clients: [...DEFAULT_CLIENTS] });
  return serviceId;
}

async function seed(serviceId: string, subject: string, clientId: number, n = 1) {
  const out: Array<{ accessToken: string; refreshToken: string }> = [];
  for (let i = 0; i < n; i++) {
    const res = await adapter.create(serviceId, { grantType: 'AUTHORIZATION_CODE', clientId, subject });
    out.push({ accessToken: res.accessToken ?? '', refreshToken: res.refreshToken ?? '' });
  }
  return out;
}

async function run(request: Record<string, unknown>): Promise<RevokeTokensOperation> {
  const started = await stack.client.revoke({ provider: 'authlete', ...request } as RevocationRequestInput, {
    timing: fastTiming,
  });
  return stack.client.wait(started.id, { timeout: 60_000 });
}

void describe('Authlete emulator: /auth/introspection as documented', () => {
  void it('OK for a live token, UNAUTHORIZED (existent false) for an unknown one, BAD_REQUEST without a token', async () => {
    const svc = freshService();
    const [t] = await seed(svc, 'olga', APP);
    const live = await adapter.introspect(svc, t?.accessToken ?? '');
    assert.deepEqual(
      [live.action, live.existent, live.usable, live.refreshable, live.resultCode],
      ['OK', true, true, true, 'A056001'],
    );
    const gone = await adapter.introspect(svc, 'never-issued-access-token');
    assert.deepEqual([gone.action, gone.existent, gone.usable], ['UNAUTHORIZED', false, false]);
    const raw = await fetch(`${emu.baseUrl}/api/${svc}/auth/introspection`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ORG_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['x'] }),
    });
    const body = (await raw.json()) as { action: string; responseContent: string };
    assert.equal(raw.status, 200);
    assert.equal(body.action, 'BAD_REQUEST');
    assert.match(body.responseContent, /^Bearer error="invalid_request"/);
    // INTERNAL_SERVER_ERROR is an error answer (retried by the activity), not a verdict.
    emu.injectFault({
      operation: 'introspection',
      serviceId: svc,
      status: 200,
      body: {
        resultCode: 'A001101',
        resultMessage: 'Authlete Server error.',
        action: 'INTERNAL_SERVER_ERROR',
      },
    });
    await assert.rejects(
      adapter.introspect(svc, t?.accessToken ?? ''),
      /Authlete introspection: HTTP 200 action INTERNAL_SERVER_ERROR/,
    );
  });
});

void describe('revokeTokens at authlete: verification', () => {
  void it('by access token: VERIFIED by introspection of the revoked value', async () => {
    const svc = freshService();
    const [t, other] = await seed(svc, 'alice', APP, 2);
    const op = await run({ serviceId: svc, accessTokenIdentifier: t?.accessToken });
    assert.equal(op.error, undefined);
    const v = op.response?.verification;
    assert.equal(v?.state, 'VERIFIED');
    assert.equal(v?.method, 'Authlete /auth/introspection');
    assert.equal(
      v?.detail,
      'introspection of the access token value: existent false, usable false (action UNAUTHORIZED, A056301)',
    );
    assert.ok(Date.parse(v?.checkedAt ?? '') >= Date.parse(op.createdAt));
    const asked = emu.requestsOf('introspection', svc);
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0]?.body, { token: t?.accessToken });
    assert.ok((asked[0]?.at ?? 0) > (emu.requestsOf('revoke', svc)[0]?.at ?? Infinity) - 1);
    assert.equal(op.metadata.attempts, 2, 'the revoke and the introspection');
    assert.equal(emu.tokens(svc).length, 1);
    assert.equal(emu.tokens(svc)[0]?.accessToken, other?.accessToken);
    recordHistory('authlete-verified-by-introspection', await fetchHistory(stack.temporal, op.id));
  });

  void it('by subject (and by client + subject): VERIFIED when the token list has nothing matching left', async () => {
    const svc = freshService();
    await seed(svc, 'bob', APP, 3);
    await seed(svc, 'bob', CLI, 1);
    await seed(svc, 'carol', APP, 1);
    const bySubject = await run({ serviceId: svc, clientIdentifier: 'demo-app', subject: 'bob' });
    assert.equal(bySubject.response?.verification?.state, 'VERIFIED');
    assert.equal(bySubject.response?.verification?.method, 'Authlete /auth/token/get/list');
    assert.equal(
      bySubject.response?.verification?.detail,
      'token list (subject bob, client demo-app, tokenStatus ALL): totalCount 0, no matching token remains',
    );
    assert.equal(emu.requestsOf('list', svc).length, 1);
    assert.equal(emu.tokens(svc).length, 2, "bob's CLI token and carol's stay");

    const all = await run({ serviceId: svc, subject: 'bob' });
    assert.equal(all.response?.verification?.state, 'VERIFIED');
    assert.match(
      all.response?.verification?.detail ?? '',
      /^token list \(subject bob, tokenStatus ALL\): totalCount 0/,
    );
    assert.deepEqual(
      emu.tokens(svc).map((t) => t.subject),
      ['carol'],
    );
    recordHistory('authlete-verified-by-token-list', await fetchHistory(stack.temporal, all.id));
  });

  void it('STILL_ACTIVE when Authlete acknowledges the revoke but keeps the token: 3 revokes, then INTERNAL, never success', async () => {
    const svc = freshService();
    const [t] = await seed(svc, 'dave', APP);
    emu.injectFault({ operation: 'revoke', serviceId: svc, status: 200, keepTokens: true, times: 10 });
    const started = await stack.client.revoke(
      { provider: 'authlete', serviceId: svc, accessTokenIdentifier: t?.accessToken ?? '' },
      { timing: fastTiming },
    );
    const op = await stack.client.wait(started.id, { timeout: 60_000 });
    assert.equal(op.done, true);
    assert.equal(op.response, undefined);
    assert.equal(op.error?.code, Code.INTERNAL);
    const info = op.error?.details.find((d) => d['@type'] === TypeUrl.errorInfo);
    assert.equal(info?.reason, STILL_ACTIVE_REASON);
    assert.equal((info?.metadata as Record<string, string>).revokes, String(MAX_REVOKES_WHILE_STILL_ACTIVE));
    assert.equal((info?.metadata as Record<string, string>).method, 'Authlete /auth/introspection');
    assert.match(op.error?.message ?? '', /existent true, usable true, refreshable true/);
    assert.equal(emu.requestsOf('revoke', svc).length, MAX_REVOKES_WHILE_STILL_ACTIVE);
    assert.equal(emu.requestsOf('introspection', svc).length, MAX_REVOKES_WHILE_STILL_ACTIVE);
    assert.equal(emu.tokens(svc).length, 1, 'the emulator kept it');
    await assert.rejects(stack.temporal.workflow.getHandle(op.id).result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'INTERNAL');
      return true;
    });
    assert.ok(!op.error?.message.includes(t?.accessToken ?? '\u0000'));
    recordHistory('authlete-still-active', await fetchHistory(stack.temporal, op.id));
  });

  void it('a transient introspection failure is retried like the revoke, then answers', async () => {
    const svc = freshService();
    const [t] = await seed(svc, 'erin', APP);
    emu.injectFault({ operation: 'introspection', serviceId: svc, status: 503, times: 1 });
    const op = await run({ serviceId: svc, accessTokenIdentifier: t?.accessToken });
    assert.equal(op.response?.verification?.state, 'VERIFIED');
    assert.deepEqual(
      emu.requestsOf('introspection', svc).map((r) => r.status),
      [503, 200],
    );
  });

  void it('verify: false on the connection: UNVERIFIABLE, switched off, nothing asked', async () => {
    const svc = freshService();
    const [t] = await seed(svc, 'frank', APP);
    const op = await run({ connection: 'noVerify', serviceId: svc, accessTokenIdentifier: t?.accessToken });
    assert.equal(op.error, undefined);
    assert.deepEqual(
      [
        op.response?.verification?.state,
        op.response?.verification?.method,
        op.response?.verification?.detail,
      ],
      ['UNVERIFIABLE', 'none', OFF],
    );
    assert.equal(emu.requestsOf('introspection', svc).length, 0);
    assert.equal(op.metadata.attempts, 1);
  });

  void it('by refresh token: UNVERIFIABLE, saying why (introspection takes access tokens)', async () => {
    const svc = freshService();
    const [t] = await seed(svc, 'gina', APP);
    const op = await run({ serviceId: svc, refreshTokenIdentifier: t?.refreshToken });
    assert.equal(op.response?.verification?.state, 'UNVERIFIABLE');
    assert.match(op.response?.verification?.detail ?? '', /Authlete introspects access tokens/);
    assert.equal(emu.requestsOf('introspection', svc).length + emu.requestsOf('list', svc).length, 0);
  });
});
