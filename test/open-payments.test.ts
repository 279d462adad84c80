import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHeaders, type JWK } from '@interledger/http-signature-utils';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import { Code, fingerprint, type RevocationRequestInput, type RevokeTokensOperation } from '../api';
import { startDemo } from '../emulators/open-payments/demo';
import {
  generateClientKey,
  startOpenPaymentsEmulator,
  type ClientKey,
  type IssuedGrant,
  type OpenPaymentsEmulator,
} from '../emulators/open-payments';
import { fastTiming, fetchHistory, historyBytes, recordHistory } from './helpers/history';
import { createTestStack, workerLogs, type TestStack } from './helpers/stack';
import { runCliCaptured, stackCliEnv } from './helpers/cli';

// ---------------------------------------------------------------------------------------------
// Shared fixtures: one emulator, one client (alice, key id k1), one stack with several connections.

let emu: OpenPaymentsEmulator;
let key: ClientKey;
/** Another key published under the same key id nowhere: what a misconfigured connection holds. */
let otherKey: ClientKey;
let alice: string;
let stack: TestStack;
let keyDir: string;

/** Every secret any scenario used, and every operation, for the final plaintext check. */
const secretsUsed = new Set<string>();
const operationIds: string[] = [];

function grant(accessTokens = 1): IssuedGrant {
  const g = emu.issueGrant({ client: alice, accessTokens });
  secretsUsed.add(g.continueToken);
  for (const t of g.accessTokens) secretsUsed.add(t.value);
  return g;
}

function firstToken(g: IssuedGrant) {
  const t = g.accessTokens[0];
  assert.ok(t);
  return t;
}

before(async () => {
  emu = await startOpenPaymentsEmulator({ mode: 'rafiki' });
  key = generateClientKey('k1');
  otherKey = generateClientKey('k1');
  alice = emu.addClient({ name: 'alice', keys: [key.jwk] }).walletAddressUrl;
  keyDir = mkdtempSync(join(tmpdir(), 'open-payments-test-'));
  const privateKeyFile = join(keyDir, 'client.pem');
  writeFileSync(privateKeyFile, key.privateKeyPem, { mode: 0o600 });
  const common = { keyId: 'k1', walletAddressUrl: alice, allowInsecureHttp: true, requestTimeoutMs: 3000 };
  stack = await createTestStack(
    {},
    {
      connections: {
        'open-payments': {
          default: { ...common, privateKey: key.privateKeyPem },
          'from-file': { ...common, privateKeyFile },
          // base64 of the PEM, as Rafiki's PRIVATE_KEY and loadBase64Key take it.
          'wrong-key': { ...common, privateKey: Buffer.from(otherKey.privateKeyPem).toString('base64') },
          'https-only': { keyId: 'k1', privateKey: key.privateKeyPem },
          'bad-key': { ...common, privateKey: 'bm90IGEga2V5IGF0IGFsbA==' },
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

async function runOperation(
  request: RevocationRequestInput,
  timing: Record<string, string> = fastTiming,
): Promise<RevokeTokensOperation> {
  const started = await stack.client.revoke(request, { timing, createdBy: 'op-test@example.com' });
  operationIds.push(started.id);
  return stack.client.wait(started.id, { timeout: 30_000 });
}

async function expectFailedWith(id: string, type: string): Promise<void> {
  const handle = stack.temporal.workflow.getHandle(id);
  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, type);
    return true;
  });
}

const revokeRequest = (g: IssuedGrant, connection?: string): RevocationRequestInput => ({
  provider: 'open-payments',
  ...(connection ? { connection } : {}),
  action: 'revokeToken',
  manageUrl: firstToken(g).manageUrl,
  accessToken: firstToken(g).value,
});

const cancelRequest = (g: IssuedGrant, connection?: string): RevocationRequestInput => ({
  provider: 'open-payments',
  ...(connection ? { connection } : {}),
  action: 'cancelGrant',
  continueUri: g.continueUri,
  continueToken: g.continueToken,
});

/** A DELETE signed like the adapter signs, with knobs to tamper with what is signed or sent. */
async function signedDelete(
  url: string,
  token: string,
  opts: {
    signer?: ClientKey;
    signUrl?: string;
    signAuthorization?: string | null;
    unsigned?: boolean;
  } = {},
) {
  const signer = opts.signer ?? key;
  const headers: Record<string, string> = { authorization: `GNAP ${token}` };
  if (!opts.unsigned) {
    const signedHeaders: Record<string, string> =
      opts.signAuthorization === null ? {} : { authorization: opts.signAuthorization ?? `GNAP ${token}` };
    const sig = await createHeaders({
      request: { method: 'DELETE', url: opts.signUrl ?? url, headers: signedHeaders },
      privateKey: createPrivateKey(signer.privateKeyPem),
      keyId: signer.keyId,
    });
    headers.signature = sig.Signature;
    headers['signature-input'] = sig['Signature-Input'];
  }
  const res = await request(url, { method: 'DELETE', headers });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    body: text ? (JSON.parse(text) as { error?: { code?: string } }) : undefined,
  };
}

const lastRecord = () => {
  const r = emu.requests.at(-1);
  assert.ok(r);
  return r;
};

// ---------------------------------------------------------------------------------------------

void describe('open-payments emulator: signatures verified with the library (direct undici requests)', () => {
  void it('serves the client JWKS at {walletAddress}/jwks.json', async () => {
    const res = await request(`${alice}/jwks.json`);
    const jwks = (await res.body.json()) as { keys: JWK[] };
    assert.equal(res.statusCode, 200);
    assert.deepEqual(jwks.keys, [key.jwk]);
  });

  void it('a validly signed DELETE revokes the token (204) and is logged as verified', async () => {
    const g = grant(2);
    const t = firstToken(g);
    const res = await signedDelete(t.manageUrl, t.value);
    assert.equal(res.status, 204);
    assert.ok(emu.accessToken(t.manageId)?.revokedAt);
    assert.equal(emu.accessToken(g.accessTokens[1]?.manageId ?? '')?.revokedAt, undefined);
    const r = lastRecord();
    assert.equal(r.signatureVerified, true);
    assert.equal(r.signatureCheck, 'verified');
    assert.equal(r.keyId, 'k1');
    assert.equal(r.authorization?.tokenFingerprint, fingerprint(t.value));
  });

  const refused: Array<{
    name: string;
    opts: (g: IssuedGrant) => Parameters<typeof signedDelete>[2];
    status: number;
    check: string;
    description: string;
  }> = [
    {
      name: 'an unsigned request',
      opts: () => ({ unsigned: true }),
      status: 401,
      check: 'missing',
      description: 'invalid signature headers',
    },
    {
      name: 'a request signed for another URL',
      opts: (g) => ({ signUrl: `${emu.url}/token/${g.id}` }),
      status: 401,
      check: 'mismatch',
      description: 'invalid signature',
    },
    {
      name: 'a request whose Authorization differs from the signed one',
      opts: (g) => ({ signAuthorization: `GNAP ${firstToken(g).value}X` }),
      status: 401,
      check: 'mismatch',
      description: 'invalid signature',
    },
    {
      name: 'a signature that does not cover Authorization',
      opts: () => ({ signAuthorization: null }),
      status: 401,
      check: 'malformed',
      description: 'invalid signature headers',
    },
    {
      name: 'a signature by another key under the published key id',
      opts: () => ({ signer: otherKey }),
      status: 401,
      check: 'mismatch',
      description: 'invalid signature',
    },
    {
      name: 'a signature under a key id the client does not publish',
      opts: () => ({ signer: { ...otherKey, keyId: 'k-unknown' } }),
      status: 400,
      check: 'unknown-key-id',
      description: 'could not determine client',
    },
  ];
  for (const c of refused) {
    void it(`refuses ${c.name} (${c.status}) and revokes nothing`, async () => {
      const g = grant();
      const t = firstToken(g);
      const res = await signedDelete(t.manageUrl, t.value, c.opts(g));
      assert.equal(res.status, c.status);
      assert.deepEqual(res.body, { error: { code: 'invalid_client', description: c.description } });
      assert.equal(emu.accessToken(t.manageId)?.revokedAt, undefined);
      const r = lastRecord();
      assert.equal(r.signatureVerified, false);
      assert.equal(r.signatureCheck, c.check);
    });
  }

  void it('a wrong token for a manage URL is 401 invalid_client, even when validly signed', async () => {
    const g = grant();
    const other = firstToken(grant());
    const res = await signedDelete(firstToken(g).manageUrl, other.value);
    assert.equal(res.status, 401);
    assert.equal(res.body?.error?.code, 'invalid_client');
    assert.equal(emu.accessToken(firstToken(g).manageId)?.revokedAt, undefined);
  });

  void it('an already revoked token: 204 in GNAP mode, 401 invalid_client in Rafiki-like mode', async () => {
    const t = firstToken(grant());
    assert.equal((await signedDelete(t.manageUrl, t.value)).status, 204);
    try {
      emu.configure({ mode: 'gnap' });
      assert.equal((await signedDelete(t.manageUrl, t.value)).status, 204);
      assert.equal(lastRecord().outcome, 'already-revoked');
      emu.configure({ mode: 'rafiki' });
      const again = await signedDelete(t.manageUrl, t.value);
      assert.equal(again.status, 401);
      assert.deepEqual(again.body, {
        error: { code: 'invalid_client', description: 'invalid access token' },
      });
      // The emulator knows it was our valid signature, not a bad one: the log says so.
      assert.equal(lastRecord().signatureVerified, true);
      assert.equal(lastRecord().outcome, 'already-revoked-refused');
    } finally {
      emu.configure({ mode: 'rafiki' });
    }
  });

  void it('grant cancel revokes the grant and its tokens; wrong continue token 401, unknown grant 404', async () => {
    const g = grant(2);
    const wrong = await signedDelete(g.continueUri, firstToken(g).value);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body?.error?.code, 'invalid_continuation');
    const unknown = await signedDelete(`${emu.url}/continue/no-such-grant`, g.continueToken);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body?.error?.code, 'invalid_request');
    assert.equal(emu.grant(g.id)?.canceledAt, undefined);

    assert.equal((await signedDelete(g.continueUri, g.continueToken)).status, 204);
    assert.ok(emu.grant(g.id)?.canceledAt);
    for (const t of g.accessTokens) assert.equal(emu.accessToken(t.manageId)?.revokedBy, 'grant');
    // Rafiki-like: the canceled grant is no longer found.
    const again = await signedDelete(g.continueUri, g.continueToken);
    assert.equal(again.status, 401);
    assert.equal(again.body?.error?.code, 'invalid_continuation');
    emu.configure({ mode: 'gnap' });
    try {
      assert.equal((await signedDelete(g.continueUri, g.continueToken)).status, 204);
    } finally {
      emu.configure({ mode: 'rafiki' });
    }
  });

  void it('faults: status, body and Retry-After as injected; dropResponseAfterApply revokes, then resets', async () => {
    const t = firstToken(grant());
    emu.injectFault({
      route: 'revokeToken',
      id: t.manageId,
      status: 429,
      retryAfter: 7,
      body: { error: 'slow_down' },
    });
    const res = await request(t.manageUrl, { method: 'DELETE' });
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers['retry-after'], '7');
    assert.deepEqual(await res.body.json(), { error: 'slow_down' });
    assert.equal(lastRecord().fault, true);

    emu.injectFault({ route: 'revokeToken', id: t.manageId, dropResponseAfterApply: true });
    await assert.rejects(signedDelete(t.manageUrl, t.value), (err: Error) => {
      assert.match(`${err.name} ${err.message}`, /other side closed|socket|ECONNRESET/i);
      return true;
    });
    assert.ok(emu.accessToken(t.manageId)?.revokedAt, 'applied before the connection was dropped');
    assert.equal(lastRecord().status, 'dropped');
    assert.equal(lastRecord().outcome, 'revoked');
  });
});

// ---------------------------------------------------------------------------------------------

void describe('open-payments emulator: GNAP token introspection (RFC 9767 §3.3, direct undici requests)', () => {
  const introspect = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await request(emu.introspectionEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };

  void it('answers as Rafiki does: the grant, access and client of an active token; only active: false otherwise', async () => {
    const g = grant(2);
    const t = firstToken(g);
    const active = await introspect({ access_token: t.value, proof: 'httpsig', resource_server: 'rs' });
    assert.deepEqual(active, { status: 200, body: { active: true, grant: g.id, access: [], client: alice } });
    assert.equal((await signedDelete(t.manageUrl, t.value)).status, 204);
    assert.deepEqual(await introspect({ access_token: t.value }), { status: 200, body: { active: false } });
    assert.deepEqual(await introspect({ access_token: 'NEVER-ISSUED' }), {
      status: 200,
      body: { active: false },
    });
    const missing = await introspect({ proof: 'httpsig' });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.error, {
      code: 'invalid_request',
      description: 'access_token is required',
    });
  });

  void it("introspectionAuth 'httpsig': an unsigned caller or an unregistered resource server is 401 invalid_client", async () => {
    const t = firstToken(grant());
    emu.configure({ introspectionAuth: 'httpsig' });
    try {
      const unsigned = await introspect({ access_token: t.value, resource_server: 'rs' });
      assert.equal(unsigned.status, 401);
      assert.equal((unsigned.body.error as { code?: string }).code, 'invalid_client');
      assert.equal(emu.requests.at(-1)?.signatureCheck, 'missing');
    } finally {
      emu.configure({ introspectionAuth: 'none' });
    }
  });

  void it('keepToken: a DELETE answered 204 that revokes nothing, so introspection still says active', async () => {
    const t = firstToken(grant());
    emu.injectFault({ route: 'revokeToken', id: t.manageId, keepToken: true });
    assert.equal((await signedDelete(t.manageUrl, t.value)).status, 204);
    assert.equal(emu.accessToken(t.manageId)?.revokedAt, undefined);
    assert.equal(emu.requestsTo('revokeToken', t.manageId).at(-1)?.keptToken, true);
    assert.equal((await introspect({ access_token: t.value })).body.active, true);
  });
});

void describe('revokeTokens at open-payments', () => {
  void it('revokes an access token: the token is revoked at the auth server, the response says which', async () => {
    const g = grant(2);
    const t = firstToken(g);
    const op = await runOperation(revokeRequest(g));
    assert.equal(op.done, true);
    assert.equal(op.error, undefined);
    assert.deepEqual(
      { ...op.response, '@type': undefined },
      {
        '@type': undefined,
        provider: 'open-payments',
        connection: 'default',
        revokedCount: 1,
        action: 'revokeToken',
        manageUrl: t.manageUrl,
        accessTokenFingerprint: fingerprint(t.value),
        alreadyRevoked: false,
        httpStatus: 204,
        // Since verification (issue 14): this connection configures no introspection endpoint
        // (test/verification-open-payments.test.ts covers the ones that do).
        verification: {
          state: 'UNVERIFIABLE',
          method: 'none',
          detail:
            'no introspection endpoint configured (set introspectionEndpoint on the connection to verify)',
          checkedAt: String(op.response?.verification?.checkedAt),
        },
        // The evidence reference is the ledger's concern, not this test's.
        evidence: op.response?.evidence,
      },
    );
    assert.equal(emu.accessToken(t.manageId)?.revokedBy, 'token');
    assert.equal(emu.accessToken(g.accessTokens[1]?.manageId ?? '')?.revokedAt, undefined);
    const calls = emu.requestsTo('revokeToken', t.manageId);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.signatureVerified, true);
    assert.equal(op.metadata.attempts, 1);
    assert.match(op.description, new RegExp(fingerprint(t.value)));
    recordHistory('open-payments-revoke-token', await fetchHistory(stack.temporal, op.id));
  });

  void it('cancels a grant (key from privateKeyFile): the grant and its tokens are revoked', async () => {
    const g = grant(2);
    const op = await runOperation(cancelRequest(g, 'from-file'));
    assert.equal(op.error, undefined);
    assert.equal(op.response?.action, 'cancelGrant');
    assert.equal(op.response?.continueUri, g.continueUri);
    assert.equal(op.response?.continueTokenFingerprint, fingerprint(g.continueToken));
    assert.equal(op.response?.grantCanceled, true);
    assert.equal(op.response?.alreadyRevoked, false);
    assert.equal(op.response?.connection, 'from-file');
    assert.ok(emu.grant(g.id)?.canceledAt);
    for (const t of g.accessTokens) assert.equal(emu.accessToken(t.manageId)?.revokedBy, 'grant');
    assert.equal(emu.requestsTo('cancelGrant', g.continueId)[0]?.signatureVerified, true);
    recordHistory('open-payments-cancel-grant', await fetchHistory(stack.temporal, op.id));
  });

  void it('401 on the first attempt is final: UNAUTHENTICATED, exactly one call', async () => {
    const g = grant();
    const wrongToken = firstToken(grant()).value;
    const op = await runOperation({ ...revokeRequest(g), accessToken: wrongToken } as RevocationRequestInput);
    assert.equal(op.done, true);
    assert.equal(op.error?.code, Code.UNAUTHENTICATED);
    assert.match(op.error?.message ?? '', /401 invalid_client: invalid access token/);
    const body = op.error?.details.find((d) => d['@type'].endsWith('OpenPaymentsErrorBody'));
    assert.deepEqual(body, {
      '@type': 'type.googleapis.com/tokenrevocation.v1.OpenPaymentsErrorBody',
      httpStatus: 401,
      code: 'invalid_client',
      description: 'invalid access token',
    });
    assert.equal(emu.requestsTo('revokeToken', firstToken(g).manageId).length, 1);
    assert.equal(op.metadata.attempts, 1);
    await expectFailedWith(op.id, 'UNAUTHENTICATED');
    assert.equal(emu.accessToken(firstToken(g).manageId)?.revokedAt, undefined);
    recordHistory('open-payments-unauthenticated', await fetchHistory(stack.temporal, op.id));
  });

  void it('403 is final: PERMISSION_DENIED, exactly one call', async () => {
    const g = grant();
    emu.injectFault({ route: 'revokeToken', id: firstToken(g).manageId, status: 403 });
    const op = await runOperation(revokeRequest(g));
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    assert.equal(emu.requestsTo('revokeToken', firstToken(g).manageId).length, 1);
    await expectFailedWith(op.id, 'PERMISSION_DENIED');
  });

  void it('5xx twice, then success: done, three signed calls', async () => {
    const g = grant();
    const id = firstToken(g).manageId;
    emu.injectFault({ route: 'revokeToken', id, status: 500 });
    emu.injectFault({ route: 'revokeToken', id, status: 502, body: 'bad gateway' });
    const op = await runOperation(revokeRequest(g));
    assert.equal(op.error, undefined);
    assert.equal(op.response?.alreadyRevoked, false);
    const calls = emu.requestsTo('revokeToken', id);
    assert.deepEqual(
      calls.map((c) => c.status),
      [500, 502, 204],
    );
    assert.ok(calls.every((c) => c.signatureVerified));
    assert.equal(op.metadata.attempts, 3);
    assert.ok(emu.accessToken(id)?.revokedAt);
  });

  void it('429 and 503 with Retry-After: each next attempt waits at least that long and is signed afresh', async () => {
    const g = grant();
    const id = firstToken(g).manageId;
    emu.injectFault({ route: 'revokeToken', id, status: 429, retryAfter: 2 });
    emu.injectFault({ route: 'revokeToken', id, status: 503, retryAfter: 2 });
    const op = await runOperation(revokeRequest(g));
    assert.equal(op.error, undefined);
    const calls = emu.requestsTo('revokeToken', id);
    assert.deepEqual(
      calls.map((c) => c.status),
      [429, 503, 204],
    );
    const [a, b, c] = calls;
    assert.ok(a && b && c);
    // The retry policy alone would wait 100 ms, then 200 ms (the dev server dispatches retries
    // about 1 s apart anyway, hence 2 s here: only an honoured Retry-After passes).
    assert.ok(b.at.getTime() - a.at.getTime() >= 2000, `429 → next: ${b.at.getTime() - a.at.getTime()} ms`);
    assert.ok(c.at.getTime() - b.at.getTime() >= 2000, `503 → next: ${c.at.getTime() - b.at.getTime()} ms`);
    assert.ok(calls.every((x) => x.signatureVerified));
    assert.equal(new Set(calls.map((x) => x.created)).size, 3, 'a fresh `created` per attempt');
    assert.equal(new Set(calls.map((x) => x.signature)).size, 3, 'a fresh signature per attempt');
    recordHistory('open-payments-retry-after', await fetchHistory(stack.temporal, op.id));
  });

  void it('a 204 lost on the first attempt ends as revoked in GNAP mode (the retry gets 204)', async () => {
    const g = grant();
    const id = firstToken(g).manageId;
    emu.configure({ mode: 'gnap' });
    try {
      emu.injectFault({ route: 'revokeToken', id, dropResponseAfterApply: true });
      const op = await runOperation(revokeRequest(g));
      assert.equal(op.error, undefined);
      assert.equal(op.response?.alreadyRevoked, false);
      assert.equal(op.response?.httpStatus, 204);
      const calls = emu.requestsTo('revokeToken', id);
      assert.deepEqual(
        calls.map((c) => [c.status, c.outcome, c.signatureVerified]),
        [
          ['dropped', 'revoked', true],
          [204, 'already-revoked', true],
        ],
      );
    } finally {
      emu.configure({ mode: 'rafiki' });
    }
  });

  void it('a 204 lost on the first attempt ends as revoked in Rafiki-like mode (the retry gets 401)', async () => {
    const g = grant();
    const id = firstToken(g).manageId;
    emu.injectFault({ route: 'revokeToken', id, dropResponseAfterApply: true });
    const op = await runOperation(revokeRequest(g));
    assert.equal(op.done, true);
    assert.equal(op.error, undefined);
    assert.equal(op.response?.alreadyRevoked, true);
    assert.equal(op.response?.httpStatus, 401);
    assert.match(String(op.response?.note), /attempt 2.*earlier attempt revoked it.*not a signature failure/);
    const calls = emu.requestsTo('revokeToken', id);
    assert.deepEqual(
      calls.map((c) => [c.status, c.outcome, c.signatureVerified]),
      [
        ['dropped', 'revoked', true],
        [401, 'already-revoked-refused', true],
      ],
    );
    // Before concluding, the adapter checked that the client JWKS publishes our key.
    assert.ok(emu.requestsTo('jwks', 'alice').length >= 1);
    assert.ok(
      workerLogs.some(
        (l) => l.includes('an earlier attempt revoked it') && l.includes(fingerprint(firstToken(g).value)),
      ),
    );
    recordHistory('open-payments-lost-204-rafiki', await fetchHistory(stack.temporal, op.id));
  });

  void it('a lost 204 on grant cancel ends as canceled in Rafiki-like mode (invalid_continuation on the retry)', async () => {
    const g = grant(2);
    emu.injectFault({ route: 'cancelGrant', id: g.continueId, dropResponseAfterApply: true });
    const op = await runOperation(cancelRequest(g));
    assert.equal(op.error, undefined);
    assert.equal(op.response?.alreadyRevoked, true);
    assert.equal(op.response?.grantCanceled, true);
    assert.deepEqual(
      emu.requestsTo('cancelGrant', g.continueId).map((c) => [c.status, c.errorCode]),
      [
        ['dropped', undefined],
        [401, 'invalid_continuation'],
      ],
    );
    assert.ok(emu.grant(g.id)?.canceledAt);
  });

  void it('a bad signature on a retry is not mistaken for "already revoked"', async () => {
    // The connection's key is not the one alice publishes. Attempt 1 never reaches the verifier
    // (a 503 before it); attempt 2 is refused for its signature.
    const g = grant();
    const id = firstToken(g).manageId;
    emu.injectFault({ route: 'revokeToken', id, status: 503 });
    const op = await runOperation(revokeRequest(g, 'wrong-key'));
    assert.equal(op.error?.code, Code.UNAUTHENTICATED);
    assert.match(op.error?.message ?? '', /invalid signature/);
    assert.deepEqual(
      emu.requestsTo('revokeToken', id).map((c) => [c.status, c.signatureCheck]),
      [
        [503, 'mismatch'],
        [401, 'mismatch'],
      ],
    );
    assert.equal(emu.accessToken(id)?.revokedAt, undefined);
    await expectFailedWith(op.id, 'UNAUTHENTICATED');

    // An auth server that words every 401 alike ("invalid access token"): the JWKS check catches it.
    const g2 = grant();
    const id2 = firstToken(g2).manageId;
    emu.injectFault({ route: 'revokeToken', id: id2, status: 503 });
    emu.injectFault({
      route: 'revokeToken',
      id: id2,
      status: 401,
      body: { error: { code: 'invalid_client', description: 'invalid access token' } },
    });
    const op2 = await runOperation(revokeRequest(g2, 'wrong-key'));
    assert.equal(op2.error?.code, Code.UNAUTHENTICATED);
    assert.match(
      op2.error?.message ?? '',
      /key id "k1" with this connection's public key is not in .*jwks\.json/,
    );
    assert.equal(op2.error?.details[0]?.reason, 'KEY_NOT_PUBLISHED');
    assert.equal(emu.accessToken(id2)?.revokedAt, undefined);
  });

  void it('plain http without allowInsecureHttp: FAILED_PRECONDITION before any request', async () => {
    const g = grant();
    const before = emu.requests.length;
    const op = await runOperation(revokeRequest(g, 'https-only'));
    assert.equal(op.error?.code, Code.FAILED_PRECONDITION);
    assert.match(op.error?.message ?? '', /plain http.*allowInsecureHttp/);
    assert.equal(emu.requests.length, before);
  });

  void it('a connection whose key is not Ed25519: FAILED_PRECONDITION naming the field, no call', async () => {
    const g = grant();
    const before = emu.requests.length;
    const op = await runOperation(revokeRequest(g, 'bad-key'));
    assert.equal(op.error?.code, Code.FAILED_PRECONDITION);
    assert.match(
      op.error?.message ?? '',
      /open-payments\.bad-key\.privateKey: is not an Ed25519 private key/,
    );
    assert.equal(op.metadata.attempts, 1);
    assert.equal(emu.requests.length, before);
  });

  void it('invalid requests are refused before anything starts, naming the field', async () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [
        { action: 'revokeToken', manageUrl: '/token/1', accessToken: 'abcdefgh' },
        /request\.manageUrl: must be an absolute URL/,
      ],
      [
        { action: 'revokeToken', manageUrl: 'ftp://x.example/t', accessToken: 'abcdefgh' },
        /request\.manageUrl: must be an https/,
      ],
      [{ action: 'revokeToken', manageUrl: 'https://x.example/t' }, /request\.accessToken/],
      [
        { action: 'cancelGrant', continueUri: 'https://x.example/c', continueToken: '' },
        /request\.continueToken: must not be empty/,
      ],
      [
        { manageUrl: 'https://x.example/t', accessToken: 'abcdefgh' },
        /request\.action: must be "revokeToken"/,
      ],
    ];
    for (const [fields, message] of bad) {
      await assert.rejects(
        stack.client.revoke({ provider: 'open-payments', ...fields } as RevocationRequestInput),
        (err: Error) => {
          assert.match(err.message, message);
          assert.ok(!err.message.includes('abcdefgh'));
          return true;
        },
      );
    }
  });

  void it('a token echoed by the auth server is scrubbed from the error (final and retried failures)', async () => {
    const g = grant();
    const t = firstToken(g);
    emu.injectFault({
      route: 'revokeToken',
      id: t.manageId,
      status: 503,
      body: { error: { code: 'request_denied', description: `cannot revoke ${t.value} right now` } },
    });
    emu.injectFault({
      route: 'revokeToken',
      id: t.manageId,
      status: 400,
      body: { error: { code: 'invalid_request', description: `token ${t.value} is malformed` } },
    });
    const op = await runOperation(revokeRequest(g));
    assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
    assert.match(op.error?.message ?? '', new RegExp(`token \\[${fingerprint(t.value)}\\] is malformed`));
    assert.ok(workerLogs.some((l) => l.includes('cannot revoke [sha256:')));
  });
});

// ---------------------------------------------------------------------------------------------

function cliEnv(s: TestStack, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return stackCliEnv(s, extra);
}

async function cli(args: string[], env: NodeJS.ProcessEnv, stdin = '') {
  const { code, stdout, stderr } = await runCliCaptured(args, env, stdin);
  return { code, stdout, stderr };
}

void describe('revoke open-payments (CLI)', () => {
  void it('revokes a token read from stdin, and cancels a grant with the continue token from a variable', async () => {
    const g = grant();
    const t = firstToken(g);
    const a = await cli(
      ['open-payments', '--manage-url', t.manageUrl, '--access-token-stdin', '--wait', '--json'],
      cliEnv(stack),
      t.value,
    );
    assert.equal(a.code, 0, a.stderr);
    const op = JSON.parse(a.stdout) as RevokeTokensOperation;
    operationIds.push(op.id);
    assert.equal(op.response?.accessTokenFingerprint, fingerprint(t.value));
    assert.ok(emu.accessToken(t.manageId)?.revokedAt);
    assert.ok(!a.stdout.includes(t.value));

    const g2 = grant();
    const b = await cli(
      ['open-payments', '--continue-uri', g2.continueUri, '--continue-token-env', 'OP_CONTINUE', '--wait'],
      cliEnv(stack, { OP_CONTINUE: g2.continueToken }),
    );
    assert.equal(b.code, 0, b.stderr);
    assert.ok(emu.grant(g2.id)?.canceledAt);
  });

  void it('refuses tokens on the command line and bad combinations, naming the flag (exit 2)', async () => {
    const t = firstToken(grant());
    const env = cliEnv(stack, { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    const cases: Array<[string[], RegExp]> = [
      [['--manage-url', t.manageUrl, '--access-token', t.value], /--access-token: a token is never accepted/],
      [['--manage-url', t.manageUrl], /--access-token-stdin: the access token is required/],
      [['--access-token-env', 'X'], /exactly one of --manage-url .* or --continue-uri/],
      [
        ['--manage-url', t.manageUrl, '--continue-uri', t.manageUrl, '--access-token-env', 'X'],
        /exactly one of/,
      ],
      [['--continue-uri', t.manageUrl, '--access-token-env', 'X'], /an access token goes with --manage-url/],
      [
        ['--manage-url', 'not a url', '--access-token-env', 'TOK'],
        /--manage-url \(request\.manageUrl\): must be an absolute URL/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['open-payments', ...args], { ...env, X: 'tok-from-env', TOK: t.value });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.ok(!r.stderr.includes(t.value));
    }
  });

  void it('--help lists the flags and examples', async () => {
    const r = await cli(['open-payments', '--help'], {});
    assert.equal(r.code, 0);
    for (const flag of [
      '--manage-url',
      '--access-token-stdin',
      '--access-token-env',
      '--continue-uri',
      '--continue-token-stdin',
      '--wait',
      '--json',
    ]) {
      assert.ok(r.stdout.includes(flag), flag);
    }
    assert.match(r.stdout, /Examples:/);
    assert.ok(!/--access-token \[value\]/.test(r.stdout));
  });
});

// ---------------------------------------------------------------------------------------------

void describe('open-payments demo (npm start)', () => {
  void it('writes the client key and JWKS under dataDir; every example and the documented commands succeed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'open-payments-demo-'));
    const demo = await startDemo(dataDir);
    let demoStack: TestStack | undefined;
    try {
      const dir = join(dataDir, 'open-payments');
      const pem = readFileSync(join(dir, 'client-private-key.pem'), 'utf8');
      const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as { keys: JWK[] };
      assert.match(pem, /BEGIN PRIVATE KEY/);
      assert.equal(jwks.keys[0]?.kid, 'demo-key-1');
      assert.ok(existsSync(join(dir, 'demo.env')));
      assert.equal(demo.provider, 'open-payments');
      assert.ok(demo.examples.length >= 2);
      for (const t of readFileSync(join(dir, 'demo.env'), 'utf8').match(/'[^']+'/g) ?? []) {
        if (!t.includes('://')) secretsUsed.add(t.slice(1, -1));
      }
      for (const file of ['revoke-token-request.json', 'cancel-grant-request.json']) {
        const r = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, string>;
        secretsUsed.add(r.accessToken ?? r.continueToken ?? '');
      }

      demoStack = await createTestStack({}, { connections: { 'open-payments': demo.connections } as never });
      await demoStack.startWorker();
      for (const example of demo.examples) {
        const r = await cli([...example.split(' '), '--json'], cliEnv(demoStack));
        assert.equal(r.code, 0, `${example}: ${r.stderr}`);
        const op = JSON.parse(r.stdout) as RevokeTokensOperation;
        assert.equal(op.response?.provider, 'open-payments');
        // The demo connection configures the emulator's introspection endpoint (issue 14).
        if (op.response?.action === 'revokeToken') assert.equal(op.response.verification?.state, 'VERIFIED');
      }
      // docs/providers/open-payments.md: source demo.env, then the subcommand.
      const env = Object.fromEntries(
        [...readFileSync(join(dir, 'demo.env'), 'utf8').matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [
          m[1],
          m[2],
        ]),
      ) as Record<string, string>;
      const a = await cli(
        [
          'open-payments',
          '--manage-url',
          env.OP_MANAGE_URL ?? '',
          '--access-token-env',
          'OP_ACCESS_TOKEN',
          '--wait',
        ],
        cliEnv(demoStack, env),
      );
      assert.equal(a.code, 0, a.stderr);
      const b = await cli(
        ['open-payments', '--continue-uri', env.OP_CONTINUE_URI ?? '', '--continue-token-stdin', '--wait'],
        cliEnv(demoStack, env),
        env.OP_CONTINUE_TOKEN,
      );
      assert.equal(b.code, 0, b.stderr);
      // GNAP mode: running an example again still succeeds.
      const again = await cli([...(demo.examples[0] ?? '').split(' ')], cliEnv(demoStack));
      assert.equal(again.code, 0, again.stderr);
    } finally {
      await demoStack?.close();
      await demo.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

void describe('open-payments secrets', () => {
  void it('no access token, continue token or private key in plaintext in histories, worker logs or operations', async () => {
    assert.ok(operationIds.length >= 10);
    const pems = [key.privateKeyPem, otherKey.privateKeyPem];
    const keyParts = pems.flatMap((p) => [
      p,
      p.split('\n')[1] ?? p, // the base64 body of the PEM
      Buffer.from(p).toString('base64'),
    ]);
    const secrets = [...secretsUsed, ...keyParts];
    const logs = workerLogs.join('\n');
    // Positive controls: the checks can see what they look at.
    assert.ok(logs.includes('Open Payments: revoked'));
    // The worker logs each revoked token's fingerprint: derived from the secret, so the lines are there.
    assert.ok([...secretsUsed].filter((s) => logs.includes(fingerprint(s))).length >= 5);
    let sawPlainMessage = false;
    let sawCreatedBy = false;
    for (const id of operationIds) {
      const bytes = historyBytes(await fetchHistory(stack.temporal, id));
      const op = JSON.stringify(await stack.client.get(id));
      if (bytes.includes(Buffer.from('invalid access token'))) sawPlainMessage = true;
      if (bytes.includes(Buffer.from('op-test@example.com'))) sawCreatedBy = true;
      for (const s of secrets) {
        assert.equal(bytes.includes(Buffer.from(s)), false, `history of ${id} holds a secret`);
        assert.equal(op.includes(s), false, `operation ${id} holds a secret`);
      }
    }
    assert.ok(sawPlainMessage, 'failure messages are plaintext in history, so the check could see a leak');
    assert.ok(sawCreatedBy, 'search attributes are plaintext in history');
    for (const s of secrets) assert.equal(logs.includes(s), false, 'a worker log line holds a secret');
  });
});
