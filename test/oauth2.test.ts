import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Code, fingerprint, TypeUrl, type RevokeTokensOperation } from '../api';
import { OAuth2TypeUrl } from '../activities/oauth2/errors';
import { startOAuth2Emulator, type OAuth2Emulator, type OAuth2EmulatorRequest } from '../emulators/oauth2';
import { startDemo } from '../emulators/oauth2/demo';
import { connectionsConfig } from '../worker/connections';
import { fastTiming, fetchHistory, historyBytes, recordHistory } from './helpers/history';
import { createTestStack, workerLogs, type TestStack } from './helpers/stack';
import { runCliCaptured, stackCliEnv } from './helpers/cli';

const pem = (k: KeyObject, type: 'spki' | 'pkcs8') => k.export({ type, format: 'pem' }) as string;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyDir = mkdtempSync(join(tmpdir(), 'oauth2-test-keys-'));
const keyFile = (name: string, k: KeyObject) => {
  const path = join(keyDir, `${name}.pem`);
  writeFileSync(path, pem(k, 'pkcs8'), { mode: 0o600 });
  return path;
};
const ecKeyFile = keyFile('ec', ec.privateKey);
const edKeyFile = keyFile('ed', ed.privateKey);
const rsaKeyFile = keyFile('rsa', rsa.privateKey);

const secrets = {
  basic: 'basic-secret-Zx81+/:q',
  post: 'post-secret-9fQ2LmWp',
  wrong: 'wrong-secret-0000aaaa',
};
const issuerPath = '/tenants/acme';

let emu: OAuth2Emulator;
let tlsEmu: OAuth2Emulator;
let stack: TestStack;
/** Every token any scenario used: none may appear in plain text anywhere (see "secrets"). */
const usedTokens: string[] = [];
const operations: RevokeTokensOperation[] = [];

function grant(clientId: string) {
  const g = emu.issueGrant(clientId);
  usedTokens.push(g.accessToken, g.refreshToken);
  return g;
}

async function revoke(
  token: string,
  opts: { connection?: string; tokenTypeHint?: 'access_token' | 'refresh_token'; retry?: string } = {},
): Promise<RevokeTokensOperation> {
  if (!usedTokens.includes(token)) usedTokens.push(token);
  const started = await stack.client.revoke(
    {
      provider: 'oauth2',
      token,
      ...(opts.connection ? { connection: opts.connection } : {}),
      ...(opts.tokenTypeHint ? { tokenTypeHint: opts.tokenTypeHint } : {}),
    },
    { timing: { ...fastTiming, ...(opts.retry ? { retryInitialInterval: opts.retry } : {}) } },
  );
  assert.equal(started.done, false);
  const op = await stack.client.wait(started.id, { timeout: 30_000 });
  operations.push(op);
  return op;
}

const callsFor = (token: string): OAuth2EmulatorRequest[] =>
  emu.requestsTo('revocation').filter((r) => r.tokenFingerprint === fingerprint(token));

async function failureType(id: string): Promise<string | undefined> {
  let type: string | undefined;
  await assert.rejects(stack.temporal.workflow.getHandle(id).result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    type = err.cause.type ?? undefined;
    return true;
  });
  return type;
}

const oauthDetail = (op: RevokeTokensOperation) =>
  op.error?.details.find((d) => d['@type'] === OAuth2TypeUrl.errorResponse);

before(async () => {
  emu = await startOAuth2Emulator({
    issuerPath,
    clients: [
      { clientId: 'app basic:1', authMethod: 'client_secret_basic', clientSecret: secrets.basic },
      { clientId: 'app-post', authMethod: 'client_secret_post', clientSecret: secrets.post },
      { clientId: 'app-jwt-es256', authMethod: 'private_key_jwt', publicKeyPem: pem(ec.publicKey, 'spki') },
      { clientId: 'app-jwt-eddsa', authMethod: 'private_key_jwt', publicKeyPem: pem(ed.publicKey, 'spki') },
      { clientId: 'app-jwt-rs256', authMethod: 'private_key_jwt', publicKeyPem: pem(rsa.publicKey, 'spki') },
    ],
  });
  tlsEmu = await startOAuth2Emulator({
    tls: true,
    clients: [{ clientId: 'app-tls', authMethod: 'client_secret_post', clientSecret: secrets.post }],
  });
  const caFile = join(keyDir, 'emulator-ca.pem');
  writeFileSync(caFile, tlsEmu.caCert ?? '');
  const local = { allowInsecureRequests: true } as const;
  stack = await createTestStack(
    {},
    {
      connections: {
        oauth2: {
          // The revocation endpoint is found through RFC 8414 discovery, never configured.
          default: { ...local, issuer: emu.issuer, clientId: 'app basic:1', clientSecret: secrets.basic },
          post: {
            ...local,
            revocationEndpoint: emu.revocationEndpoint,
            clientId: 'app-post',
            clientAuthMethod: 'client_secret_post',
            clientSecret: secrets.post,
          },
          'jwt-es256': {
            ...local,
            issuer: emu.issuer,
            discovery: 'oidc',
            clientId: 'app-jwt-es256',
            privateKeyFile: ecKeyFile,
            privateKeyAlg: 'ES256',
          },
          'jwt-eddsa': {
            ...local,
            issuer: emu.issuer,
            discovery: 'oauth2',
            clientId: 'app-jwt-eddsa',
            privateKeyFile: edKeyFile,
          },
          'jwt-rs256': {
            ...local,
            revocationEndpoint: emu.revocationEndpoint,
            clientId: 'app-jwt-rs256',
            privateKeyFile: rsaKeyFile,
            privateKeyAlg: 'RS256',
            keyId: 'rsa-key-1',
          },
          'oidc-post': {
            ...local,
            issuer: emu.issuer,
            discovery: 'oidc',
            clientId: 'app-post',
            clientAuthMethod: 'client_secret_post',
            clientSecret: secrets.post,
          },
          'wrong-basic': {
            ...local,
            revocationEndpoint: emu.revocationEndpoint,
            clientId: 'app basic:1',
            clientSecret: secrets.wrong,
          },
          'wrong-post': {
            ...local,
            revocationEndpoint: emu.revocationEndpoint,
            clientId: 'app-post',
            clientAuthMethod: 'client_secret_post',
            clientSecret: secrets.wrong,
          },
          'bad-key': {
            ...local,
            revocationEndpoint: emu.revocationEndpoint,
            clientId: 'app-jwt-es256',
            privateKeyFile: ecKeyFile,
            // An EC key cannot sign RS256: caught when the connection is built.
            privateKeyAlg: 'RS256',
          },
          tls: {
            issuer: tlsEmu.issuer,
            clientId: 'app-tls',
            clientAuthMethod: 'client_secret_post',
            clientSecret: secrets.post,
            caFile,
          },
        },
      },
    },
  );
  await stack.startWorker();
});

after(async () => {
  await stack?.close();
  await emu?.close();
  await tlsEmu?.close();
});

void describe('oauth2: successful revocations change the server', () => {
  void it('a refresh token revokes its whole grant; the response says what was revoked and how', async () => {
    const g = grant('app basic:1');
    const other = grant('app basic:1');
    const op = await revoke(g.refreshToken, { tokenTypeHint: 'refresh_token' });
    assert.equal(op.done, true);
    assert.equal(op.error, undefined);
    assert.deepEqual(op.response, {
      '@type': TypeUrl.revokeTokensResponse,
      provider: 'oauth2',
      connection: 'default',
      revokedCount: 1,
      revoked: true,
      tokenTypeHint: 'refresh_token',
      tokenFingerprint: fingerprint(g.refreshToken),
      revocationEndpoint: emu.revocationEndpoint,
      clientAuthMethod: 'client_secret_basic',
      discovery: 'oauth2',
      issuer: emu.issuer,
      // Since verification (issue 14): the discovered introspection endpoint said the token is dead.
      verification: {
        state: 'VERIFIED',
        method: 'RFC 7662 token introspection',
        detail: 'active: false',
        checkedAt: String(op.response?.verification?.checkedAt),
      },
      // The evidence reference is the ledger's concern (test/evidence*.test.ts), not this test's.
      evidence: op.response?.evidence,
    });
    // RFC 7009 §2.1: the refresh token's grant goes with it; another grant is untouched.
    assert.equal(emu.isActive(g.refreshToken), false);
    assert.equal(emu.isActive(g.accessToken), false);
    assert.equal(emu.isActive(other.refreshToken), true);
    assert.equal(emu.isActive(other.accessToken), true);
    const [call, ...more] = callsFor(g.refreshToken);
    assert.equal(more.length, 0);
    assert.equal(call?.status, 200);
    assert.equal(call?.authMethod, 'client_secret_basic');
    assert.equal(call?.clientId, 'app basic:1');
    assert.equal(call?.tokenTypeHint, 'refresh_token');
    assert.deepEqual(call?.revoked?.map((r) => r.type).sort(), ['access_token', 'refresh_token']);
    // The revoke and its verification (one RFC 7662 introspection) are both provider calls.
    assert.equal(op.metadata.attempts, 2);
    assert.equal(op.metadata.tokenFingerprint, fingerprint(g.refreshToken));
    recordHistory('oauth2-revoke-refresh-token', await fetchHistory(stack.temporal, op.id));
  });

  void it('an access token revokes only itself, and a wrong hint is only a hint', async () => {
    const g = grant('app basic:1');
    const op = await revoke(g.accessToken, { tokenTypeHint: 'refresh_token' });
    assert.equal(op.error, undefined);
    assert.equal(op.response?.tokenTypeHint, 'refresh_token');
    assert.equal(emu.isActive(g.accessToken), false);
    assert.equal(emu.isActive(g.refreshToken), true);
    assert.equal(callsFor(g.accessToken)[0]?.tokenFound, 'access_token');
  });

  void it('an unknown token is a success (RFC 7009 §2.2): revoked means "no longer accepted", nothing changed', async () => {
    const before = emu.tokens().filter((t) => t.revokedAt).length;
    const op = await revoke(`never-issued-${randomUUID()}`);
    assert.equal(op.error, undefined);
    assert.equal(op.response?.revoked, true);
    assert.equal(op.response?.tokenTypeHint, null);
    assert.equal(emu.tokens().filter((t) => t.revokedAt).length, before);
    recordHistory('oauth2-revoke-unknown-token', await fetchHistory(stack.temporal, op.id));
  });
});

void describe('oauth2: client authentication and discovery', () => {
  const cases = [
    {
      connection: 'post',
      clientId: 'app-post',
      method: 'client_secret_post',
      discovery: undefined,
      alg: undefined,
    },
    {
      connection: 'jwt-es256',
      clientId: 'app-jwt-es256',
      method: 'private_key_jwt',
      discovery: 'oidc',
      alg: 'ES256',
    },
    {
      connection: 'jwt-eddsa',
      clientId: 'app-jwt-eddsa',
      method: 'private_key_jwt',
      discovery: 'oauth2',
      alg: 'EdDSA',
    },
    {
      connection: 'jwt-rs256',
      clientId: 'app-jwt-rs256',
      method: 'private_key_jwt',
      discovery: undefined,
      alg: 'RS256',
    },
  ] as const;
  for (const c of cases) {
    void it(`${c.method}${c.alg ? ` (${c.alg})` : ''} via ${c.connection}: the emulator verified it`, async () => {
      const g = grant(c.clientId);
      const seen = emu.requests.length;
      const op = await revoke(g.refreshToken, { connection: c.connection, tokenTypeHint: 'refresh_token' });
      assert.equal(op.error, undefined, op.error?.message);
      assert.equal(op.response?.clientAuthMethod, c.method);
      assert.equal(op.response?.discovery, c.discovery);
      assert.equal(emu.isActive(g.refreshToken), false);
      const [call] = callsFor(g.refreshToken);
      assert.equal(call?.authMethod, c.method);
      assert.equal(call?.authenticated, true);
      assert.equal(call?.clientId, c.clientId);
      if (c.alg) {
        assert.equal(call?.assertion?.alg, c.alg);
        // The audience is the issuer when known (discovery), else the configured endpoint.
        assert.equal(call?.assertion?.aud, c.discovery ? emu.issuer : emu.revocationEndpoint);
      }
      if (c.discovery) {
        // The well-known document was read first, then its revocation_endpoint was called.
        const wellKnown =
          c.discovery === 'oidc'
            ? `${issuerPath}/.well-known/openid-configuration`
            : `/.well-known/oauth-authorization-server${issuerPath}`;
        const paths = emu.requests.slice(seen).map((r) => `${r.method} ${r.path} ${r.status}`);
        // ... and after it the discovered introspection_endpoint verified the revoke.
        assert.deepEqual(paths, [
          `GET ${wellKnown} 200`,
          `POST ${issuerPath}/oauth2/revoke 200`,
          `POST ${issuerPath}/oauth2/introspect 200`,
        ]);
      }
    });
  }

  void it('client_secret_basic form-encodes the id and secret (RFC 6749 §2.3.1), and discovery is cached per connection', async () => {
    const first = grant('app basic:1');
    const second = grant('app basic:1');
    await revoke(first.refreshToken);
    const discoveries = emu.requestsTo('oauth-discovery').length;
    const op = await revoke(second.refreshToken);
    assert.equal(op.error, undefined);
    assert.equal(emu.requestsTo('oauth-discovery').length, discoveries, 'no second discovery request');
    assert.ok(discoveries >= 1);
    assert.equal(callsFor(second.refreshToken)[0]?.clientId, 'app basic:1');
  });

  void it("https with the connection's CA file, and OpenID discovery at an issuer without a path", async () => {
    const g = tlsEmu.issueGrant('app-tls');
    usedTokens.push(g.accessToken, g.refreshToken);
    const op = await revoke(g.refreshToken, { connection: 'tls' });
    assert.equal(op.error, undefined, op.error?.message);
    assert.match(String(op.response?.revocationEndpoint), /^https:\/\/127\.0\.0\.1:\d+\/oauth2\/revoke$/);
    assert.equal(tlsEmu.isActive(g.refreshToken), false);
    assert.deepEqual(
      tlsEmu.requests.map((r) => `${r.method} ${r.path}`),
      // The last call is the verification (RFC 7662 introspection, discovered like revocation).
      ['GET /.well-known/oauth-authorization-server', 'POST /oauth2/revoke', 'POST /oauth2/introspect'],
    );
  });
});

void describe('oauth2: permanent failures end the operation after one call', () => {
  void it('invalid_client with Basic (401 + WWW-Authenticate) → UNAUTHENTICATED, one call, OAuth body kept', async () => {
    const g = grant('app basic:1');
    const op = await revoke(g.refreshToken, { connection: 'wrong-basic' });
    assert.equal(op.done, true);
    assert.equal(op.error?.code, Code.UNAUTHENTICATED);
    assert.equal(callsFor(g.refreshToken).length, 1);
    assert.equal(op.metadata.attempts, 1);
    assert.equal(emu.isActive(g.refreshToken), true);
    const detail = oauthDetail(op);
    assert.equal(detail?.httpStatus, 401);
    assert.equal(detail?.error, 'invalid_client');
    assert.equal((detail?.wwwAuthenticate as Array<{ scheme: string }>)[0]?.scheme, 'basic');
    assert.equal(await failureType(op.id), 'UNAUTHENTICATED');
    assert.ok(!op.error?.message.includes(secrets.wrong));
    recordHistory('oauth2-invalid-client', await fetchHistory(stack.temporal, op.id));
  });

  void it('invalid_client with client_secret_post (401, JSON body only) → UNAUTHENTICATED, one call', async () => {
    const g = grant('app-post');
    const op = await revoke(g.refreshToken, { connection: 'wrong-post' });
    assert.equal(op.error?.code, Code.UNAUTHENTICATED);
    assert.equal(callsFor(g.refreshToken).length, 1);
    assert.equal(oauthDetail(op)?.error, 'invalid_client');
  });

  void it('403 → PERMISSION_DENIED, one call', async () => {
    const g = grant('app basic:1');
    emu.injectFault({ endpoint: 'revocation', status: 403, body: { error: 'access_denied' } });
    const op = await revoke(g.refreshToken);
    assert.equal(op.error?.code, Code.PERMISSION_DENIED);
    assert.equal(callsFor(g.refreshToken).length, 1);
    assert.equal(await failureType(op.id), 'PERMISSION_DENIED');
    assert.equal(emu.isActive(g.refreshToken), true);
  });

  void it('unsupported_token_type (400) → INVALID_ARGUMENT, one call, error body in the details', async () => {
    const g = grant('app basic:1');
    emu.configure({ revokesAccessTokens: false });
    try {
      const op = await revoke(g.accessToken, { tokenTypeHint: 'access_token' });
      assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
      assert.equal(callsFor(g.accessToken).length, 1);
      assert.equal(oauthDetail(op)?.error, 'unsupported_token_type');
      assert.match(op.error?.message ?? '', /unsupported_token_type/);
      assert.equal(emu.isActive(g.accessToken), true);
    } finally {
      emu.configure({ revokesAccessTokens: true });
    }
  });

  void it('a token of another client is refused (RFC 7009 §2.1) → INVALID_ARGUMENT, the token stays valid', async () => {
    const g = grant('app-post');
    const op = await revoke(g.refreshToken);
    assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
    assert.equal(oauthDetail(op)?.error, 'invalid_grant');
    assert.equal(emu.isActive(g.refreshToken), true);
    assert.equal(callsFor(g.refreshToken).length, 1);
  });

  void it('a connection that cannot be built → FAILED_PRECONDITION naming the field, no call', async () => {
    const token = `bad-key-${randomUUID()}`;
    const op = await revoke(token, { connection: 'bad-key' });
    assert.equal(op.error?.code, Code.FAILED_PRECONDITION);
    assert.match(op.error?.message ?? '', /oauth2\.bad-key\.privateKeyFile.*cannot sign RS256/);
    assert.equal(callsFor(token).length, 0);
  });
});

void describe('oauth2: transient failures are retried', () => {
  void it('5xx twice, then success → done after three calls', async () => {
    const g = grant('app basic:1');
    emu.injectFault({ endpoint: 'revocation', status: 500, body: 'internal error', times: 1 });
    emu.injectFault({ endpoint: 'revocation', status: 502, times: 1 });
    const op = await revoke(g.refreshToken);
    assert.equal(op.error, undefined);
    assert.deepEqual(
      callsFor(g.refreshToken).map((c) => c.status),
      [500, 502, 200],
    );
    // Three revocation calls and the verification's introspection.
    assert.equal(op.metadata.attempts, 4);
    assert.equal(emu.isActive(g.refreshToken), false);
    recordHistory('oauth2-retry-5xx', await fetchHistory(stack.temporal, op.id));
  });

  void it('503 with Retry-After: 2 → the operation shows UNAVAILABLE while it waits at least 2 s', async () => {
    const g = grant('app basic:1');
    emu.injectFault({
      endpoint: 'revocation',
      status: 503,
      headers: { 'retry-after': '2' },
      body: { error: 'temporarily_unavailable' },
    });
    const started = await stack.client.revoke(
      { provider: 'oauth2', token: g.refreshToken },
      { timing: fastTiming },
    );
    let pending: RevokeTokensOperation | undefined;
    for (let i = 0; i < 40 && !pending?.error; i++) {
      pending = await stack.client.get(started.id);
      if (!pending.error) await delay(50);
    }
    assert.equal(pending?.done, false);
    assert.equal(pending?.error?.code, Code.UNAVAILABLE);
    assert.ok(
      pending?.error?.details.some((d) => d['@type'] === OAuth2TypeUrl.retryInfo && d.retryDelay === '2s'),
    );
    const op = await stack.client.wait(started.id, { timeout: 30_000 });
    operations.push(op);
    assert.equal(op.error, undefined);
    const [first, second] = callsFor(g.refreshToken);
    assert.equal(first?.status, 503);
    assert.equal(second?.status, 200);
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    assert.ok(gap >= 2000, `retried after ${gap} ms; the server asked for 2000 ms`);
    recordHistory('oauth2-retry-after-503', await fetchHistory(stack.temporal, op.id));
  });

  void it('429 with Retry-After as an HTTP date → RESOURCE_EXHAUSTED, next call not before that date', async () => {
    const g = grant('app basic:1');
    const retryAt = Math.ceil(Date.now() / 1000) * 1000 + 2000;
    emu.injectFault({
      endpoint: 'revocation',
      status: 429,
      headers: { 'retry-after': new Date(retryAt).toUTCString() },
      body: { error: 'slow_down', error_description: 'too many requests' },
    });
    const op = await revoke(g.refreshToken);
    assert.equal(op.error, undefined);
    const [first, second] = callsFor(g.refreshToken);
    assert.equal(first?.status, 429);
    assert.equal(second?.status, 200);
    assert.ok((first?.at ?? Infinity) < retryAt - 1000, 'the first call came well before the date');
    assert.ok((second?.at ?? 0) >= retryAt, `retried at ${second?.at}, asked for ${retryAt}`);
  });

  void it('a dropped connection (network error) is UNAVAILABLE and retried', async () => {
    const g = grant('app basic:1');
    emu.injectFault({ endpoint: 'revocation', status: 0, dropConnection: true });
    const op = await revoke(g.refreshToken);
    assert.equal(op.error, undefined);
    assert.equal(callsFor(g.refreshToken).length, 2);
    assert.equal(emu.isActive(g.refreshToken), false);
  });

  void it('a lost 200 (revoked, then the answer failed) ends done: revocation is idempotent', async () => {
    const g = grant('app basic:1');
    emu.injectFault({ endpoint: 'revocation', status: 503, afterRevoke: true });
    const op = await revoke(g.refreshToken);
    assert.equal(op.error, undefined);
    const calls = callsFor(g.refreshToken);
    assert.deepEqual(
      calls.map((c) => [c.status, c.revoked?.length ?? 0]),
      [
        [503, 2],
        [200, 0],
      ],
    );
  });

  void it('a failed discovery (503 + Retry-After) is retried after the wait, then the discovered endpoint is called', async () => {
    const g = grant('app-post');
    emu.injectFault({ endpoint: 'oidc-discovery', status: 503, headers: { 'retry-after': '2' } });
    const before = emu.requestsTo('oidc-discovery').length;
    // `oidc-post` is used by this test only, so its first discovery meets the fault.
    const op = await revoke(g.refreshToken, { connection: 'oidc-post' });
    assert.equal(op.error, undefined, op.error?.message);
    const discoveries = emu.requestsTo('oidc-discovery').slice(before);
    assert.deepEqual(
      discoveries.map((r) => r.status),
      [503, 200],
    );
    assert.ok((discoveries[1]?.at ?? 0) - (discoveries[0]?.at ?? 0) >= 2000, 'waited for Retry-After');
    assert.equal(emu.isActive(g.refreshToken), false);
  });
});

void describe('oauth2: provider error texts are scrubbed', () => {
  void it('a server that echoes the token and the client secret: only fingerprints leave the engine', async () => {
    const g = grant('app basic:1');
    emu.injectFault({
      endpoint: 'revocation',
      status: 503,
      body: {
        error: 'temporarily_unavailable',
        error_description: `busy with ${g.refreshToken} for ${secrets.basic}`,
      },
    });
    emu.injectFault({
      endpoint: 'revocation',
      status: 400,
      body: { error: 'invalid_request', error_description: `token ${g.refreshToken} is malformed` },
    });
    const op = await revoke(g.refreshToken);
    assert.equal(op.error?.code, Code.INVALID_ARGUMENT);
    assert.equal(callsFor(g.refreshToken).length, 2);
    const mark = `[${fingerprint(g.refreshToken)}]`;
    assert.ok(op.error?.message.includes(mark), op.error?.message);
    assert.equal(oauthDetail(op)?.error_description, `token ${mark} is malformed`);
    assert.ok(!JSON.stringify(op).includes(g.refreshToken));
    // Positive control for the log check below: the retried failure was logged, scrubbed.
    assert.ok(workerLogs.some((l) => l.includes(`${mark} for [${fingerprint(secrets.basic)}]`)));
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
const cliOutput: string[] = [];

function cliEnv(extra: NodeJS.ProcessEnv = {}, s: TestStack = stack): NodeJS.ProcessEnv {
  return stackCliEnv(s, extra);
}

async function cli(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<Run> {
  const { code, stdout, stderr } = await runCliCaptured(args, env, stdin);
  cliOutput.push(stdout, stderr);
  return { code, stdout, stderr };
}

void describe('oauth2: revoke CLI', () => {
  void it('revoke oauth2 --token-stdin --token-type-hint refresh_token --wait --json', async () => {
    const g = grant('app basic:1');
    const r = await cli(
      ['oauth2', '--token-stdin', '--token-type-hint', 'refresh_token', '--wait', '--json'],
      cliEnv(),
      g.refreshToken,
    );
    assert.equal(r.code, 0, r.stderr);
    const op = JSON.parse(r.stdout) as RevokeTokensOperation;
    operations.push(op);
    assert.equal(op.done, true);
    assert.equal(op.response?.revoked, true);
    assert.equal(op.response?.tokenFingerprint, fingerprint(g.refreshToken));
    assert.equal(op.metadata.target, `refresh token ${fingerprint(g.refreshToken)}`);
    assert.equal(emu.isActive(g.accessToken), false);
  });

  void it('--token-env with --connection; a failed revocation exits 1 with the code on stderr', async () => {
    const g = grant('app-post');
    const ok = await cli(
      ['oauth2', '--connection', 'post', '--token-env', 'MY_TOKEN', '--wait'],
      cliEnv({ MY_TOKEN: g.refreshToken }),
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(emu.isActive(g.refreshToken), false);
    const h = grant('app basic:1');
    const bad = await cli(
      ['oauth2', '--connection', 'wrong-basic', '--token-env', 'MY_TOKEN', '--wait'],
      cliEnv({ MY_TOKEN: h.refreshToken }),
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /UNAUTHENTICATED/);
  });

  void it('refuses a token on the command line, a missing token and a bad hint, naming the flag (exit 2)', async () => {
    const inline = `inline-${randomUUID()}`;
    usedTokens.push(inline);
    const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv; flag: RegExp }> = [
      { args: ['oauth2', '--token', inline], flag: /--token\b.*--token-stdin/ },
      { args: ['oauth2', '--wait'], flag: /--token-stdin/ },
      { args: ['oauth2', '--token-stdin', '--token-env', 'T'], flag: /--token-env/ },
      { args: ['oauth2', '--token-env', 'UNSET_VAR'], flag: /--token-env.*UNSET_VAR/ },
      {
        args: ['oauth2', '--token-env', 'T', '--token-type-hint', 'id_token'],
        env: { T: inline },
        flag: /--token-type-hint/,
      },
      { args: ['oauth2', '--token-env', 'T', '--timeout', '5s'], env: { T: inline }, flag: /--timeout/ },
    ];
    for (const c of cases) {
      const r = await cli(c.args, { TEMPORAL_ADDRESS: '127.0.0.1:1', ...c.env });
      assert.equal(r.code, 2, `${c.args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, c.flag);
      assert.ok(!r.stderr.includes(inline));
    }
  });

  void it('--help shows the flags and examples', async () => {
    const r = await cli(['oauth2', '--help'], {});
    assert.equal(r.code, 0);
    for (const text of ['--token-stdin', '--token-env', '--token-type-hint', '--connection', 'Examples:']) {
      assert.ok(r.stdout.includes(text), text);
    }
    assert.ok(!/--token \[value\]/.test(r.stdout));
  });
});

void describe('oauth2: connection configuration', () => {
  const base = { clientId: 'c', clientSecret: 'x-secret-value' };
  const cases: Array<{ name: string; config: Record<string, unknown>; field: string; text: RegExp }> = [
    { name: 'no server', config: { ...base }, field: 'issuer', text: /revocationEndpoint/ },
    {
      name: 'http without allowInsecureRequests',
      config: { ...base, issuer: 'http://127.0.0.1:1' },
      field: 'issuer',
      text: /allowInsecureRequests/,
    },
    {
      name: 'endpoint and discovery',
      config: { ...base, revocationEndpoint: 'https://as.example/revoke', discovery: 'oidc' },
      field: 'discovery',
      text: /not both/,
    },
    {
      name: 'secret method without a secret',
      config: { clientId: 'c', issuer: 'https://as.example', clientAuthMethod: 'client_secret_post' },
      field: 'clientSecret',
      text: /needs clientSecret/,
    },
    {
      name: 'key options with a secret method',
      config: {
        ...base,
        issuer: 'https://as.example',
        privateKeyAlg: 'ES256',
        clientAuthMethod: 'client_secret_basic',
      },
      field: 'privateKeyAlg',
      text: /only applies to private_key_jwt/,
    },
  ];
  for (const c of cases) {
    void it(`${c.name}: refused, naming oauth2.<name>.${c.field}`, () => {
      const parsed = connectionsConfig.safeParse({ oauth2: { prod: c.config } });
      assert.equal(parsed.success, false);
      const issue = parsed.error?.issues.find((i) => i.path.join('.') === `oauth2.prod.${c.field}`);
      assert.ok(issue, JSON.stringify(parsed.error?.issues));
      assert.match(issue.message, c.text);
      assert.ok(!JSON.stringify(parsed.error?.issues).includes('x-secret-value'));
    });
  }
});

void describe('oauth2: npm start demo', () => {
  void it('every printed example succeeds against the demo emulator', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'oauth2-demo-'));
    const demo = await startDemo(dataDir);
    const demoStack = await createTestStack({}, { connections: { oauth2: demo.connections as never } });
    try {
      await demoStack.startWorker();
      assert.equal(demo.provider, 'oauth2');
      assert.ok(demo.examples.length >= 2);
      for (const example of demo.examples) {
        // `... < 'file'` as a shell runs it: the token arrives on stdin, never in argv.
        const m = /^(.*) < '([^']+)'$/.exec(example);
        assert.ok(m, example);
        const [, args = '', file = ''] = m;
        const token = readFileSync(file, 'utf8');
        usedTokens.push(token);
        const r = await cli([...args.split(' '), '--json'], cliEnv({}, demoStack), token);
        assert.equal(r.code, 0, `${example}\n${r.stderr}`);
        const op = JSON.parse(r.stdout) as RevokeTokensOperation;
        assert.equal(op.done, true);
        assert.equal(op.response?.revoked, true);
        assert.equal(op.response?.tokenFingerprint, fingerprint(token));
      }
    } finally {
      await demoStack.close();
      await demo.close();
    }
  });
});

void describe('oauth2: secrets', () => {
  void it('no token, client secret or private key in plain text in histories, worker logs, operations or CLI output', async () => {
    const der = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'der' });
    const pemBodyLines = [ec, ed, rsa].flatMap(({ privateKey }) =>
      pem(privateKey, 'pkcs8')
        .split('\n')
        .filter((l) => l.length >= 40),
    );
    const forbidden = [
      ...usedTokens,
      secrets.basic,
      secrets.post,
      secrets.wrong,
      encodeURIComponent(secrets.basic),
      ...pemBodyLines,
      ...[ec, ed, rsa].map(({ privateKey }) => der(privateKey).toString('base64').slice(0, 60)),
    ];
    assert.ok(operations.length >= 20, `scenarios ran: ${operations.length}`);
    assert.ok(usedTokens.length >= 20);
    const histories = await Promise.all(
      operations.map(async (op) => historyBytes(await fetchHistory(stack.temporal, op.id).catch(() => ({})))),
    );
    const corpora: Array<[string, string]> = [
      ['worker logs', workerLogs.join('\n')],
      ['operations', JSON.stringify(operations)],
      ['CLI output', cliOutput.join('\n')],
      ['histories', Buffer.concat(histories).toString('latin1')],
    ];
    for (const [name, text] of corpora) {
      for (const secret of forbidden)
        assert.ok(!text.includes(secret), `${name} contain a secret (${fingerprint(secret)})`);
    }
    // Positive controls: each corpus is the real thing and the check can see into it.
    assert.ok(corpora[0]?.[1].includes('oauth2RevokeToken'));
    assert.ok(usedTokens.some((t) => corpora[1]?.[1].includes(fingerprint(t))));
    assert.ok(corpora[2]?.[1].includes('tokenFingerprint'));
    assert.ok(corpora[3]?.[1].includes('oauth2RevokeToken'));
    assert.ok(corpora[3]?.[1].includes(operations[0]?.id ?? '(none)'));
  });
});
