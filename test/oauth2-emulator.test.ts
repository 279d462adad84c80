import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fingerprint } from '../api';
import { startOAuth2Emulator, type OAuth2Emulator } from '../emulators/oauth2';
import { jwtBearerAssertionType } from '../emulators/oauth2/client-auth';

// The emulator on its own, over raw HTTP: the RFC 7009 / RFC 7662 / RFC 7523 rules the adapter tests rely on.

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function assertion(claims: Record<string, unknown>, key: KeyObject = ec.privateKey): string {
  const input = `${b64url({ alg: 'ES256', typ: 'JWT' })}.${b64url(claims)}`;
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

let emu: OAuth2Emulator;
before(async () => {
  emu = await startOAuth2Emulator({
    issuerPath: '/t/1',
    clients: [
      {
        clientId: 'jwt',
        authMethod: 'private_key_jwt',
        publicKeyPem: ec.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      },
      { clientId: 'post', authMethod: 'client_secret_post', clientSecret: 'post-secret' },
      { clientId: 'public', authMethod: 'none' },
    ],
  });
});
after(() => emu.close());

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'jwt',
    sub: 'jwt',
    aud: emu.issuer,
    iat: now,
    exp: now + 60,
    jti: randomUUID(),
    ...overrides,
  };
}

async function post(form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(emu.revocationEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  return {
    status: res.status,
    wwwAuthenticate: res.headers.get('www-authenticate'),
    body: text ? (JSON.parse(text) as { error?: string; error_description?: string }) : undefined,
  };
}

const jwtForm = (token: string, jwt: string) => ({
  token,
  client_assertion_type: jwtBearerAssertionType,
  client_assertion: jwt,
});

void describe('oauth2 emulator: private_key_jwt (RFC 7523 §3)', () => {
  void it('accepts a valid assertion once; a replayed jti is invalid_client', async () => {
    const g = emu.issueGrant('jwt');
    const jwt = assertion(claims());
    assert.equal((await post(jwtForm(g.accessToken, jwt))).status, 200);
    assert.equal(emu.isActive(g.accessToken), false);
    const replay = await post(jwtForm(g.refreshToken, jwt));
    assert.equal(replay.status, 401);
    assert.equal(replay.body?.error, 'invalid_client');
    assert.match(replay.body?.error_description ?? '', /replay/);
    assert.equal(replay.wwwAuthenticate, null, 'no WWW-Authenticate without the Authorization header');
    assert.equal(emu.isActive(g.refreshToken), true);
  });

  const bad: Array<[string, () => string, RegExp]> = [
    ['a foreign audience', () => assertion(claims({ aud: 'https://elsewhere.example' })), /aud/],
    [
      "another server's token endpoint as audience",
      () => assertion(claims({ aud: ['https://x.example/token'] })),
      /aud/,
    ],
    ['an expired assertion', () => assertion(claims({ exp: Math.floor(Date.now() / 1000) - 60 })), /expired/],
    ['iat in the future', () => assertion(claims({ iat: Math.floor(Date.now() / 1000) + 600 })), /iat/],
    ['sub differing from iss', () => assertion(claims({ sub: 'someone-else' })), /iss and sub/],
    ['another key', () => assertion(claims(), otherEc.privateKey), /signature/],
    ['no jti', () => assertion(claims({ jti: undefined })), /jti/],
    ['not a JWS', () => 'not.a-jws', /compact JWS|not JSON/],
  ];
  for (const [name, make, text] of bad) {
    void it(`refuses ${name} with 401 invalid_client`, async () => {
      const g = emu.issueGrant('jwt');
      const r = await post(jwtForm(g.refreshToken, make()));
      assert.equal(r.status, 401, JSON.stringify(r.body));
      assert.equal(r.body?.error, 'invalid_client');
      assert.match(r.body?.error_description ?? '', text);
      assert.equal(emu.isActive(g.refreshToken), true);
    });
  }

  void it('accepts the revocation endpoint as audience', async () => {
    const g = emu.issueGrant('jwt');
    assert.equal(
      (await post(jwtForm(g.refreshToken, assertion(claims({ aud: [emu.revocationEndpoint] }))))).status,
      200,
    );
  });
});

void describe('oauth2 emulator: RFC 7009 and RFC 6749 rules', () => {
  void it('two authentication methods in one request are invalid_request (RFC 6749 §2.3)', async () => {
    const basic = `Basic ${Buffer.from('post:post-secret').toString('base64')}`;
    const r = await post(
      { token: 't', client_id: 'post', client_secret: 'post-secret' },
      { authorization: basic },
    );
    assert.equal(r.status, 400);
    assert.equal(r.body?.error, 'invalid_request');
  });

  void it('a method the client is not registered for is invalid_client; with Basic, 401 + WWW-Authenticate', async () => {
    const basic = `Basic ${Buffer.from('post:post-secret').toString('base64')}`;
    const r = await post({ token: 't' }, { authorization: basic });
    assert.equal(r.status, 401);
    assert.equal(r.body?.error, 'invalid_client');
    assert.match(r.wwwAuthenticate ?? '', /^Basic /);
  });

  void it('no client authentication is invalid_client', async () => {
    const r = await post({ token: 't' });
    assert.equal(r.status, 401);
    assert.equal(r.body?.error, 'invalid_client');
  });

  void it('a public client (none) may revoke its own tokens', async () => {
    const g = emu.issueGrant('public');
    assert.equal((await post({ token: g.refreshToken, client_id: 'public' })).status, 200);
    assert.equal(emu.isActive(g.accessToken), false);
  });

  void it('missing token is invalid_request; an unregistered hint is unsupported_token_type', async () => {
    const auth = { client_id: 'post', client_secret: 'post-secret' };
    assert.equal((await post(auth)).body?.error, 'invalid_request');
    const r = await post({ ...auth, token: 'x', token_type_hint: 'id_token' });
    assert.equal(r.status, 400);
    assert.equal(r.body?.error, 'unsupported_token_type');
  });

  void it('unknown and already revoked tokens get 200 (§2.2)', async () => {
    const auth = { client_id: 'post', client_secret: 'post-secret' };
    const g = emu.issueGrant('post');
    assert.equal((await post({ ...auth, token: 'never-issued' })).status, 200);
    assert.equal((await post({ ...auth, token: g.refreshToken })).status, 200);
    assert.equal((await post({ ...auth, token: g.refreshToken })).status, 200);
    const calls = emu.requestsTo('revocation').slice(-2);
    assert.deepEqual(
      calls.map((c) => c.revoked?.length ?? 0),
      [2, 0],
    );
  });

  void it('foreign tokens: refused by default, ignored (200, no change) when configured', async () => {
    const auth = { client_id: 'post', client_secret: 'post-secret' };
    const g = emu.issueGrant('public');
    assert.equal((await post({ ...auth, token: g.refreshToken })).body?.error, 'invalid_grant');
    emu.configure({ foreignTokens: 'ignore' });
    try {
      assert.equal((await post({ ...auth, token: g.refreshToken })).status, 200);
      assert.equal(emu.isActive(g.refreshToken), true);
    } finally {
      emu.configure({ foreignTokens: 'refuse' });
    }
  });

  void it('accessTokenRevokesGrant: an access token takes its refresh token along', async () => {
    const auth = { client_id: 'post', client_secret: 'post-secret' };
    const g = emu.issueGrant('post');
    emu.configure({ accessTokenRevokesGrant: true });
    try {
      assert.equal((await post({ ...auth, token: g.accessToken })).status, 200);
      assert.equal(emu.isActive(g.refreshToken), false);
    } finally {
      emu.configure({ accessTokenRevokesGrant: false });
    }
  });

  void it('GET on the revocation endpoint is 405; the request log records every request with its time', async () => {
    const res = await fetch(emu.revocationEndpoint);
    assert.equal(res.status, 405);
    const last = emu.requests.at(-1);
    assert.equal(last?.method, 'GET');
    assert.equal(last?.status, 405);
    assert.ok(typeof last?.at === 'number' && Date.now() - last.at < 5000);
  });

  void it('serves both discovery documents with the revocation metadata', async () => {
    for (const url of [emu.oauthDiscoveryUrl, emu.oidcDiscoveryUrl]) {
      const doc = (await (await fetch(url)).json()) as Record<string, unknown>;
      assert.equal(doc.issuer, emu.issuer);
      assert.equal(doc.revocation_endpoint, emu.revocationEndpoint);
      assert.deepEqual(doc.revocation_endpoint_auth_methods_supported, [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'none',
      ]);
    }
    assert.match(emu.oauthDiscoveryUrl, /\/\.well-known\/oauth-authorization-server\/t\/1$/);
    assert.match(emu.oidcDiscoveryUrl, /\/t\/1\/\.well-known\/openid-configuration$/);
  });
});

void describe('oauth2 emulator: RFC 7662 introspection and the keep-token fault', () => {
  const introspect = async (form: Record<string, string>) => {
    const res = await fetch(emu.introspectionEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const asPost = { client_id: 'post', client_secret: 'post-secret' };

  void it('is advertised by both discovery documents, with its auth methods', async () => {
    for (const url of [emu.oauthDiscoveryUrl, emu.oidcDiscoveryUrl]) {
      const doc = (await (await fetch(url)).json()) as Record<string, unknown>;
      assert.equal(doc.introspection_endpoint, emu.introspectionEndpoint);
      assert.ok(
        (doc.introspection_endpoint_auth_methods_supported as string[]).includes('client_secret_post'),
      );
    }
  });

  void it('active: the claims; revoked, expired, unknown: {"active": false} and nothing else', async () => {
    const g = emu.issueGrant('post', 'alice');
    const active = await introspect({ ...asPost, token: g.accessToken, token_type_hint: 'access_token' });
    assert.equal(active.status, 200);
    assert.equal(active.body.active, true);
    assert.equal(active.body.client_id, 'post');
    assert.equal(active.body.sub, 'alice');
    assert.equal(active.body.token_type, 'Bearer');
    assert.equal(active.body.iss, emu.issuer);
    // The hint is only a hint (RFC 7662 §2.1): a refresh token found under the wrong hint.
    const wrongHint = await introspect({ ...asPost, token: g.refreshToken, token_type_hint: 'access_token' });
    assert.equal(wrongHint.body.active, true);
    assert.equal((await post({ ...asPost, token: g.refreshToken })).status, 200);
    const expired = emu.addToken({
      type: 'access_token',
      clientId: 'post',
      expiresAt: new Date(Date.now() - 1000),
    });
    for (const token of [g.accessToken, expired.value, `never-${randomUUID()}`]) {
      assert.deepEqual(await introspect({ ...asPost, token }), { status: 200, body: { active: false } });
    }
  });

  void it('authenticates the caller as revocation does: a wrong secret is 401 invalid_client', async () => {
    const g = emu.issueGrant('post');
    const refused = await introspect({ client_id: 'post', client_secret: 'wrong', token: g.accessToken });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
    assert.equal(refused.body.active, undefined);
  });

  void it('keepToken: the revocation is answered 200 for the next N requests of that token, and nothing is revoked', async () => {
    const g = emu.issueGrant('post');
    const other = emu.issueGrant('post');
    emu.injectFault({
      endpoint: 'revocation',
      status: 200,
      keepToken: true,
      times: 2,
      tokenFingerprint: fingerprint(g.accessToken),
    });
    // Another token's revocation does not consume the fault.
    assert.equal((await post({ ...asPost, token: other.accessToken })).status, 200);
    assert.equal(emu.isActive(other.accessToken), false);
    for (let i = 0; i < 2; i++) {
      assert.equal((await post({ ...asPost, token: g.accessToken })).status, 200);
      assert.equal(emu.isActive(g.accessToken), true);
      assert.equal((await introspect({ ...asPost, token: g.accessToken })).body.active, true);
    }
    const kept = emu
      .requestsTo('revocation')
      .filter((r) => r.tokenFingerprint === fingerprint(g.accessToken));
    assert.deepEqual(
      kept.map((r) => [r.status, r.keptToken, r.revoked]),
      [
        [200, true, undefined],
        [200, true, undefined],
      ],
    );
    // The third revocation is honoured.
    assert.equal((await post({ ...asPost, token: g.accessToken })).status, 200);
    assert.equal(emu.isActive(g.accessToken), false);
  });
});
