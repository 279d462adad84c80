import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  Code,
  fingerprint,
  MAX_REVOKES_WHILE_STILL_ACTIVE,
  STILL_ACTIVE_REASON,
  TypeUrl,
  type RevocationRequestInput,
  type RevokeTokensOperation,
} from '../api';
import {
  generateClientKey,
  startOpenPaymentsEmulator,
  type IssuedGrant,
  type OpenPaymentsEmulator,
} from '../emulators/open-payments';
import { fastTiming, fetchHistory, recordHistory } from './helpers/history';
import { createTestStack, type TestStack } from './helpers/stack';

// Verification after revoke for open-payments (issue 14): GNAP token introspection (RFC 9767 §3.3),
// signed by the connection's key, against the emulator as an RFC 9767 AS that authenticates its RS.

const method = 'GNAP token introspection (RFC 9767)';
const switchedOff = 'verification is switched off for this connection (verify: false)';

let emu: OpenPaymentsEmulator;
let stack: TestStack;
let alice: string;

before(async () => {
  emu = await startOpenPaymentsEmulator({ mode: 'rafiki', introspectionAuth: 'httpsig' });
  const key = generateClientKey('verify-k1');
  alice = emu.addClient({ name: 'alice', keys: [key.jwk] }).walletAddressUrl;
  // The engine introspects as a resource server the AS knows, with the same key.
  const { resourceServer } = emu.addResourceServer({ name: 'revocation-engine', keys: [key.jwk] });
  const common = {
    keyId: key.keyId,
    privateKey: key.privateKeyPem,
    walletAddressUrl: alice,
    allowInsecureHttp: true,
    requestTimeoutMs: 3000,
  };
  const introspection = { introspectionEndpoint: emu.introspectionEndpoint, resourceServer };
  stack = await createTestStack(
    {},
    {
      connections: {
        'open-payments': {
          default: { ...common, ...introspection },
          off: { ...common, ...introspection, verify: false },
          'no-introspection': common,
        },
      },
    },
  );
  await stack.startWorker();
});

after(async () => {
  await stack?.close();
  await emu?.close();
});

function token(g: IssuedGrant) {
  const t = g.accessTokens[0];
  assert.ok(t);
  return t;
}

async function run(request: RevocationRequestInput): Promise<RevokeTokensOperation> {
  const started = await stack.client.revoke(request, { timing: fastTiming });
  return stack.client.wait(started.id, { timeout: 30_000 });
}

function revokeToken(g: IssuedGrant, connection = 'default'): RevocationRequestInput {
  return {
    provider: 'open-payments',
    connection,
    action: 'revokeToken',
    manageUrl: token(g).manageUrl,
    accessToken: token(g).value,
  };
}

const introspections = (value: string) =>
  emu.requestsTo('introspect').filter((r) => r.introspectedTokenFingerprint === fingerprint(value));

void describe('open-payments verification: GNAP token introspection after the revoke', () => {
  void it('VERIFIED after a real revoke: the AS said active: false to a signed RS request', async () => {
    const g = emu.issueGrant({ client: alice });
    const before = Date.now();
    const op = await run(revokeToken(g));
    assert.equal(op.error, undefined, op.error?.message);
    const v = op.response?.verification;
    assert.equal(v?.state, 'VERIFIED');
    assert.equal(v?.method, method);
    assert.equal(v?.detail, 'active: false');
    const checkedAt = Date.parse(v?.checkedAt ?? '');
    assert.ok(checkedAt >= before && checkedAt <= Date.now(), `checkedAt ${v?.checkedAt}`);
    assert.equal(op.metadata.introspectionEndpoint, emu.introspectionEndpoint);
    assert.equal(op.metadata.verification, 'VERIFIED');
    assert.ok(emu.accessToken(token(g).manageId)?.revokedAt);
    const [call, ...more] = introspections(token(g).value);
    assert.equal(more.length, 0);
    assert.equal(call?.method, 'POST');
    assert.equal(call?.status, 200);
    assert.equal(call?.active, false);
    assert.equal(call?.resourceServer, 'revocation-engine');
    assert.equal(call?.signatureCheck, 'verified', 'signed with Content-Digest over the JSON body');
    assert.equal(
      call?.authorization,
      undefined,
      'no Authorization header: the RS authenticates by signature',
    );
    recordHistory('open-payments-verified-by-introspection', await fetchHistory(stack.temporal, op.id));
  });

  void it('a 503 with Retry-After from the introspection endpoint is retried after the wait', async () => {
    const g = emu.issueGrant({ client: alice });
    emu.injectFault({ route: 'introspect', status: 503, retryAfter: 1 });
    const op = await run(revokeToken(g));
    assert.equal(op.response?.verification?.state, 'VERIFIED', JSON.stringify(op.error));
    const [first, second, ...more] = introspections(token(g).value);
    assert.deepEqual([first?.status, second?.status, more.length], [503, 200, 0]);
    const gap = (second?.at.getTime() ?? 0) - (first?.at.getTime() ?? 0);
    assert.ok(gap >= 1000, `retried after ${gap} ms; the AS asked for 1000 ms`);
    assert.equal(emu.requestsTo('revokeToken', token(g).manageId).length, 1);
  });

  void it('STILL_ACTIVE when the AS answers 204 but keeps the token: 3 revokes, then INTERNAL, never success', async () => {
    const g = emu.issueGrant({ client: alice });
    const t = token(g);
    emu.injectFault({
      route: 'revokeToken',
      id: t.manageId,
      keepToken: true,
      times: MAX_REVOKES_WHILE_STILL_ACTIVE,
    });
    const op = await run(revokeToken(g));
    const deletes = emu.requestsTo('revokeToken', t.manageId);
    assert.deepEqual(
      deletes.map((r) => [r.status, r.keptToken, r.signatureCheck]),
      [
        [204, true, 'verified'],
        [204, true, 'verified'],
        [204, true, 'verified'],
      ],
      'exactly 3 revocation requests, each acknowledged',
    );
    assert.deepEqual(
      introspections(t.value).map((r) => r.active),
      [true, true, true],
    );
    assert.equal(op.done, true);
    assert.equal(op.response, undefined);
    assert.equal(op.error?.code, Code.INTERNAL);
    const info = op.error?.details.find((d) => d['@type'] === TypeUrl.errorInfo);
    assert.equal(info?.reason, STILL_ACTIVE_REASON);
    assert.match(op.error?.message ?? '', new RegExp(`${method.replace(/[()]/g, '\\$&')} still reports`));
    assert.match(op.error?.message ?? '', new RegExp(`active: true \\(grant ${g.id}\\)`));
    assert.ok(!JSON.stringify(op).includes(t.value), 'no token in the Operation');
    await assert.rejects(stack.temporal.workflow.getHandle(op.id).result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'INTERNAL');
      return true;
    });
    assert.equal(emu.accessToken(t.manageId)?.revokedAt, undefined, 'the AS kept the token');
    recordHistory('open-payments-still-active', await fetchHistory(stack.temporal, op.id));
  });
});

void describe('open-payments verification: UNVERIFIABLE says why', () => {
  void it('verify: false → UNVERIFIABLE with the switched-off detail, no introspection', async () => {
    const g = emu.issueGrant({ client: alice });
    const op = await run(revokeToken(g, 'off'));
    assert.equal(op.error, undefined, op.error?.message);
    assert.deepEqual(
      { ...op.response?.verification, checkedAt: undefined },
      { state: 'UNVERIFIABLE', method: 'none', detail: switchedOff, checkedAt: undefined },
    );
    assert.equal(introspections(token(g).value).length, 0);
    assert.ok(emu.accessToken(token(g).manageId)?.revokedAt);
  });

  void it('no introspectionEndpoint configured → UNVERIFIABLE', async () => {
    const g = emu.issueGrant({ client: alice });
    const op = await run(revokeToken(g, 'no-introspection'));
    assert.equal(op.error, undefined, op.error?.message);
    assert.equal(op.response?.verification?.state, 'UNVERIFIABLE');
    assert.match(op.response?.verification?.detail ?? '', /^no introspection endpoint configured/);
    assert.equal(introspections(token(g).value).length, 0);
  });

  void it('a cancelled grant → UNVERIFIABLE: it names no access token to introspect', async () => {
    const g = emu.issueGrant({ client: alice, accessTokens: 2 });
    const seen = emu.requestsTo('introspect').length;
    const op = await run({
      provider: 'open-payments',
      action: 'cancelGrant',
      continueUri: g.continueUri,
      continueToken: g.continueToken,
    });
    assert.equal(op.error, undefined, op.error?.message);
    assert.equal(op.response?.verification?.state, 'UNVERIFIABLE');
    assert.match(op.response?.verification?.detail ?? '', /a cancelled grant cannot be checked/);
    assert.equal(emu.requestsTo('introspect').length, seen);
    assert.ok(emu.grant(g.id)?.canceledAt);
  });
});
