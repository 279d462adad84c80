import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import {
  Code,
  fingerprint,
  type AuthleteIdTokenReissueResponse,
  type AuthleteTokenCreateResponse,
  type AuthleteTokenList,
  type AuthleteTokenUpdateResponse,
  type RevokeTokensOperation,
} from '../api';
import { AuthleteTokens } from '../client/authlete-tokens';
import { AuthleteCallFailedError } from '../client/errors';
import { AesGcmPayloadCodec } from '../common/payload-codec';
import {
  authleteTokenHash,
  DEFAULT_SERVICE_ACCESS_TOKEN,
  DEFAULT_SERVICE_ID,
  startAuthleteEmulator,
  type AuthleteEmulator,
} from '../emulators/authlete';
import { demoTokens } from '../emulators/authlete/demo';
import { runCliCaptured, stackCliEnv, type CliRun } from './helpers/cli';
import { fetchHistory, historyBytes, recordHistory } from './helpers/history';
import { describeHit, scanCorpus, secretNeedles, type Secret } from './helpers/secret-scan';
import { createTestStack, workerLogs, type TestStack } from './helpers/stack';

/**
 * Authlete's six token-management calls from the CLI and the client library, through the workers
 * (the CLI holds no Authlete credential), against the emulator `npm start` runs with its demo data.
 * Every token the calls create, rotate or reissue is collected and looked for, at the end, in the
 * raw histories (no codec) and the worker logs.
 */

const S = DEFAULT_SERVICE_ID;
let emu: AuthleteEmulator;
let stack: TestStack;
let tokens: AuthleteTokens;
/** New token values seen in answers; none may appear in plain text outside encrypted payloads. */
const newSecrets: Secret[] = [];

before(async () => {
  emu = await startAuthleteEmulator({ tokens: demoTokens });
  stack = await createTestStack(
    {},
    {
      connections: {
        authlete: { default: { baseUrl: emu.baseUrl, serviceAccessToken: DEFAULT_SERVICE_ACCESS_TOKEN } },
      },
    },
  );
  await stack.startWorker();
  tokens = new AuthleteTokens(stack.client);
});

after(async () => {
  await stack?.close();
  await emu?.close();
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}, stdin = ''): Promise<CliRun> {
  return runCliCaptured(args, stackCliEnv(stack, env), stdin);
}

function ok(r: CliRun, what: string): CliRun {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r;
}

const live = (subject: string) => emu.tokens(S).filter((t) => t.subject === subject);

/** Creates a token through the CLI and returns its values (asked for with --show-token). */
async function createByCli(subject: string, scopes: string[]): Promise<AuthleteTokenCreateResponse> {
  const r = ok(
    await cli([
      'authlete-tokens',
      'create',
      '--service-id',
      S,
      '--grant-type',
      'AUTHORIZATION_CODE',
      '--client-identifier',
      'demo-app',
      '--subject',
      subject,
      ...scopes.flatMap((s) => ['--scope', s]),
      '--json',
      '--show-token',
    ]),
    'create',
  );
  const created = JSON.parse(r.stdout) as AuthleteTokenCreateResponse;
  assert.ok(created.accessToken && created.refreshToken);
  newSecrets.push(
    { label: `${subject} access token`, value: created.accessToken },
    { label: `${subject} refresh token`, value: created.refreshToken },
  );
  return created;
}

void describe('Authlete token management from the CLI', () => {
  void it('list: one page of hashes, with the paging and the filters', async () => {
    const page = ok(
      await cli(['authlete-tokens', 'list', '--service-id', S, '--subject', 'alice', '--page-size', '2']),
      'list',
    );
    assert.match(page.stdout, /^ACCESS TOKEN HASH +SUBJECT +CLIENT/m);
    assert.ok(page.stdout.includes(authleteTokenHash('demo-at-1')));
    assert.match(page.stdout, /^1-2 of 3 token\(s\); next page: --start 2$/m);
    assert.ok(!page.stdout.includes('demo-at-'), 'the list shows hashes, never values');

    const app = JSON.parse(
      ok(
        await cli([
          'authlete-tokens',
          'list',
          '--service-id',
          S,
          '--subject',
          'alice',
          '--client-identifier',
          'demo-app',
          '--json',
        ]),
        'list --json',
      ).stdout,
    ) as AuthleteTokenList;
    assert.equal(app.totalCount, 2);
    assert.deepEqual(
      app.accessTokens.map((t) => t.accessTokenHash).sort(),
      [authleteTokenHash('demo-at-1'), authleteTokenHash('demo-at-2')].sort(),
    );
    assert.ok(app.accessTokens.every((t) => t.subject === 'alice'));
  });

  void it('revoke: --preview lists what a by-client-and-subject revoke would hit, then the revoke hits exactly that', async () => {
    const revokesBefore = emu.requestsOf('revoke', S).length;
    const args = ['authlete', '--service-id', S, '--client-identifier', 'demo-app', '--subject', 'bob'];
    const human = ok(await cli([...args, '--preview']), 'preview');
    assert.match(human.stdout, /^preview: revoke would hit 2 token\(s\) now \(nothing was revoked\)$/m);
    const preview = JSON.parse(ok(await cli([...args, '--preview', '--json']), 'preview --json').stdout) as {
      totalCount: number;
      tokens: Array<{ accessTokenHash: string }>;
    };
    assert.equal(emu.requestsOf('revoke', S).length, revokesBefore, 'a preview revokes nothing');
    assert.equal(live('bob').length, 2);

    const revoked = JSON.parse(
      ok(await cli([...args, '--wait', '--json']), 'revoke').stdout,
    ) as RevokeTokensOperation;
    assert.equal(revoked.response?.revokedCount, preview.totalCount);
    assert.deepEqual(
      emu
        .removed(S)
        .filter((t) => t.subject === 'bob')
        .map((t) => t.accessTokenHash)
        .sort(),
      preview.tokens.map((t) => t.accessTokenHash).sort(),
    );
    assert.equal(live('bob').length, 0);

    const byToken = await cli([
      'authlete',
      '--service-id',
      S,
      '--access-token-hash',
      authleteTokenHash('demo-at-3'),
      '--preview',
    ]);
    assert.equal(byToken.code, 2);
    assert.match(byToken.stderr, /--preview: previews a revoke by --client-identifier and\/or --subject/);
  });

  void it('create: prints fingerprints, the values only with --show-token', async () => {
    const human = ok(
      await cli([
        'authlete-tokens',
        'create',
        '--service-id',
        S,
        '--grant-type',
        'AUTHORIZATION_CODE',
        '--client-identifier',
        'demo-app',
        '--subject',
        'erin',
        '--scope',
        'openid',
        '--scope',
        'email',
      ]),
      'create',
    );
    const [made] = live('erin');
    assert.ok(made?.refreshToken);
    newSecrets.push(
      { label: 'erin access token', value: made.accessToken },
      { label: 'erin refresh token', value: made.refreshToken },
    );
    assert.match(
      human.stdout,
      new RegExp(
        `^access token +${fingerprint(made.accessToken)} \\(fingerprint; --show-token prints the value\\)$`,
        'm',
      ),
    );
    assert.match(human.stdout, new RegExp(`^refresh token +${fingerprint(made.refreshToken)}$`, 'm'));
    const createId = /^operation +(authlete-create-[0-9a-f-]{36})$/m.exec(human.stdout)?.[1];
    assert.ok(createId, human.stdout);
    recordHistory('authlete-token-call-create', await fetchHistory(stack.temporal, createId));
    // `get` reads the call like any operation, and has no --show-token: fingerprints only.
    const got = ok(await cli(['get', createId, '--json']), 'get');
    const result = (JSON.parse(got.stdout) as { response: { result: AuthleteTokenCreateResponse } }).response
      .result;
    assert.equal(result.accessToken, fingerprint(made.accessToken));
    assert.equal(result.refreshToken, fingerprint(made.refreshToken));
    assert.deepEqual(result.scopes, ['openid', 'email']);
    assert.deepEqual(made.scopes, ['openid', 'email']);
    for (const v of [made.accessToken, made.refreshToken])
      assert.ok(!(human.stdout + human.stderr).includes(v));

    const redactedJson = JSON.parse(
      ok(
        await cli([
          'authlete-tokens',
          'create',
          '--service-id',
          S,
          '--grant-type',
          'CLIENT_CREDENTIALS',
          '--client-identifier',
          'demo-cli',
          '--json',
        ]),
        'create --json',
      ).stdout,
    ) as AuthleteTokenCreateResponse;
    assert.match(redactedJson.accessToken ?? '', /^sha256:[0-9a-f]{16}$/);

    const shown = await createByCli('frank', ['openid']);
    assert.equal(live('frank')[0]?.accessToken, shown.accessToken);
  });

  void it('create with --request-id: a repeat returns the same token, a different request is refused', async () => {
    const args = (subject: string) => [
      'authlete-tokens',
      'create',
      '--service-id',
      S,
      '--grant-type',
      'AUTHORIZATION_CODE',
      '--client-identifier',
      'demo-app',
      '--subject',
      subject,
      '--request-id',
      'onboard-mallory-1',
      '--json',
      '--show-token',
    ];
    const first = JSON.parse(ok(await cli(args('mallory')), 'create').stdout) as AuthleteTokenCreateResponse;
    const again = JSON.parse(
      ok(await cli(args('mallory')), 'create again').stdout,
    ) as AuthleteTokenCreateResponse;
    assert.ok(first.accessToken && first.refreshToken);
    newSecrets.push(
      { label: 'mallory access token', value: first.accessToken },
      { label: 'mallory refresh token', value: first.refreshToken },
    );
    assert.equal(again.accessToken, first.accessToken);
    assert.equal(live('mallory').length, 1, 'one token, not two');
    const other = await cli(args('niaj'));
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /ALREADY_EXISTS.*--request-id/);
    assert.equal(live('niaj').length, 0);
  });

  void it('update: fewer scopes (a partial revocation), and a rotated value', async () => {
    const created = await createByCli('grace', ['openid', 'email', 'payments']);
    const narrowed = ok(
      await cli(
        ['authlete-tokens', 'update', '--service-id', S, '--access-token-env', 'AT', '--scope', 'openid'],
        {
          AT: created.accessToken,
        },
      ),
      'update scopes',
    );
    assert.deepEqual(live('grace')[0]?.scopes, ['openid']);
    assert.match(narrowed.stdout, /^scopes +openid$/m);
    assert.ok(!narrowed.stdout.includes(created.accessToken ?? '-'), 'the echoed value is a fingerprint');

    const rotated = JSON.parse(
      ok(
        await cli([
          'authlete-tokens',
          'update',
          '--service-id',
          S,
          '--access-token-hash',
          authleteTokenHash(created.accessToken ?? ''),
          '--rotate',
          '--json',
          '--show-token',
        ]),
        'update --rotate',
      ).stdout,
    ) as AuthleteTokenUpdateResponse;
    assert.ok(rotated.accessToken && rotated.accessToken !== created.accessToken);
    newSecrets.push({ label: 'grace rotated access token', value: rotated.accessToken });
    assert.equal(live('grace')[0]?.accessToken, rotated.accessToken);

    const gone = await cli(
      ['authlete-tokens', 'update', '--service-id', S, '--access-token-env', 'AT', '--scope', 'openid'],
      {
        AT: created.accessToken,
      },
    );
    assert.equal(gone.code, 1, 'the old value no longer exists');
    assert.match(gone.stderr, /^error: Authlete update failed: .*(404|NOT_FOUND)/m);
    assert.ok(!gone.stderr.includes(created.accessToken ?? '-'));

    const onArgv = await cli([
      'authlete-tokens',
      'update',
      '--service-id',
      S,
      '--access-token',
      'tok-on-argv-123',
      '--scope',
      'a',
    ]);
    assert.equal(onArgv.code, 2);
    assert.match(onArgv.stderr, /--access-token: a token is never accepted on the command line/);
    assert.ok(!onArgv.stderr.includes('tok-on-argv-123'));
  });

  void it('delete: one access token, as a revokeTokens operation', async () => {
    const created = await createByCli('heidi', ['openid']);
    const r = ok(
      await cli(
        [
          'authlete',
          '--service-id',
          S,
          '--action',
          'delete',
          '--access-token-identifier-env',
          'AT',
          '--wait',
          '--json',
        ],
        {
          AT: created.accessToken,
        },
      ),
      'delete',
    );
    const op = JSON.parse(r.stdout) as RevokeTokensOperation;
    assert.equal(op.response?.deleted, true);
    assert.equal(live('heidi').length, 0);
    assert.equal(emu.removed(S).find((t) => t.subject === 'heidi')?.removedBy, 'delete');
  });

  void it('reissue: needs the ID_TOKEN_REISSUABLE token response, and shows the ID token as a fingerprint', async () => {
    const created = await createByCli('ivan', ['openid', 'profile']);
    const tokenResponse = {
      resultCode: 'A056001',
      action: 'ID_TOKEN_REISSUABLE',
      accessToken: created.accessToken,
      refreshToken: created.refreshToken,
    };
    const reissuesBefore = emu.requestsOf('reissue', S).length;
    const wrong = await cli(
      ['authlete-tokens', 'reissue', '--service-id', S, '--token-response-stdin'],
      {},
      JSON.stringify({ ...tokenResponse, action: 'OK' }),
    );
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /request\.tokenResponse\.action: must be "ID_TOKEN_REISSUABLE"/);
    assert.equal(emu.requestsOf('reissue', S).length, reissuesBefore, 'refused before any call');

    const human = ok(
      await cli(['authlete-tokens', 'reissue', '--service-id', S, '--token-response-env', 'TR'], {
        TR: JSON.stringify(tokenResponse),
      }),
      'reissue',
    );
    assert.match(
      human.stdout,
      /^id token +sha256:[0-9a-f]{16} \(fingerprint; --show-token prints the value\)$/m,
    );

    const shown = JSON.parse(
      ok(
        await cli(
          [
            'authlete-tokens',
            'reissue',
            '--service-id',
            S,
            '--token-response-stdin',
            '--sub',
            'ivan@example',
            '--json',
            '--show-token',
          ],
          {},
          JSON.stringify(tokenResponse),
        ),
        'reissue --show-token',
      ).stdout,
    ) as AuthleteIdTokenReissueResponse;
    assert.ok(shown.idToken && shown.responseContent);
    newSecrets.push(
      { label: 'ivan ID token', value: shown.idToken },
      { label: 'ivan token response', value: shown.responseContent },
    );
    const claims = JSON.parse(Buffer.from(shown.idToken.split('.')[1] ?? '', 'base64url').toString()) as {
      sub: string;
    };
    assert.equal(claims.sub, 'ivan@example');
    assert.ok(!human.stdout.includes(shown.idToken.slice(0, 40)));
  });
});

void describe('Authlete token management: bad input', () => {
  void it('exits 2 naming the flag or field, and calls nothing', async () => {
    const before = emu.requests.length;
    const cases: Array<[string[], RegExp]> = [
      [['list', '--subject', 'alice'], /--service-id: is required/],
      [['list', '--service-id', S, '--page-size', '5000'], /--page-size.*must be an integer from 1 to 1000/],
      [['create', '--service-id', S, '--client-identifier', 'demo-app'], /--grant-type: is required/],
      [
        ['create', '--service-id', S, '--grant-type', 'PASSWORD', '--client-identifier', 'demo-app'],
        /request\.subject: is required for grant type PASSWORD/,
      ],
      [
        ['create', '--service-id', S, '--grant-type', 'MAGIC', '--client-identifier', 'x', '--subject', 'a'],
        /request\.grantType: must be one of/,
      ],
      [
        ['update', '--service-id', S, '--access-token-hash', 'x'.repeat(43)],
        /request\.scopes: nothing to change/,
      ],
      [['update', '--service-id', S, '--scope', 'openid'], /--access-token-hash: which token/],
      [['reissue', '--service-id', S], /--token-response-stdin: the \/auth\/token answer/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['authlete-tokens', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    const notJson = await cli(
      ['authlete-tokens', 'reissue', '--service-id', S, '--token-response-env', 'TR'],
      {
        TR: '{"accessToken": "tok-in-bad-json-123"',
      },
    );
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /--token-response-env: is not the JSON of an \/auth\/token answer/);
    assert.ok(!notJson.stderr.includes('tok-in-bad-json-123'));
    assert.equal(emu.requests.length, before, 'nothing reached Authlete');
  });
});

void describe('Authlete token management from the client library', () => {
  void it("create, list, update and reissue return Authlete's answers; refusals are AuthleteCallFailedError", async () => {
    const created = await tokens.create(
      { serviceId: S },
      { grantType: 'PASSWORD', clientIdentifier: 'demo-cli', subject: 'judy', scopes: ['openid'] },
    );
    assert.ok(created.accessToken && created.refreshToken);
    newSecrets.push(
      { label: 'judy access token', value: created.accessToken },
      { label: 'judy refresh token', value: created.refreshToken },
    );
    let failedUpdate = '';
    const listed = await tokens.list({ serviceId: S }, { subject: 'judy' });
    assert.deepEqual(
      listed.accessTokens.map((t) => t.accessTokenHash),
      [authleteTokenHash(created.accessToken)],
    );
    const preview = await tokens.previewRevoke({ serviceId: S, subject: 'judy' });
    assert.deepEqual(preview, { totalCount: 1, tokens: listed.accessTokens, truncated: false });
    const reissued = await tokens.reissueIdToken(
      { serviceId: S },
      {
        tokenResponse: {
          action: 'ID_TOKEN_REISSUABLE',
          accessToken: created.accessToken,
          refreshToken: created.refreshToken,
        },
      },
    );
    assert.ok(reissued.idToken);
    newSecrets.push({ label: 'judy ID token', value: reissued.idToken });

    await assert.rejects(
      tokens.update({ serviceId: S }, { accessTokenHash: 'x'.repeat(43), scopes: ['openid'] }),
      (err: unknown) =>
        err instanceof AuthleteCallFailedError &&
        err.code === Code.NOT_FOUND &&
        err.operation.done &&
        err.operation.id.startsWith('authlete-update-') &&
        Boolean((failedUpdate = err.operation.id)),
    );
    recordHistory('authlete-token-call-update-not-found', await fetchHistory(stack.temporal, failedUpdate));
    await assert.rejects(
      tokens.create(
        { serviceId: S },
        { grantType: 'PASSWORD', clientIdentifier: 'no-such-client', subject: 'judy' },
      ),
      (err: unknown) => err instanceof AuthleteCallFailedError && err.code === Code.INVALID_ARGUMENT,
    );
    const op = await tokens.revoke({ serviceId: S }, { subject: 'judy' });
    const done = await stack.client.wait(op.id, { timeout: 30_000 });
    assert.equal(done.response?.revokedCount, 1);
    // Each call is an operation like any other: `get` reads it.
    const [listId] = (await callIds()).filter((id) => id.startsWith('authlete-list-'));
    const got = await stack.client.get(listId ?? 'none');
    assert.equal(got.done, true);
    assert.equal((got.metadata as { call?: string }).call, 'list');
  });

  void it('new tokens appear in no raw history (without the codec) and no worker log line', async () => {
    assert.ok(newSecrets.length >= 10, `collected ${newSecrets.length} new token values`);
    const ids = await callIds();
    assert.ok(ids.length >= 10, `found ${ids.length} executions`);
    const histories = await Promise.all(
      ids.map(async (id) => ({ id, history: await fetchHistory(stack.temporal, id) })),
    );
    const corpus = {
      name: 'histories and worker logs',
      sources: [
        ...histories.map(({ id, history }) => ({ source: `history ${id}`, bytes: historyBytes(history) })),
        { source: 'worker logs', bytes: Buffer.from(workerLogs.join('\n')) },
      ],
    };
    const result = scanCorpus(corpus, secretNeedles(newSecrets));
    assert.deepEqual(result.hits.map(describeHit), []);

    // Positive control: the tokens are in those histories, encrypted; the codec finds them.
    const codec = new AesGcmPayloadCodec(stack.keyring);
    const created = newSecrets.find((s) => s.label === 'judy access token');
    let decodedAll = '';
    for (const { history } of histories) {
      for (const e of history.events ?? []) {
        const payloads = e.workflowExecutionCompletedEventAttributes?.result?.payloads ?? [];
        const decoded = await codec.decode(payloads.map((p) => temporal.api.common.v1.Payload.create(p)));
        decodedAll += decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString()).join('\n');
      }
    }
    assert.ok(
      created && decodedAll.includes(String(created.value)),
      'the decoded results hold the created token',
    );
  });
});

/** Every authleteTokenCall and revokeTokens execution of this file's task queue. */
async function callIds(): Promise<string[]> {
  const ids: string[] = [];
  const query = `TaskQueue = '${stack.taskQueue}'`;
  for await (const w of stack.temporal.workflow.list({ query })) ids.push(w.workflowId);
  return ids;
}
