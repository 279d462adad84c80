import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  Code,
  MAX_REVOKES_WHILE_STILL_ACTIVE,
  STILL_ACTIVE_REASON,
  TypeUrl,
  type RevocationRequestInput,
  type RevokeTokensOperation,
} from '../api';
import { startYandexEmulator, type YandexEmulator } from '../emulators/yandex-cloud';
import { fastTiming, fetchHistory, recordHistory } from './helpers/history';
import { createTestStack, type TestStack } from './helpers/stack';

const ME = 'verify-subject';
const OTHER = 'verify-other-subject';
const OFF = 'verification is switched off for this connection (verify: false)';

let yc: YandexEmulator;
let stack: TestStack;

before(async () => {
  yc = await startYandexEmulator({
    iamTokens: { 'verify-iam-token': ME },
    // The connection's account may revoke (and so list) the other subject's tokens.
    accessBindings: [{ subjectId: ME, roleId: 'editor', resourceId: OTHER }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'verify-yandex-'));
  const rootCertFile = join(dir, 'ca.pem');
  writeFileSync(rootCertFile, yc.rootCert);
  const conn = { endpoint: yc.endpoint, iamToken: 'verify-iam-token', rootCertFile };
  stack = await createTestStack(
    {},
    { connections: { 'yandex-cloud': { verifying: conn, noVerify: { ...conn, verify: false } } } },
  );
  await stack.startWorker();
});

after(async () => {
  await stack?.close();
  await yc?.close();
});

beforeEach(() => {
  yc.configure({ keepRevokedTokens: false, pollsUntilDone: 0 });
  yc.setFaultPolicy(undefined);
});

let n = 0;
function tokens(subjectId: string, clientId: string, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(yc.addToken({ id: `vt-${++n}`, subjectId, clientId }).id);
  return ids;
}

const activeIds = () => new Set(yc.activeTokens().map((t) => t.id));

async function run(
  request: Record<string, unknown>,
  connection = 'verifying',
): Promise<RevokeTokensOperation> {
  const started = await stack.client.revoke(
    { provider: 'yandex-cloud', connection, ...request } as RevocationRequestInput,
    { timing: fastTiming },
  );
  return stack.client.wait(started.id, { timeout: 60_000 });
}

const listsSince = (from: number) => yc.callsOf('List').slice(from);

void describe('revokeTokens at yandex-cloud: verification by RefreshTokenService.List', () => {
  void it('by id: VERIFIED once the operation is done and List no longer names the id', async () => {
    yc.configure({ pollsUntilDone: 1 });
    const [id, keep] = tokens(ME, 'app-1', 2) as [string, string];
    const lists = yc.callsOf('List').length;
    const op = await run({ refreshTokenId: id });
    assert.equal(op.error, undefined);
    assert.deepEqual(op.response?.refreshTokenIds, [id]);
    const v = op.response?.verification;
    assert.equal(v?.state, 'VERIFIED');
    assert.equal(v?.method, 'RefreshTokenService.List');
    assert.equal(v?.detail, `RefreshTokenService.List (subject ${ME}; 1 page): none of 1 revoked id listed`);
    const [list] = listsSince(lists);
    assert.equal((list?.request as { subjectId: string }).subjectId, ME);
    // Listed after the operation was done (the Get that finished it came first).
    const lastGet = yc.callsOf('Get').at(-1);
    assert.ok(list && lastGet && list.at >= lastGet.at);
    assert.ok(!activeIds().has(id) && activeIds().has(keep));
    assert.equal(op.metadata.attempts, 3, 'Revoke, one Get, one List');
    recordHistory('yandex-verified-by-list', await fetchHistory(stack.temporal, op.id));
  });

  void it('by filter on another subject: VERIFIED when no matching token is left, with the filter sent to List', async () => {
    const revoked = tokens(OTHER, 'app-2', 3);
    const [kept] = tokens(OTHER, 'app-3', 1) as [string];
    const lists = yc.callsOf('List').length;
    const op = await run({ revokeFilter: { subjectId: OTHER, clientId: 'app-2' } });
    assert.deepEqual([...(op.response?.refreshTokenIds ?? [])].sort(), [...revoked].sort());
    assert.equal(op.response?.verification?.state, 'VERIFIED');
    assert.equal(
      op.response?.verification?.detail,
      `RefreshTokenService.List (subject ${OTHER}, client_id app-2; 1 page): none of 3 revoked ids listed; no token matches the revoke's selection`,
    );
    const [list] = listsSince(lists);
    assert.deepEqual(
      [(list?.request as { subjectId: string }).subjectId, (list?.request as { filter: string }).filter],
      [OTHER, 'client_id="app-2"'],
    );
    assert.ok(activeIds().has(kept));
  });

  void it('pages: a subject with 1,205 tokens is listed to the end (2 pages) before VERIFIED', async () => {
    const ids = tokens('big-subject', 'app-4', 1205);
    yc.addAccessBinding({ subjectId: ME, roleId: 'editor', resourceId: 'big-subject' });
    const last = ids.at(-1) as string;
    const lists = yc.callsOf('List').length;
    const op = await run({ refreshTokenId: last });
    assert.equal(op.response?.verification?.state, 'VERIFIED');
    assert.match(op.response?.verification?.detail ?? '', /; 2 pages\): none of 1 revoked id listed$/);
    assert.equal(listsSince(lists).length, 2);
  });

  void it('STILL_ACTIVE when the operation names the ids but keeps them: 3 Revokes reach Yandex, then INTERNAL, never success', async () => {
    yc.configure({ keepRevokedTokens: true });
    const [id] = tokens(ME, 'app-5', 1) as [string];
    const revokes = yc.callsOf('Revoke').length;
    const started = await stack.client.revoke(
      { provider: 'yandex-cloud', connection: 'verifying', refreshTokenId: id },
      { timing: fastTiming },
    );
    const op = await stack.client.wait(started.id, { timeout: 60_000 });
    assert.equal(op.done, true);
    assert.equal(op.response, undefined);
    assert.equal(op.error?.code, Code.INTERNAL);
    const info = op.error?.details.find((d) => d['@type'] === TypeUrl.errorInfo);
    assert.equal(info?.reason, STILL_ACTIVE_REASON);
    assert.equal((info?.metadata as Record<string, string>).method, 'RefreshTokenService.List');
    assert.match(op.error?.message ?? '', /1 of 1 revoked id still listed/);
    // Each re-revoke of the still-existing id is accepted by Yandex: a new operation naming it.
    const calls = yc.callsOf('Revoke').slice(revokes);
    assert.equal(calls.length, MAX_REVOKES_WHILE_STILL_ACTIVE);
    assert.ok(calls.every((c) => c.failedWith === undefined));
    assert.ok(activeIds().has(id));
    await assert.rejects(stack.temporal.workflow.getHandle(op.id).result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'INTERNAL');
      return true;
    });
    recordHistory('yandex-still-active', await fetchHistory(stack.temporal, op.id));
  });

  void it('a provider that catches up: the second Revoke of the still-listed id takes, VERIFIED, the response names the second operation', async () => {
    yc.configure({ keepRevokedTokens: true });
    // The first verification's List switches the fault off: the next operation revokes for real.
    yc.setFaultPolicy((call) => {
      if (call.method === 'List') yc.configure({ keepRevokedTokens: false });
      return undefined;
    });
    const [id] = tokens(ME, 'app-6', 1) as [string];
    const revokes = yc.callsOf('Revoke').length;
    const op = await run({ refreshTokenId: id });
    assert.equal(op.response?.verification?.state, 'VERIFIED');
    assert.equal(yc.callsOf('Revoke').length - revokes, 2);
    assert.equal(op.metadata.revokesWhileStillActive, 1);
    assert.deepEqual(op.response?.refreshTokenIds, [id]);
    assert.ok(yc.operation(String(op.response?.providerOperationId))?.done);
    assert.ok(!activeIds().has(id));
  });

  void it('verify: false on the connection: UNVERIFIABLE, switched off, no List', async () => {
    const [id] = tokens(ME, 'app-7', 1) as [string];
    const lists = yc.callsOf('List').length;
    const op = await run({ refreshTokenId: id }, 'noVerify');
    assert.deepEqual(
      [
        op.response?.verification?.state,
        op.response?.verification?.method,
        op.response?.verification?.detail,
      ],
      ['UNVERIFIABLE', 'none', OFF],
    );
    assert.equal(listsSince(lists).length, 0);
  });

  void it('List refused (PERMISSION_DENIED): UNVERIFIABLE naming the permission, the revoke still succeeds', async () => {
    const [id] = tokens(ME, 'app-8', 1) as [string];
    yc.injectFault({ method: 'List', code: 7, message: 'Permission denied' });
    const op = await run({ refreshTokenId: id });
    assert.equal(op.error, undefined);
    assert.equal(op.response?.verification?.state, 'UNVERIFIABLE');
    assert.equal(op.response?.verification?.method, 'RefreshTokenService.List');
    assert.match(
      op.response?.verification?.detail ?? '',
      /refused \(PERMISSION_DENIED\).*role that allows listing/,
    );
  });
});
