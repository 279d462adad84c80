import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  Code,
  fingerprint,
  MAX_REVOKES_WHILE_STILL_ACTIVE,
  STILL_ACTIVE_REASON,
  TypeUrl,
  type RevokeTokensOperation,
} from '../api';
import { startOAuth2Emulator, type OAuth2Emulator, type OAuth2EmulatorRequest } from '../emulators/oauth2';
import { fastTiming, fetchHistory, recordHistory } from './helpers/history';
import { createTestStack, type TestStack } from './helpers/stack';

// Verification after revoke for oauth2 (issue 14): RFC 7662 introspection against the emulator.

const secret = 'verify-secret-Qm3+/x';
const postSecret = 'verify-post-secret-7Lk';
const switchedOff = 'verification is switched off for this connection (verify: false)';

let emu: OAuth2Emulator;
let stack: TestStack;

before(async () => {
  emu = await startOAuth2Emulator({
    issuerPath: '/realms/verify',
    clients: [
      { clientId: 'verifier', authMethod: 'client_secret_basic', clientSecret: secret },
      { clientId: 'verifier-post', authMethod: 'client_secret_post', clientSecret: postSecret },
    ],
  });
  const local = { allowInsecureRequests: true } as const;
  const basic = { ...local, clientId: 'verifier', clientSecret: secret };
  stack = await createTestStack(
    {},
    {
      connections: {
        oauth2: {
          // introspection_endpoint comes from RFC 8414 discovery, like revocation_endpoint.
          default: { ...basic, issuer: emu.issuer },
          // Both endpoints configured, client_secret_post on both.
          configured: {
            ...local,
            revocationEndpoint: emu.revocationEndpoint,
            introspectionEndpoint: emu.introspectionEndpoint,
            clientId: 'verifier-post',
            clientAuthMethod: 'client_secret_post',
            clientSecret: postSecret,
          },
          // A configured revocation endpoint and nothing to introspect with.
          'no-introspection': { ...basic, revocationEndpoint: emu.revocationEndpoint },
          off: { ...basic, issuer: emu.issuer, verify: false },
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

async function revoke(
  token: string,
  connection = 'default',
  tokenTypeHint?: 'access_token' | 'refresh_token',
): Promise<RevokeTokensOperation> {
  const started = await stack.client.revoke(
    { provider: 'oauth2', connection, token, ...(tokenTypeHint ? { tokenTypeHint } : {}) },
    { timing: fastTiming },
  );
  return stack.client.wait(started.id, { timeout: 30_000 });
}

const calls = (endpoint: 'revocation' | 'introspection', token: string): OAuth2EmulatorRequest[] =>
  emu.requestsTo(endpoint).filter((r) => r.tokenFingerprint === fingerprint(token));

void describe('oauth2 verification: RFC 7662 introspection after the revoke', () => {
  void it('VERIFIED after a real revoke: the introspection endpoint from discovery said active: false', async () => {
    const g = emu.issueGrant('verifier');
    const before = Date.now();
    const op = await revoke(g.refreshToken, 'default', 'refresh_token');
    assert.equal(op.error, undefined, op.error?.message);
    const v = op.response?.verification;
    assert.equal(v?.state, 'VERIFIED');
    assert.equal(v?.method, 'RFC 7662 token introspection');
    assert.equal(v?.detail, 'active: false');
    const checkedAt = Date.parse(v?.checkedAt ?? '');
    assert.ok(checkedAt >= before && checkedAt <= Date.now(), `checkedAt ${v?.checkedAt}`);
    assert.equal(op.metadata.verification, 'VERIFIED');
    assert.equal(op.metadata.introspectionEndpoint, emu.introspectionEndpoint);
    // One revocation, then one introspection of the same token, with the same client authentication.
    const [revocation, ...moreRevocations] = calls('revocation', g.refreshToken);
    const [introspection, ...moreIntrospections] = calls('introspection', g.refreshToken);
    assert.equal(moreRevocations.length + moreIntrospections.length, 0);
    assert.ok((revocation?.at ?? Infinity) <= (introspection?.at ?? 0));
    assert.equal(introspection?.authMethod, 'client_secret_basic');
    assert.equal(introspection?.authenticated, true);
    assert.equal(introspection?.tokenTypeHint, 'refresh_token');
    assert.equal(introspection?.active, false);
    assert.equal(op.metadata.attempts, 2, 'revoke and introspection are both provider calls');
    assert.equal(emu.isActive(g.refreshToken), false);
    recordHistory('oauth2-verified-by-introspection', await fetchHistory(stack.temporal, op.id));
  });

  void it('a configured introspectionEndpoint is used with client_secret_post', async () => {
    const g = emu.issueGrant('verifier-post');
    const op = await revoke(g.accessToken, 'configured');
    assert.equal(op.response?.verification?.state, 'VERIFIED', JSON.stringify(op.error));
    const [introspection] = calls('introspection', g.accessToken);
    assert.equal(introspection?.authMethod, 'client_secret_post');
    assert.equal(introspection?.clientId, 'verifier-post');
    assert.equal(introspection?.active, false);
  });

  void it('a 503 with Retry-After from the introspection endpoint is retried as the revoke would be', async () => {
    const g = emu.issueGrant('verifier');
    emu.injectFault({
      endpoint: 'introspection',
      status: 503,
      headers: { 'retry-after': '1' },
      tokenFingerprint: fingerprint(g.refreshToken),
    });
    const op = await revoke(g.refreshToken);
    assert.equal(op.response?.verification?.state, 'VERIFIED', JSON.stringify(op.error));
    const [first, second, ...more] = calls('introspection', g.refreshToken);
    assert.deepEqual([first?.status, second?.status, more.length], [503, 200, 0]);
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    assert.ok(gap >= 1000, `retried after ${gap} ms; the server asked for 1000 ms`);
    assert.equal(
      calls('revocation', g.refreshToken).length,
      1,
      'a failed verification call does not revoke again',
    );
  });
});

void describe('oauth2 verification: a check that fails for good', () => {
  void it('a 401 from the introspection endpoint leaves the revoke done and the verification UNVERIFIABLE, with the reason', async () => {
    const g = emu.issueGrant('verifier');
    emu.injectFault({
      endpoint: 'introspection',
      status: 401,
      body: { error: 'invalid_client' },
      tokenFingerprint: fingerprint(g.refreshToken),
    });
    const op = await revoke(g.refreshToken);
    assert.equal(op.error, undefined, JSON.stringify(op.error));
    assert.equal(op.response?.revoked, true);
    const v = op.response?.verification;
    assert.equal(v?.state, 'UNVERIFIABLE');
    assert.match(v?.detail ?? '', /failed for good.*UNAUTHENTICATED|failed for good.*invalid_client/i);
    assert.equal(calls('introspection', g.refreshToken).length, 1, 'a permanent failure is not retried');
    assert.equal(calls('revocation', g.refreshToken).length, 1);
    assert.ok(!JSON.stringify(op).includes(g.refreshToken), 'no token in the Operation');
  });
});

void describe('oauth2 verification: "200" is not "dead"', () => {
  void it('the same 200 from the revocation endpoint; only introspection tells a dead token from a kept one', async () => {
    // A token the server never issued: RFC 7009 §2.2 answers 200, and introspection says inactive.
    const neverIssued = `never-issued-${randomUUID()}`;
    const unknown = await revoke(neverIssued);
    // A real token the server acknowledges but keeps (fault): 200 on every revoke, still active.
    const g = emu.issueGrant('verifier');
    emu.injectFault({
      endpoint: 'revocation',
      status: 200,
      keepToken: true,
      tokenFingerprint: fingerprint(g.refreshToken),
      times: MAX_REVOKES_WHILE_STILL_ACTIVE,
    });
    const kept = await revoke(g.refreshToken);

    // What RFC 7009 said was the same for both: 200 with an empty body.
    const unknownRevocations = calls('revocation', neverIssued);
    const keptRevocations = calls('revocation', g.refreshToken);
    assert.deepEqual(
      unknownRevocations.map((r) => r.status),
      [200],
    );
    assert.deepEqual(
      keptRevocations.map((r) => [r.status, r.keptToken]),
      [
        [200, true],
        [200, true],
        [200, true],
      ],
      'exactly 3 revocation requests, each answered 200',
    );
    // What introspection said was not.
    assert.deepEqual(
      calls('introspection', neverIssued).map((r) => r.active),
      [false],
    );
    assert.deepEqual(
      calls('introspection', g.refreshToken).map((r) => r.active),
      [true, true, true],
    );
    assert.equal(unknown.response?.verification?.state, 'VERIFIED');
    assert.equal(unknown.response?.verification?.detail, 'active: false');

    // The kept token never succeeds: INTERNAL with ErrorInfo REVOKED_TOKEN_STILL_ACTIVE.
    assert.equal(kept.done, true);
    assert.equal(kept.response, undefined);
    assert.equal(kept.error?.code, Code.INTERNAL);
    const info = kept.error?.details.find((d) => d['@type'] === TypeUrl.errorInfo);
    assert.equal(info?.reason, STILL_ACTIVE_REASON);
    assert.equal((info?.metadata as Record<string, string> | undefined)?.revokes, '3');
    assert.match(kept.error?.message ?? '', /RFC 7662 token introspection still reports the token active/);
    assert.equal(kept.metadata.verification, 'STILL_ACTIVE');
    assert.ok(!JSON.stringify(kept).includes(g.refreshToken), 'no token in the Operation');
    await assert.rejects(stack.temporal.workflow.getHandle(kept.id).result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'INTERNAL');
      return true;
    });
    assert.equal(emu.isActive(g.refreshToken), true, 'the server kept the token');
    recordHistory('oauth2-still-active', await fetchHistory(stack.temporal, kept.id));
  });
});

void describe('oauth2 verification: UNVERIFIABLE says why', () => {
  void it('verify: false → UNVERIFIABLE with the switched-off detail, no introspection request', async () => {
    const g = emu.issueGrant('verifier');
    const op = await revoke(g.refreshToken, 'off');
    assert.equal(op.error, undefined, op.error?.message);
    assert.equal(op.response?.verification?.state, 'UNVERIFIABLE');
    assert.equal(op.response?.verification?.method, 'none');
    assert.equal(op.response?.verification?.detail, switchedOff);
    assert.equal(calls('introspection', g.refreshToken).length, 0);
    assert.equal(op.metadata.attempts, 1, 'only the revoke was a provider call');
    assert.equal(emu.isActive(g.refreshToken), false);
  });

  void it('no introspection endpoint (configured revocation endpoint, no discovery) → UNVERIFIABLE', async () => {
    const g = emu.issueGrant('verifier');
    const op = await revoke(g.refreshToken, 'no-introspection');
    assert.equal(op.error, undefined, op.error?.message);
    assert.equal(op.response?.verification?.state, 'UNVERIFIABLE');
    assert.match(op.response?.verification?.detail ?? '', /no introspection endpoint/);
    assert.equal(calls('introspection', g.refreshToken).length, 0);
  });
});
