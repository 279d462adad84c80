import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Session, errors, waitForOperation } from '@yandex-cloud/nodejs-sdk';
import { refreshToken, refreshTokenService } from '@yandex-cloud/nodejs-sdk/iam-v1';
import { Status } from '@yandex-cloud/nodejs-sdk/google/rpc/status';
import { operation, operationService } from '@yandex-cloud/nodejs-sdk/operation';
import {
  startYandexEmulator,
  type YandexEmulator,
  type YandexEmulatorOptions,
} from '../emulators/yandex-cloud';

const {
  ListRefreshTokensRequest,
  RevokeRefreshTokenRequest,
  RevokeRefreshTokenResponse,
  RevokeRefreshTokenMetadata,
} = refreshTokenService;
const { GetOperationRequest, CancelOperationRequest } = operationService;
const { NO_PROTECTION, INSECURE_KEY_DPOP, SECURE_KEY_DPOP } = refreshToken.RefreshToken_ProtectionLevel;

const ALICE_IAM = 'iam-alice';
const BOB_IAM = 'iam-bob';

/** Alice has five tokens over two clients and two devices; Bob has one, on a client Alice also uses. */
const SEED: YandexEmulatorOptions['tokens'] = [
  {
    id: 'a1',
    subjectId: 'alice',
    clientId: 'web',
    clientInstanceInfo: 'laptop',
    protectionLevel: NO_PROTECTION,
  },
  {
    id: 'a2',
    subjectId: 'alice',
    clientId: 'web',
    clientInstanceInfo: 'phone',
    protectionLevel: SECURE_KEY_DPOP,
  },
  {
    id: 'a3',
    subjectId: 'alice',
    clientId: 'cli',
    clientInstanceInfo: 'laptop',
    protectionLevel: INSECURE_KEY_DPOP,
  },
  {
    id: 'a4',
    subjectId: 'alice',
    clientId: 'cli',
    clientInstanceInfo: 'phone',
    protectionLevel: NO_PROTECTION,
  },
  {
    id: 'a5',
    subjectId: 'alice',
    clientId: 'web',
    clientInstanceInfo: 'laptop',
    protectionLevel: SECURE_KEY_DPOP,
  },
  { id: 'b1', subjectId: 'bob', clientId: 'web', clientInstanceInfo: 'laptop', token: 'bob-secret-value' },
];

interface Harness {
  emu: YandexEmulator;
  session: Session;
  rt: ReturnType<typeof refreshTokenClient>;
  ops: ReturnType<typeof operationClient>;
}

function refreshTokenClient(session: Session, emu: YandexEmulator) {
  return session.client(refreshTokenService.RefreshTokenServiceClient, emu.endpoint);
}

function operationClient(session: Session, emu: YandexEmulator) {
  return session.client(operationService.OperationServiceClient, emu.endpoint);
}

function sessionFor(emu: YandexEmulator, iamToken: string): Session {
  return new Session({ iamToken, ssl: { rootCerts: emu.rootCert }, pollInterval: 10 });
}

async function harness(opts: YandexEmulatorOptions = {}): Promise<Harness> {
  const emu = await startYandexEmulator({
    iamTokens: { [ALICE_IAM]: 'alice', [BOB_IAM]: 'bob' },
    tokens: SEED,
    ...opts,
  });
  const session = sessionFor(emu, ALICE_IAM);
  return { emu, session, rt: refreshTokenClient(session, emu), ops: operationClient(session, emu) };
}

/** Runs fn against a fresh emulator so that revocations in one test cannot leak into another. */
async function withEmulator(opts: YandexEmulatorOptions, fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await harness(opts);
  try {
    await fn(h);
  } finally {
    await h.emu.close();
  }
}

async function rejectsWithCode(
  promise: Promise<unknown>,
  code: number,
  messagePart?: RegExp,
): Promise<Error> {
  const err = await promise.then(
    () => assert.fail(`expected gRPC status ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof Error);
  assert.equal(err.constructor.name, 'ClientError');
  assert.equal((err as Error & { code?: number }).code, code, err.message);
  if (messagePart) assert.match((err as Error & { details?: string }).details ?? '', messagePart);
  return err;
}

function activeIds(emu: YandexEmulator): string[] {
  return emu
    .activeTokens()
    .map((t) => t.id)
    .sort();
}

function decodeRevokedIds(op: operation.Operation): string[] {
  assert.ok(op.response, 'operation has a response');
  assert.equal(op.response.typeUrl, 'type.googleapis.com/yandex.cloud.iam.v1.RevokeRefreshTokenResponse');
  return RevokeRefreshTokenResponse.decode(op.response.value).refreshTokenIds;
}

async function revoke(
  h: Harness,
  request: refreshTokenService.DeepPartial<refreshTokenService.RevokeRefreshTokenRequest>,
) {
  return h.rt.revoke(RevokeRefreshTokenRequest.fromPartial(request));
}

void describe('yandex cloud emulator: authentication', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.emu.close());

  void it('rejects an unknown IAM token with UNAUTHENTICATED and records the call', async () => {
    const rt = refreshTokenClient(sessionFor(h.emu, 'not-a-token'), h.emu);
    await rejectsWithCode(rt.list(ListRefreshTokensRequest.fromPartial({})), 16);
    const [call] = h.emu.callsOf('List');
    assert.equal(call?.failedWith, 16);
    assert.equal(call?.callerSubjectId, undefined);
  });

  void it('identifies the caller from the IAM token', async () => {
    await h.rt.list(ListRefreshTokensRequest.fromPartial({}));
    assert.equal(h.emu.callsOf('List').at(-1)?.callerSubjectId, 'alice');
  });
});

void describe('yandex cloud emulator: List', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.emu.close());

  const list = (req: refreshTokenService.DeepPartial<refreshTokenService.ListRefreshTokensRequest>) =>
    h.rt.list(ListRefreshTokensRequest.fromPartial(req));

  void it('pages through the caller tokens in creation order', async () => {
    const pages: string[][] = [];
    let pageToken = '';
    do {
      const page = await list({ pageSize: 2, pageToken });
      pages.push(page.refreshTokens.map((t) => t.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    assert.deepEqual(pages, [['a1', 'a2'], ['a3', 'a4'], ['a5']]);
  });

  void it('returns the full token shape with dates and protection level', async () => {
    const { refreshTokens, nextPageToken } = await list({});
    assert.equal(nextPageToken, '');
    assert.equal(refreshTokens.length, 5);
    const [first] = refreshTokens;
    assert.equal(first?.subjectId, 'alice');
    assert.equal(first?.clientInstanceInfo, 'laptop');
    assert.equal(first?.protectionLevel, NO_PROTECTION);
    assert.ok(first?.createdAt instanceof Date && first.expiresAt instanceof Date);
    assert.ok(!('token' in (first ?? {})), 'the secret value is never listed');
  });

  void it('applies = and IN filters joined by AND', async () => {
    const byClient = await list({ filter: 'client_id="web" AND client_instance_info="laptop"' });
    assert.deepEqual(
      byClient.refreshTokens.map((t) => t.id),
      ['a1', 'a5'],
    );
    const byLevel = await list({ filter: 'protection_level IN ("SECURE_KEY_DPOP","INSECURE_KEY_DPOP")' });
    assert.deepEqual(
      byLevel.refreshTokens.map((t) => t.id),
      ['a2', 'a3', 'a5'],
    );
    const single = await list({ filter: 'protection_level="NO_PROTECTION" AND client_id="cli"' });
    assert.deepEqual(
      single.refreshTokens.map((t) => t.id),
      ['a4'],
    );
  });

  void it('rejects bad filters with INVALID_ARGUMENT naming the bad part', async () => {
    await rejectsWithCode(list({ filter: 'subject_id="bob"' }), 3, /subject_id/);
    await rejectsWithCode(list({ filter: 'client_id IN ("a","b")' }), 3, /IN .*protection_level/);
    await rejectsWithCode(list({ filter: 'protection_level="ULTRA"' }), 3, /ULTRA/);
    await rejectsWithCode(list({ filter: 'client_id="web" OR client_id="cli"' }), 3, /AND/);
    await rejectsWithCode(list({ filter: 'client_id=web' }), 3, /quoted/);
  });

  void it('validates page size, page token and lengths', async () => {
    await rejectsWithCode(list({ pageSize: 1001 }), 3, /page_size/);
    await rejectsWithCode(list({ pageToken: 'garbage' }), 3, /page_token/);
    await rejectsWithCode(list({ filter: `client_id="${'x'.repeat(1000)}"` }), 3, /filter/);
    await rejectsWithCode(list({ subjectId: 'x'.repeat(51) }), 3, /subject_id/);
  });

  void it('shows only the caller tokens and refuses another subject', async () => {
    const bob = refreshTokenClient(sessionFor(h.emu, BOB_IAM), h.emu);
    const bobs = await bob.list(ListRefreshTokensRequest.fromPartial({}));
    assert.deepEqual(
      bobs.refreshTokens.map((t) => t.id),
      ['b1'],
    );
    await rejectsWithCode(list({ subjectId: 'bob' }), 7);
  });
});

void describe('yandex cloud emulator: Revoke', () => {
  void it('revokes by id, returning a done operation with metadata and response', async () => {
    await withEmulator({}, async (h) => {
      const op = await revoke(h, { refreshTokenId: 'a2' });
      assert.equal(op.done, true);
      assert.match(op.id, /^aje[a-v0-9]{17}$/);
      assert.equal(op.description, 'Revoke refresh tokens');
      assert.equal(op.createdBy, 'alice');
      assert.deepEqual(decodeRevokedIds(op), ['a2']);
      assert.equal(
        op.metadata?.typeUrl,
        'type.googleapis.com/yandex.cloud.iam.v1.RevokeRefreshTokenMetadata',
      );
      assert.deepEqual(RevokeRefreshTokenMetadata.decode(op.metadata.value), {
        subjectId: 'alice',
        refreshTokenIds: ['a2'],
      });
      assert.deepEqual(activeIds(h.emu), ['a1', 'a3', 'a4', 'a5', 'b1']);
      assert.ok(h.emu.tokens().find((t) => t.id === 'a2')?.revokedAt instanceof Date);
      const listed = await h.rt.list(ListRefreshTokensRequest.fromPartial({}));
      assert.ok(!listed.refreshTokens.some((t) => t.id === 'a2'));

      // Once revoked, and for other subjects' tokens, the id is simply not found.
      await rejectsWithCode(revoke(h, { refreshTokenId: 'a2' }), 5);
      await rejectsWithCode(revoke(h, { refreshTokenId: 'b1' }), 5);
      await rejectsWithCode(revoke(h, { refreshTokenId: 'x'.repeat(51) }), 3);
    });
  });

  void it('revokes by token value and never echoes the value in errors', async () => {
    await withEmulator({}, async (h) => {
      const value = h.emu.tokens().find((t) => t.id === 'a4')?.token;
      assert.ok(value);
      assert.deepEqual(decodeRevokedIds(await revoke(h, { refreshToken: value })), ['a4']);
      assert.deepEqual(activeIds(h.emu), ['a1', 'a2', 'a3', 'a5', 'b1']);

      const err = await rejectsWithCode(revoke(h, { refreshToken: 'bob-secret-value' }), 5);
      assert.ok(!err.message.includes('bob-secret-value'));
      assert.deepEqual(activeIds(h.emu), ['a1', 'a2', 'a3', 'a5', 'b1']);
    });
  });

  void it('revokes by filter, ANDing one, two or three fields', async () => {
    await withEmulator({}, async (h) => {
      const one = await revoke(h, { revokeFilter: { clientInstanceInfo: 'phone' } });
      assert.deepEqual(decodeRevokedIds(one), ['a2', 'a4']);
      assert.deepEqual(activeIds(h.emu), ['a1', 'a3', 'a5', 'b1']);

      const two = await revoke(h, { revokeFilter: { clientId: 'web', clientInstanceInfo: 'laptop' } });
      assert.deepEqual(decodeRevokedIds(two), ['a1', 'a5']);
      assert.deepEqual(activeIds(h.emu), ['a3', 'b1'], "bob's web/laptop token is untouched");

      const three = await revoke(h, {
        revokeFilter: { subjectId: 'alice', clientId: 'cli', clientInstanceInfo: 'laptop' },
      });
      assert.deepEqual(decodeRevokedIds(three), ['a3']);
      assert.deepEqual(activeIds(h.emu), ['b1']);

      const none = await revoke(h, { revokeFilter: { clientId: 'nothing-matches' } });
      assert.equal(none.done, true);
      assert.deepEqual(decodeRevokedIds(none), []);
    });
  });

  void it('refuses a filter for another subject and requests with two oneof members', async () => {
    await withEmulator({}, async (h) => {
      await rejectsWithCode(revoke(h, { revokeFilter: { subjectId: 'bob' } }), 7);
      await rejectsWithCode(revoke(h, { refreshTokenId: 'a1', refreshToken: 'whatever' }), 3, /only one/);
      await rejectsWithCode(revoke(h, { revokeFilter: { clientInstanceInfo: 'x'.repeat(1001) } }), 3);
      assert.deepEqual(activeIds(h.emu), ['a1', 'a2', 'a3', 'a4', 'a5', 'b1']);
    });
  });

  void it('revokes every caller token when no oneof member is set', async () => {
    await withEmulator({}, async (h) => {
      const op = await revoke(h, {});
      assert.deepEqual(decodeRevokedIds(op), ['a1', 'a2', 'a3', 'a4', 'a5']);
      assert.deepEqual(activeIds(h.emu), ['b1']);
      assert.deepEqual(h.emu.callsOf('Revoke')[0]?.request, {}, 'an empty oneof arrives as an empty object');
    });
  });
});

void describe('yandex cloud emulator: operations', () => {
  void it('completes after N Gets and only then revokes; waitForOperation sees it through', async () => {
    await withEmulator({ pollsUntilDone: 3 }, async (h) => {
      const op = await revoke(h, { refreshTokenId: 'a1' });
      assert.equal(op.done, false);
      assert.equal(op.response, undefined);
      assert.ok(activeIds(h.emu).includes('a1'), 'still active while the operation runs');

      const get = () => h.ops.get(GetOperationRequest.fromPartial({ operationId: op.id }));
      assert.equal((await get()).done, false);
      assert.equal((await get()).done, false);
      const done = await get();
      assert.equal(done.done, true);
      assert.deepEqual(decodeRevokedIds(done), ['a1']);
      assert.ok(!activeIds(h.emu).includes('a1'));
      assert.deepEqual(h.emu.operation(op.id), { id: op.id, done: true, cancelled: false, gets: 3 });

      const second = await revoke(h, { refreshTokenId: 'a2' });
      const waited = await waitForOperation(second, h.session, 5_000, h.emu.endpoint);
      assert.deepEqual(decodeRevokedIds(waited), ['a2']);
    });
  });

  void it('completes by time alone when operationDelayMs is set', async () => {
    await withEmulator({ operationDelayMs: 50 }, async (h) => {
      const op = await revoke(h, { refreshTokenId: 'a1' });
      assert.equal(op.done, false);
      const early = await h.ops.get(GetOperationRequest.fromPartial({ operationId: op.id }));
      assert.equal(early.done, false);
      await new Promise((r) => setTimeout(r, 60));
      assert.ok(!activeIds(h.emu).includes('a1'), 'done without being polled again');
      const late = await h.ops.get(GetOperationRequest.fromPartial({ operationId: op.id }));
      assert.equal(late.done, true);
    });
  });

  void it('finishes with operationError and revokes nothing', async () => {
    await withEmulator({}, async (h) => {
      h.emu.configure({ operationError: { code: 13, message: 'storage failure' }, pollsUntilDone: 1 });
      const op = await revoke(h, { revokeFilter: { clientId: 'web' } });
      assert.equal(op.done, false);
      // waitForOperation rejects with the Operation itself, not an Error.
      const rejected: unknown = await waitForOperation(op, h.session, 5_000, h.emu.endpoint).catch((e) => e);
      assert.ok(!(rejected instanceof Error));
      const failed = rejected as operation.Operation;
      assert.equal(failed.done, true);
      assert.deepEqual(failed.error, { code: 13, message: 'storage failure', details: [] });
      assert.equal(failed.response, undefined);
      assert.deepEqual(activeIds(h.emu), ['a1', 'a2', 'a3', 'a4', 'a5', 'b1']);

      h.emu.configure({ operationError: undefined, pollsUntilDone: 0 });
      assert.deepEqual(decodeRevokedIds(await revoke(h, { revokeFilter: { clientId: 'web' } })), [
        'a1',
        'a2',
        'a5',
      ]);
    });
  });

  void it('cancels a running operation, leaving tokens active; cancelling a done one changes nothing', async () => {
    await withEmulator({ pollsUntilDone: 5 }, async (h) => {
      const op = await revoke(h, { refreshTokenId: 'a1' });
      const cancel = (operationId: string) =>
        h.ops.cancel(CancelOperationRequest.fromPartial({ operationId }));
      const cancelled = await cancel(op.id);
      assert.equal(cancelled.done, true);
      assert.deepEqual(cancelled.error, { code: 1, message: 'Operation cancelled', details: [] });
      assert.equal(h.emu.operation(op.id)?.cancelled, true);
      assert.ok(activeIds(h.emu).includes('a1'));
      assert.deepEqual(await cancel(op.id), cancelled);

      h.emu.configure({ pollsUntilDone: 0 });
      const done = await revoke(h, { refreshTokenId: 'a2' });
      const afterCancel = await cancel(done.id);
      assert.equal(afterCancel.error, undefined);
      assert.deepEqual(decodeRevokedIds(afterCancel), ['a2']);
      assert.equal(h.emu.operation(done.id)?.cancelled, false);
    });
  });

  void it('hides unknown and other subjects operations behind NOT_FOUND', async () => {
    await withEmulator({ pollsUntilDone: 2 }, async (h) => {
      const op = await revoke(h, { refreshTokenId: 'a1' });
      const bobOps = operationClient(sessionFor(h.emu, BOB_IAM), h.emu);
      await rejectsWithCode(bobOps.get(GetOperationRequest.fromPartial({ operationId: op.id })), 5);
      await rejectsWithCode(bobOps.cancel(CancelOperationRequest.fromPartial({ operationId: op.id })), 5);
      await rejectsWithCode(
        h.ops.get(GetOperationRequest.fromPartial({ operationId: 'aje00000000000000000' })),
        5,
      );
      assert.equal(h.emu.operation(op.id)?.gets, 0, "bob's Get did not count");
    });
  });
});

void describe('yandex cloud emulator: faults', () => {
  void it('fails queued calls with a ClientError carrying the code, then recovers', async () => {
    await withEmulator({}, async (h) => {
      h.emu.injectFault({ method: 'List', code: 14, times: 2 });
      h.emu.injectFault({ method: '*', code: 8, message: 'quota exceeded' });
      const list = () => h.rt.list(ListRefreshTokensRequest.fromPartial({}));
      await rejectsWithCode(list(), 14);
      // Get does not match the List fault, so it takes the '*' fault queued after it.
      await rejectsWithCode(
        h.ops.get(GetOperationRequest.fromPartial({ operationId: 'x' })),
        8,
        /quota exceeded/,
      );
      await rejectsWithCode(list(), 14);
      assert.equal((await list()).refreshTokens.length, 5);
      assert.deepEqual(
        h.emu.calls.map((c) => [c.method, c.failedWith]),
        [
          ['List', 14],
          ['Get', 8],
          ['List', 14],
          ['List', undefined],
        ],
      );
    });
  });

  void it('fails after sending headers, which the SDK turns into an ApiError without a code', async () => {
    await withEmulator({}, async (h) => {
      h.emu.injectFault({ method: 'Revoke', code: 7, message: 'no access', afterHeaders: true });
      const err: unknown = await revoke(h, { refreshTokenId: 'a1' }).catch((e) => e);
      assert.ok(err instanceof errors.ApiError);
      assert.equal((err as errors.ApiError & { code?: number }).code, undefined);
      assert.equal(
        err.message,
        '/yandex.cloud.iam.v1.RefreshTokenService/Revoke PERMISSION_DENIED: no access',
      );
      assert.match(err.requestId ?? '', /^[0-9a-f-]{36}$/);
      assert.ok(err.serverTraceId);
      assert.ok(activeIds(h.emu).includes('a1'), 'a failed Revoke revokes nothing');
      assert.equal(h.emu.callsOf('Revoke')[0]?.failedWith, 7);
    });
  });

  void it('fails randomly with UNAVAILABLE at errorRate 1 and delays calls by latencyMs', async () => {
    await withEmulator({ errorRate: 1 }, async (h) => {
      await rejectsWithCode(h.rt.list(ListRefreshTokensRequest.fromPartial({})), 14);
      h.emu.configure({ errorRate: 0, latencyMs: 80 });
      const started = Date.now();
      await h.rt.list(ListRefreshTokensRequest.fromPartial({}));
      assert.ok(Date.now() - started >= 75);
    });
  });
});

/** nice-grpc's Metadata, as far as these tests read it. */
interface Metadata {
  get(key: string): unknown;
}

/** The google.rpc.Status of a failed call's `grpc-status-details-bin` trailer, and its x-request-id header. */
async function failedCallStatus(
  call: (options: { onTrailer: (t: Metadata) => void; onHeader: (h: Metadata) => void }) => Promise<unknown>,
) {
  let trailer: Metadata | undefined;
  let header: Metadata | undefined;
  const err: unknown = await call({ onTrailer: (t) => (trailer = t), onHeader: (h) => (header = h) }).then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  const bin = trailer?.get('grpc-status-details-bin');
  assert.ok(bin instanceof Uint8Array, 'the error has a grpc-status-details-bin trailer');
  const status = Status.decode(bin);
  const [detail] = status.details;
  assert.equal(detail?.typeUrl, 'type.googleapis.com/google.rpc.RequestInfo');
  // RequestInfo{request_id = 1}: tag 0x0a, one length byte, the id.
  const requestId = Buffer.from(detail.value.subarray(2)).toString('utf8');
  return { err, status, requestId, headerRequestId: (header ?? trailer)?.get('x-request-id') };
}

void describe('yandex cloud emulator: access bindings', () => {
  void it('without a binding: List and a filter for another subject are PERMISSION_DENIED "Permission denied", its ids NOT_FOUND', async () => {
    await withEmulator({}, async (h) => {
      const list = await failedCallStatus((o) =>
        h.rt.list(ListRefreshTokensRequest.fromPartial({ subjectId: 'bob' }), o),
      );
      assert.equal((list.err as { code?: number }).code, 7);
      assert.equal((list.err as { details?: string }).details, 'Permission denied');
      assert.equal(list.status.code, 7);
      assert.equal(list.status.message, 'Permission denied');
      assert.match(list.requestId, /^[0-9a-f-]{36}$/);
      assert.equal(list.requestId, list.headerRequestId, 'RequestInfo carries the x-request-id');

      const filter = await failedCallStatus((o) =>
        h.rt.revoke(RevokeRefreshTokenRequest.fromPartial({ revokeFilter: { subjectId: 'bob' } }), o),
      );
      assert.equal(filter.status.code, 7);
      assert.equal(filter.status.message, 'Permission denied');
      await rejectsWithCode(revoke(h, { refreshTokenId: 'b1' }), 5);
      await rejectsWithCode(revoke(h, { refreshToken: 'bob-secret-value' }), 5);
      assert.deepEqual(activeIds(h.emu), ['a1', 'a2', 'a3', 'a4', 'a5', 'b1']);
    });
  });

  void it('with admin on the subject: List and Revoke of its tokens work, as the caller’s operation', async () => {
    await withEmulator(
      { accessBindings: [{ subjectId: 'alice', roleId: 'admin', resourceId: 'bob' }], pollsUntilDone: 1 },
      async (h) => {
        const listed = await h.rt.list(ListRefreshTokensRequest.fromPartial({ subjectId: 'bob' }));
        assert.deepEqual(
          listed.refreshTokens.map((t) => [t.id, t.subjectId]),
          [['b1', 'bob']],
        );
        const op = await revoke(h, { revokeFilter: { subjectId: 'bob', clientId: 'web' } });
        assert.equal(op.createdBy, 'alice');
        assert.deepEqual(RevokeRefreshTokenMetadata.decode(op.metadata?.value ?? Buffer.alloc(0)), {
          subjectId: 'bob',
          refreshTokenIds: ['b1'],
        });
        const done = await h.ops.get(GetOperationRequest.fromPartial({ operationId: op.id }));
        assert.deepEqual(decodeRevokedIds(done), ['b1']);
        assert.deepEqual(activeIds(h.emu), ['a1', 'a2', 'a3', 'a4', 'a5']);
        // Bob's own session still cannot see alice's operation.
        const bobOps = operationClient(sessionFor(h.emu, BOB_IAM), h.emu);
        await rejectsWithCode(bobOps.get(GetOperationRequest.fromPartial({ operationId: op.id })), 5);
      },
    );
  });

  void it('with admin on the subject: revokes its token by id and by value', async () => {
    await withEmulator(
      { accessBindings: [{ subjectId: 'alice', roleId: 'admin', resourceId: 'bob' }] },
      async (h) => {
        assert.deepEqual(decodeRevokedIds(await revoke(h, { refreshToken: 'bob-secret-value' })), ['b1']);
        h.emu.addToken({ id: 'b2', subjectId: 'bob', clientId: 'cli' });
        assert.deepEqual(decodeRevokedIds(await revoke(h, { refreshTokenId: 'b2' })), ['b2']);
        assert.deepEqual(activeIds(h.emu), ['a1', 'a2', 'a3', 'a4', 'a5']);
      },
    );
  });

  void it('viewer may List but not Revoke; a binding on another subject grants nothing; "*" covers every subject', async () => {
    await withEmulator(
      {
        accessBindings: [
          { subjectId: 'alice', roleId: 'viewer', resourceId: 'bob' },
          { subjectId: 'bob', roleId: 'admin', resourceId: 'carol' },
        ],
      },
      async (h) => {
        assert.equal(
          (await h.rt.list(ListRefreshTokensRequest.fromPartial({ subjectId: 'bob' }))).refreshTokens.length,
          1,
        );
        await rejectsWithCode(revoke(h, { revokeFilter: { subjectId: 'bob' } }), 7, /^Permission denied$/);
        await rejectsWithCode(revoke(h, { refreshTokenId: 'b1' }), 5);
        const bob = refreshTokenClient(sessionFor(h.emu, BOB_IAM), h.emu);
        await rejectsWithCode(bob.list(ListRefreshTokensRequest.fromPartial({ subjectId: 'alice' })), 7);

        h.emu.addAccessBinding({ subjectId: 'bob', roleId: 'editor', resourceId: '*' });
        assert.equal(
          (await bob.list(ListRefreshTokensRequest.fromPartial({ subjectId: 'alice' }))).refreshTokens.length,
          5,
        );
        assert.deepEqual(activeIds(h.emu), ['a1', 'a2', 'a3', 'a4', 'a5', 'b1'], 'nothing revoked so far');
      },
    );
  });

  void it('sends the status details after headers too (an ApiError), with the same request id', async () => {
    await withEmulator({}, async (h) => {
      h.emu.injectFault({ method: 'Revoke', code: 7, message: 'Permission denied', afterHeaders: true });
      const r = await failedCallStatus((o) =>
        h.rt.revoke(RevokeRefreshTokenRequest.fromPartial({ refreshTokenId: 'a1' }), o),
      );
      assert.ok(r.err instanceof errors.ApiError);
      assert.equal(r.status.code, 7);
      assert.equal(r.requestId, (r.err as errors.ApiError).requestId);
    });
  });
});
