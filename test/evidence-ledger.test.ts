import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fingerprint, type EvidenceRecord, type EvidenceStatus, type RevokeTokensOperation } from '../api';
import type { RevokeSubjectResponse } from '../api/revoke-subject-input';
import { revokeSubject, waitRevokeSubject } from '../client/revoke-subject';
import {
  startAuthleteEmulator,
  DEFAULT_CLIENTS,
  DEFAULT_SERVICE_ID,
  DEFAULT_SERVICE_ACCESS_TOKEN,
  type AuthleteEmulator,
} from '../emulators/authlete';
import {
  startGoogleIdentityPlatformEmulator,
  type GoogleIdentityPlatformEmulator,
} from '../emulators/google-identity-platform';
import { startOAuth2Emulator, type OAuth2Emulator } from '../emulators/oauth2';
import pg from 'pg';
import { ConfigError } from '../common/config-error';
import { loadLedgerConfig, openWorkerLedger, publicKeyFileOf } from '../worker/ledger';
import type { EvidenceLedger, LedgerRow } from '../ledger';
import { fastTiming, fetchHistory, recordHistory } from './helpers/history';
import { ledgerBackends } from './helpers/ledger-backends';
import { createTestStack, type TestStack } from './helpers/stack';
import { bulkOperation, startBulk, waitBulk } from './helpers/bulk';

const subject = 'emulator-subject';
const apiKey = 'gip-evidence-api-key-7Hq2';
const clientSecret = 'evidence-client-secret-Lq93';

for (const backend of ledgerBackends()) {
  void describe(`evidence ledger (${backend.name})`, { skip: backend.skip ?? false }, () => {
    let s: TestStack;
    let oauth2: OAuth2Emulator;
    let authlete: AuthleteEmulator;
    let google: GoogleIdentityPlatformEmulator;
    let ledgerUrl = '';
    /** Every token and credential the tests used: none may be in a ledger row. */
    const secrets = new Set<string>([apiKey, clientSecret, DEFAULT_SERVICE_ACCESS_TOKEN]);
    const ledger = (): EvidenceLedger => {
      const l = s.ledger();
      assert.ok(l, 'the worker has a ledger');
      return l;
    };
    const rowsOf = async (q: { jobId?: string; operationId?: string }): Promise<LedgerRow[]> => {
      const rows: LedgerRow[] = [];
      for await (const row of ledger().query(q)) rows.push(row);
      return rows;
    };
    const recordOf = async (op: RevokeTokensOperation): Promise<EvidenceRecord> => {
      const rows = await rowsOf({ operationId: op.id });
      assert.equal(rows.length, 1, `one record for ${op.id}`);
      return (rows[0] as LedgerRow).record;
    };

    before(async () => {
      oauth2 = await startOAuth2Emulator({
        clients: [{ clientId: 'evidence-app', authMethod: 'client_secret_basic', clientSecret }],
      });
      authlete = await startAuthleteEmulator();
      google = await startGoogleIdentityPlatformEmulator({ apiKeys: [apiKey] });
      const tokens = Array.from({ length: 60 }, (_, i) => ({
        id: `rt-${i}`,
        subjectId: subject,
        clientId: 'client-a',
        token: `yc1.evidence-secret-${i}-padding`,
      }));
      tokens.forEach((t) => secrets.add(t.token));
      const dir = mkdtempSync(join(tmpdir(), 'evidence-ledger-'));
      s = await createTestStack(
        { tokens },
        {
          connections: {
            oauth2: {
              default: {
                allowInsecureRequests: true,
                issuer: oauth2.issuer,
                clientId: 'evidence-app',
                clientSecret,
              },
            },
            authlete: {
              default: { baseUrl: authlete.baseUrl, serviceAccessToken: DEFAULT_SERVICE_ACCESS_TOKEN },
            },
            'google-identity-platform': { default: { baseUrl: google.baseUrl, apiKey } },
          },
          ledger: {
            url: (ledgerUrl = await backend.freshUrl()),
            signingKeyFile: join(dir, 'signing-key.pem'),
          },
        },
      );
      await s.startWorker();
    });

    after(async () => {
      // No secret in any row the tests wrote.
      if (s?.ledger()) {
        const text = JSON.stringify(await rowsOf({}));
        for (const secret of secrets)
          assert.ok(!text.includes(secret), `a ledger row holds ${fingerprint(secret)}`);
      }
      await s?.close();
      await Promise.all([oauth2?.close(), authlete?.close(), google?.close()]);
      await backend.stop();
    });

    const revoke = async (request: Parameters<TestStack['client']['revoke']>[0]) => {
      const started = await s.client.revoke(request, { timing: fastTiming });
      return s.client.wait(started.id, { timeout: 60_000 });
    };

    void it('a single revocation per provider writes one record with its fields, and the response names it', async () => {
      const g = oauth2.issueGrant('evidence-app');
      const a = authlete.addToken({
        serviceId: DEFAULT_SERVICE_ID,
        clientId: DEFAULT_CLIENTS[0]?.clientId ?? 0,
      });
      const account = google.addAccount({ uid: 'evidence-user' });
      const apple = google.issueAppleToken('evidence-user', undefined, { type: 'REFRESH_TOKEN' });
      for (const v of [g.accessToken, g.refreshToken, a.accessToken, apple.value, account.idTokens[0] ?? ''])
        secrets.add(v);
      const cases: Array<{
        request: Parameters<TestStack['client']['revoke']>[0];
        provider: string;
        fp: string | null;
      }> = [
        { request: { provider: 'yandex-cloud', refreshTokenId: 'rt-0' }, provider: 'yandex-cloud', fp: null },
        {
          request: { provider: 'oauth2', token: g.refreshToken },
          provider: 'oauth2',
          fp: fingerprint(g.refreshToken),
        },
        {
          request: {
            provider: 'authlete',
            serviceId: DEFAULT_SERVICE_ID,
            accessTokenIdentifier: a.accessToken,
          },
          provider: 'authlete',
          fp: null,
        },
        {
          request: {
            provider: 'google-identity-platform',
            providerId: 'apple.com',
            tokenType: 'REFRESH_TOKEN',
            token: apple.value,
            idToken: account.idTokens[0] ?? '',
          },
          provider: 'google-identity-platform',
          fp: fingerprint(apple.value),
        },
      ];
      for (const c of cases) {
        const op = await revoke(c.request);
        assert.equal(op.done, true, JSON.stringify(op.error));
        const rec = await recordOf(op);
        assert.deepEqual(op.response?.evidence, { recorded: true, recordIds: [`${op.id}/request`] });
        assert.equal(rec.recordId, `${op.id}/request`);
        assert.equal(rec.jobId, null);
        assert.equal(rec.provider, c.provider);
        assert.equal(rec.connection, 'default');
        assert.equal(rec.status, 'REVOKED');
        assert.equal(rec.errorCode, null);
        assert.equal(rec.requestedBy, op.createdBy);
        assert.equal(rec.requestedAt, op.createdAt);
        assert.ok(rec.revokedAt, 'revokedAt');
        assert.ok(rec.attempts >= 1);
        if (c.fp) assert.equal(rec.tokenFingerprint, c.fp);
        assert.ok(rec.target.length > 0);
      }
    });

    void it('a failed and a cancelled operation write one record each', async () => {
      const g = oauth2.issueGrant('evidence-app');
      const h = oauth2.issueGrant('evidence-app');
      for (const v of [g.accessToken, g.refreshToken, h.accessToken, h.refreshToken]) secrets.add(v);
      oauth2.injectFault({
        endpoint: 'revocation',
        status: 400,
        body: { error: 'invalid_request' },
        tokenFingerprint: fingerprint(g.refreshToken),
      });
      const failed = await revoke({ provider: 'oauth2', token: g.refreshToken });
      assert.equal(failed.done, true);
      assert.ok(failed.error);
      const rec = await recordOf(failed);
      assert.equal(rec.status, 'FAILED');
      assert.equal(rec.errorCode, 'INVALID_ARGUMENT');
      assert.equal(rec.revokedAt, null);

      oauth2.injectFault({
        endpoint: 'revocation',
        status: 503,
        headers: { 'retry-after': '30' },
        times: 100,
        tokenFingerprint: fingerprint(h.refreshToken),
      });
      const started = await s.client.revoke(
        { provider: 'oauth2', token: h.refreshToken },
        { timing: fastTiming },
      );
      while (
        oauth2.requestsTo('revocation').filter((r) => r.tokenFingerprint === fingerprint(h.refreshToken))
          .length === 0
      )
        await delay(20);
      await s.client.cancel(started.id);
      const cancelled = await s.client.wait(started.id, { timeout: 60_000 });
      assert.equal(cancelled.error?.code, 1);
      const crec = await recordOf(cancelled);
      assert.equal(crec.status, 'CANCELLED');
      assert.equal(crec.errorCode, 'CANCELLED');
    });

    void it('a bulk job of mixed outcomes has exactly one record per target, agreeing with its counts', async () => {
      const grant = oauth2.issueGrant('evidence-app');
      secrets.add(grant.refreshToken);
      secrets.add(grant.accessToken);
      // The first Revoke takes effect and its reply is lost: the retry finds it gone (alreadyRevoked).
      s.emulator.injectFault({ method: 'Revoke', code: 14, afterHandling: true });
      const requests: unknown[] = [
        { provider: 'yandex-cloud', refreshTokenId: 'rt-10' },
        { provider: 'yandex-cloud', refreshTokenId: 'rt-11' },
        { provider: 'yandex-cloud', refreshTokenId: 'rt-never-issued' },
        { provider: 'yandex-cloud', refreshTokenId: '' },
        { provider: 'yandex-cloud', refreshTokenId: 'rt-12' },
        { provider: 'oauth2', token: grant.refreshToken },
      ];
      // NDJSON, so the invalid line is a failed target (an inline job is validated whole at its start).
      const path = join(mkdtempSync(join(tmpdir(), 'evidence-mixed-')), 'targets.ndjson');
      writeFileSync(path, requests.map((r) => JSON.stringify(r)).join('\n'));
      const id = await startBulk(s, {
        name: 'evidence-mixed',
        source: { kind: 'ndjson', path },
        pageSize: 2,
        concurrency: 1,
      });
      const op = await waitBulk(s, id);
      const r = op.response;
      assert.ok(r, JSON.stringify(op.error));
      assert.deepEqual(
        [r.succeeded, r.alreadyRevoked, r.notFound, r.failed, r.skipped],
        [3, 1, 1, 1, 0],
        JSON.stringify(r),
      );
      const rows = await rowsOf({ jobId: id });
      const byKey = new Map(rows.map((row) => [row.record.targetKey, row.record]));
      assert.equal(rows.length, 6);
      assert.deepEqual(
        [0, 1, 2, 3, 4, 5].map((i) => byKey.get(`target/${i}`)?.status),
        [
          'ALREADY_REVOKED',
          'REVOKED',
          'NOT_FOUND',
          'FAILED',
          'REVOKED',
          'REVOKED',
        ] satisfies EvidenceStatus[],
      );
      const first = byKey.get('target/0');
      assert.equal(first?.attempts, 2);
      assert.equal(first?.recordId, `${id}/target/0`);
      assert.equal(first?.jobId, id);
      assert.equal(first?.operationId, id);
      assert.equal(first?.verification, null);
      assert.equal(byKey.get('target/3')?.errorCode, 'INVALID_ARGUMENT');
      assert.ok(byKey.get('target/1')?.revokedAt);
      assert.ok(byKey.get('target/1')?.providerReference.operationId, 'the Yandex operation id');
      assert.deepEqual(r.evidence, { recorded: true, operationId: id, count: 6 });
      assert.equal(byKey.get('target/5')?.tokenFingerprint, fingerprint(grant.refreshToken));
      assert.equal(byKey.get('target/5')?.provider, 'oauth2');
      recordHistory('bulk-evidence-mixed', await fetchHistory(s.temporal, id));

      const dry = await startBulk(s, {
        name: 'evidence-dry',
        source: { kind: 'inline', requests: requests.slice(1, 3) as never },
        dryRun: true,
      });
      const dop = await waitBulk(s, dry);
      assert.equal(dop.response?.skipped, 2);
      const drows = await rowsOf({ jobId: dry });
      assert.deepEqual(
        drows.map((row) => row.record.status),
        ['SKIPPED', 'SKIPPED'],
      );
      assert.deepEqual(dop.response?.evidence, { recorded: true, operationId: dry, count: 2 });
    });

    void it('handed-over Yandex targets are recorded when they settle, and FAILED CANCELLED when the job ends first', async () => {
      // Operations that outlive the page's 5 s wait are polled by the workflow (bulk-pending.ts).
      s.emulator.configure({ pollsUntilDone: 9 });
      try {
        const requests = ['rt-16', 'rt-17'].map((refreshTokenId) => ({
          provider: 'yandex-cloud' as const,
          refreshTokenId,
        }));
        const id = await startBulk(s, {
          name: 'evidence-handover',
          source: { kind: 'inline', requests },
          concurrency: 2,
        });
        const op = await waitBulk(s, id, 90_000);
        const r = op.response;
        assert.ok(r, JSON.stringify(op.error));
        assert.equal(r.succeeded, 2);
        const rows = await rowsOf({ jobId: id });
        assert.deepEqual(
          rows.map((row) => row.record.status),
          ['REVOKED', 'REVOKED'],
        );
        for (const row of rows)
          assert.ok(row.record.providerReference.operationId, 'the provider operation id');
        assert.deepEqual(r.evidence, { recorded: true, operationId: id, count: 2 });

        s.emulator.configure({ pollsUntilDone: 100_000 });
        const more = ['rt-18', 'rt-19'].map((refreshTokenId) => ({
          provider: 'yandex-cloud' as const,
          refreshTokenId,
        }));
        const id2 = await startBulk(s, {
          name: 'evidence-handover-cancel',
          source: { kind: 'inline', requests: more },
          concurrency: 2,
        });
        const until = Date.now() + 60_000;
        while ((await bulkOperation(s, id2)).metadata.pending !== 2) {
          assert.ok(Date.now() < until, 'the targets were never handed over');
          await delay(200);
        }
        await s.temporal.workflow.getHandle(id2).cancel();
        const cancelled = await waitBulk(s, id2, 60_000);
        assert.equal(cancelled.error?.code, 1);
        const rows2 = await rowsOf({ jobId: id2 });
        assert.deepEqual(
          rows2.map((row) => [row.record.status, row.record.errorCode]),
          [
            ['FAILED', 'CANCELLED'],
            ['FAILED', 'CANCELLED'],
          ],
        );
        const report = cancelled.error?.details[0] as { failed?: number; evidence?: unknown } | undefined;
        assert.equal(report?.failed, 2);
        assert.deepEqual(report?.evidence, { recorded: true, operationId: id2, count: 2 });
      } finally {
        s.emulator.configure({ pollsUntilDone: 0 });
      }
    });

    void it("revokeSubject's children write one record each with jobId = the parent's id", async () => {
      const g = oauth2.issueGrant('evidence-app');
      secrets.add(g.refreshToken);
      secrets.add(g.accessToken);
      const started = await revokeSubject(s.client, {
        subject: 'someone@example.com',
        requests: [
          { provider: 'yandex-cloud', refreshTokenId: 'rt-15' },
          { provider: 'oauth2', token: g.refreshToken },
        ],
        timing: fastTiming,
      });
      const op = await waitRevokeSubject(s.client, started.id, { timeout: 60_000 });
      const r = op.response as RevokeSubjectResponse;
      assert.ok(r, JSON.stringify(op.error));
      assert.deepEqual(r.evidence, { recorded: true, operationId: started.id, count: 2 });
      recordHistory('revoke-subject-evidence', await fetchHistory(s.temporal, started.id));
      const rows = await rowsOf({ jobId: started.id });
      assert.deepEqual(rows.map((row) => [row.record.operationId, row.record.status]).sort(), [
        [`${started.id}/0-yandex-cloud`, 'REVOKED'],
        [`${started.id}/1-oauth2`, 'REVOKED'],
      ]);
    });

    // Deterministic "crash after the append, before the page returned": the page's append is held
    // (a SHARE lock on ledger_records blocks INSERT) past the heartbeat timeout, so the server gives
    // the attempt up; the lock is released once it has, so the append commits before attempt 2 runs.
    // Attempt 2 must adopt the 20 records instead of revoking again (which would count alreadyRevoked).
    void it(
      'a page retried after its earlier attempt recorded its targets adopts their outcomes and revokes none again',
      {
        skip:
          backend.name === 'postgres' ? false : 'needs a table lock that blocks writers only (PostgreSQL)',
      },
      async () => {
        const url = ledgerUrl;
        const lockClient = new pg.Client({ connectionString: url });
        await lockClient.connect();
        try {
          await lockClient.query('BEGIN');
          await lockClient.query('LOCK TABLE ledger_records IN SHARE MODE');
          const ids = Array.from({ length: 20 }, (_, i) => `rt-${20 + i}`);
          const revokesBefore = s.emulator.callsOf('Revoke').length;
          const id = await startBulk(s, {
            name: 'evidence-adopt',
            source: {
              kind: 'inline',
              requests: ids.map((refreshTokenId) => ({ provider: 'yandex-cloud', refreshTokenId })),
            },
            pageSize: 20,
            concurrency: 5,
          });
          const handle = s.temporal.workflow.getHandle(id);
          const until = Date.now() + 60_000;
          for (;;) {
            const pending = (await handle.describe()).raw.pendingActivities ?? [];
            if (pending.some((a) => (a.attempt ?? 0) >= 2)) break;
            assert.ok(Date.now() < until, 'the page attempt never timed out');
            await delay(25);
          }
          await lockClient.query('COMMIT');
          const op = await waitBulk(s, id);
          const r = op.response;
          assert.ok(r, JSON.stringify(op.error));
          assert.equal(s.emulator.callsOf('Revoke').length - revokesBefore, 20, 'no target revoked twice');
          assert.deepEqual([r.succeeded, r.alreadyRevoked, r.processed], [20, 0, 20]);
          const rows = await rowsOf({ jobId: id });
          assert.deepEqual(
            rows.map((row) => row.record.status),
            Array.from({ length: 20 }, () => 'REVOKED'),
          );
        } finally {
          await lockClient.query('ROLLBACK').catch(() => undefined);
          await lockClient.end();
        }
      },
    );

    // A zombie: the server gave the page's first attempt up (its append held past the heartbeat
    // timeout) and the retry revoked the 20 targets again (alreadyRevoked). The first attempt's
    // append commits first (it holds its chain's row); the retry's then finds the 20 ids stored.
    // The stored records are the evidence: the job must count what they say, not its own outcome.
    void it(
      'when an attempt the server gave up on still records the page, the job counts what the ledger says',
      {
        skip:
          backend.name === 'postgres' ? false : 'needs a table lock that blocks writers only (PostgreSQL)',
      },
      async () => {
        const lockClient = new pg.Client({ connectionString: ledgerUrl });
        await lockClient.connect();
        try {
          await lockClient.query('BEGIN');
          await lockClient.query('LOCK TABLE ledger_records IN SHARE MODE');
          const ids = Array.from({ length: 20 }, (_, i) => `rt-${40 + i}`);
          const revokesBefore = s.emulator.callsOf('Revoke').length;
          const id = await startBulk(s, {
            name: 'evidence-zombie',
            source: {
              kind: 'inline',
              requests: ids.map((refreshTokenId) => ({ provider: 'yandex-cloud', refreshTokenId })),
            },
            pageSize: 20,
            concurrency: 5,
          });
          const until = Date.now() + 60_000;
          while (s.emulator.callsOf('Revoke').length - revokesBefore < 40) {
            assert.ok(Date.now() < until, 'the retried page did not revoke the targets again');
            await delay(25);
          }
          await delay(500);
          await lockClient.query('COMMIT');
          const op = await waitBulk(s, id);
          const r = op.response;
          assert.ok(r, JSON.stringify(op.error));
          const rows = await rowsOf({ jobId: id });
          assert.deepEqual(
            rows.map((row) => row.record.status),
            Array.from({ length: 20 }, () => 'REVOKED'),
            'the first attempt wrote the records',
          );
          assert.deepEqual(
            [r.succeeded, r.alreadyRevoked, r.processed],
            [20, 0, 20],
            'counts agree with the ledger',
          );
        } finally {
          await lockClient.query('ROLLBACK').catch(() => undefined);
          await lockClient.end();
        }
      },
    );

    void it('writing the same records again (a re-run page, a replay) duplicates none', async () => {
      const rows = await rowsOf({});
      const before = rows.length;
      assert.ok(before >= 15, `${before} records written by the tests before`);
      const again = await ledger().append(rows.map((row) => row.record));
      assert.equal(again.written, 0);
      assert.equal((await rowsOf({})).length, before);
    });
  });
}

void describe('worker ledger configuration (worker/ledger.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-config-'));

  void it('bad values stop the worker with a ConfigError naming the variable', async () => {
    const variableOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err.variable;
      }
      return undefined;
    };
    assert.equal(
      variableOf(() => loadLedgerConfig({ LEDGER: 'maybe' })),
      'LEDGER',
    );
    assert.equal(
      variableOf(() => loadLedgerConfig({ LEDGER_CHECKPOINT_EVERY: '0' })),
      'LEDGER_CHECKPOINT_EVERY',
    );
    assert.equal(loadLedgerConfig({ LEDGER: 'off' }), undefined);
    const defaults = loadLedgerConfig({}, dir);
    assert.deepEqual(defaults, {
      url: `sqlite:${join(dir, '.data', 'evidence.db')}`,
      signingKeyFile: join(dir, '.data', 'ledger-signing-key.pem'),
    });
    const signingKeyFile = join(dir, 'key.pem');
    await assert.rejects(
      openWorkerLedger({ url: 'mysql://db/evidence', signingKeyFile }),
      (err: unknown) => err instanceof ConfigError && err.variable === 'LEDGER_URL',
    );
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    await assert.rejects(
      openWorkerLedger({ url: `sqlite:${join(dir, 'e.db')}`, signingKeyFile: rsa }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.variable === 'LEDGER_SIGNING_KEY_FILE' &&
        !err.message.includes('PRIVATE'),
    );
  });

  void it('workers starting at once with no key file create one key between them (mode 0600)', async () => {
    const path = join(dir, 'race', 'ledger-signing-key.pem');
    // Every process waits for the same instant, so all of them find no key and create one at once.
    const at = Date.now() + 4000;
    const script = `const { ensureSigningKey } = require(${JSON.stringify(join(__dirname, '..', 'worker', 'ledger.ts'))}); while (Date.now() < ${at}); process.stdout.write(ensureSigningKey(${JSON.stringify(path)}));`;
    const runs = Array.from(
      { length: 6 },
      () =>
        new Promise<string>((resolve, reject) => {
          execFile(process.execPath, ['--import', 'tsx', '-e', script], (err, stdout) =>
            err ? reject(err) : resolve(stdout),
          );
        }),
    );
    const keys = await Promise.all(runs);
    assert.equal(new Set(keys).size, 1, 'every worker read the same key');
    assert.match(keys[0] ?? '', /BEGIN PRIVATE KEY/);
    assert.equal(readFileSync(path, 'utf8'), keys[0]);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(readFileSync(publicKeyFileOf(path), 'utf8'), /BEGIN PUBLIC KEY/);
    assert.deepEqual(
      readdirSync(dirname(path)).sort(),
      ['ledger-signing-key.pem', 'ledger-signing-key.pub.pem'],
      'no temporary file left',
    );
  });

  void it('without a ledger (LEDGER=off) a job says evidence.recorded false', async () => {
    const s = await createTestStack({ tokens: [{ id: 'rt-off', subjectId: subject, clientId: 'c' }] });
    try {
      await s.startWorker();
      const id = await startBulk(s, {
        name: 'evidence-off',
        source: { kind: 'inline', requests: [{ provider: 'yandex-cloud', refreshTokenId: 'rt-off' }] },
      });
      const op = await waitBulk(s, id);
      assert.deepEqual(op.response?.evidence, { recorded: false, operationId: id, count: 0 });
    } finally {
      await s.close();
    }
  });
});
