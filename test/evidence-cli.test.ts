import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import type { EvidenceRecord } from '../api';
import { openLedger, type LedgerRow } from '../ledger';
import { readExport } from '../ledger/export';
import { exportProgress } from '../cli/evidence/export';
import { runCliCaptured } from './helpers/cli';
import { ed25519Pem, evidenceRecord } from './helpers/evidence-records';
import { ledgerBackends } from './helpers/ledger-backends';

const root = join(__dirname, '..');
const BATCH_A = 40; // records 0..39, stored before the purge's cut
const TOTAL = 60; // records 40..59 after it

const recordsOf = (from: number, to: number): EvidenceRecord[] =>
  Array.from({ length: to - from }, (_, k) => evidenceRecord(from + k, undefined, 'cli'));
const all = recordsOf(0, TOTAL);

/** Changes one field inside a stored row's body, as someone with write access to the database could. */
async function tamper(url: string, recordId: string, from: string, to: string): Promise<void> {
  const sql = 'UPDATE ledger_records SET body = REPLACE(body, ?, ?) WHERE record_id = ?';
  if (url.startsWith('sqlite:')) {
    const db = new DatabaseSync(url.slice('sqlite:'.length));
    const changed = db.prepare(sql).run(from, to, recordId).changes;
    db.close();
    assert.equal(changed, 1);
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query(sql.replace('?', '$1').replace('?', '$2').replace('?', '$3'), [
      from,
      to,
      recordId,
    ]);
    assert.equal(r.rowCount, 1);
  } finally {
    await client.end();
  }
}

async function rowsOf(file: string, format: 'ndjson' | 'csv'): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  for await (const row of readExport(createReadStream(file), format)) rows.push(row);
  return rows;
}

for (const backend of ledgerBackends()) {
  void describe(`revoke evidence (${backend.name})`, { skip: backend.skip ?? false }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'evidence-cli-'));
    const keyFile = join(dir, 'ledger-signing-key.pem');
    const publicFile = join(dir, 'ledger-public.pem');
    const otherPublicFile = join(dir, 'other-public.pem');
    let url: string;
    let env: NodeJS.ProcessEnv;
    let cut: string;
    let stored: LedgerRow[];
    const run = (...args: string[]) => runCliCaptured(['evidence', ...args], env);
    const runWithStdin = (stdin: string, ...args: string[]) =>
      runCliCaptured(['evidence', ...args], env, stdin);

    before(async () => {
      const keys = ed25519Pem();
      writeFileSync(keyFile, keys.privateKey);
      writeFileSync(publicFile, keys.publicKey);
      writeFileSync(otherPublicFile, ed25519Pem().publicKey);
      url = await backend.freshUrl();
      env = { LEDGER_URL: url, LEDGER_SIGNING_KEY_FILE: keyFile };
      const ledger = await openLedger({ url, signingKey: keys.privateKey });
      await ledger.append(recordsOf(0, BATCH_A));
      await ledger.checkpoint('batch A');
      await delay(20);
      cut = new Date().toISOString();
      await delay(20);
      await ledger.append(recordsOf(BATCH_A, TOTAL));
      await ledger.checkpoint('batch B');
      stored = [];
      for await (const row of ledger.query()) stored.push(row);
      await ledger.close();
    });

    after(async () => {
      await backend.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    void it('list: filters by subject, provider, status, job, operation and time, with a limit', async () => {
      const subject = await run('list', '--subject', 'user-1', '--json');
      assert.equal(subject.code, 0, subject.stderr);
      const bySubject = (JSON.parse(subject.stdout) as { records: LedgerRow[] }).records;
      assert.deepEqual(
        bySubject.map((r) => r.record.recordId),
        all.filter((r) => r.subject === 'user-1').map((r) => r.recordId),
      );
      assert.ok(bySubject.length > 0);

      const human = await run('list', '--provider', 'authlete', '--status', 'FAILED');
      assert.equal(human.code, 0, human.stderr);
      const wanted = all.filter((r) => r.provider === 'authlete' && r.status === 'FAILED');
      assert.ok(wanted.length > 0);
      const lines = human.stdout.trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^RECORD +STATUS +PROVIDER +SUBJECT +REQUESTED +VERIFICATION +ERROR$/);
      assert.deepEqual(
        lines.slice(1).map((l) => l.split(/\s+/)[0]),
        wanted.map((r) => r.recordId),
      );
      assert.ok(
        lines.slice(1).every((l) => /\bFAILED +authlete\/\S+ .* UNAVAILABLE$/.test(l)),
        human.stdout,
      );

      const job = await run('list', '--job', 'bulk-cli-0', '--limit', '5');
      assert.equal(job.stdout.trimEnd().split('\n').length, 1 + 5 + 1, job.stdout);
      assert.match(job.stdout, /more records match: raise --limit/);

      const window = await run(
        'list',
        '--from',
        '2026-01-01T00:00:10Z',
        '--to',
        '2026-01-01T00:00:20Z',
        '--json',
      );
      const inWindow = (JSON.parse(window.stdout) as { records: LedgerRow[]; more: boolean }).records;
      assert.deepEqual(
        inWindow.map((r) => r.record.recordId),
        all.slice(10, 20).map((r) => r.recordId),
      );

      const single = all[20]!;
      const op = await run(
        'list',
        '--operation',
        single.operationId,
        '--connection',
        single.connection,
        '--json',
      );
      assert.deepEqual(
        (JSON.parse(op.stdout) as { records: LedgerRow[] }).records.map((r) => r.record),
        [single],
      );
    });

    void it('bad flags exit 2 naming the flag; a ledger that is not there exits 3 naming --ledger', async () => {
      for (const [args, flag] of [
        [['list', '--status', 'GONE'], '--status'],
        [['list', '--provider', 'nope'], '--provider'],
        [['list', '--from', 'last tuesday'], '--from'],
        [['list', '--from', '2026-02-01', '--to', '2026-01-01'], '--to'],
        [['list', '--limit', '0'], '--limit'],
        [['export', '--output', '-', '--json'], '--json'],
        [['export', '--format', 'xml'], '--format'],
        [['purge'], '--before'],
        [['purge', '--before', '2026-13-45'], '--before'],
        [['verify', '--file', join(dir, 'missing.ndjson')], '--file'],
      ] as const) {
        const r = await run(...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`${flag}\\b`), args.join(' '));
      }
      const missing = await run('list', '--ledger', `sqlite:${join(dir, 'nothing-here.db')}`);
      assert.equal(missing.code, 3, missing.stderr);
      assert.match(missing.stderr, /--ledger: no ledger at .*nothing-here\.db/);
      // A database that is not there: exit 3 naming the flag, the password masked.
      const refused = await run('list', '--ledger', 'postgres://auditor:s3cret-pw@127.0.0.1:1/evidence');
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(
        refused.stderr,
        /^error: --ledger: cannot open postgres:\/\/auditor:\*\*\*@127\.0\.0\.1:1\/evidence: /,
      );
      assert.doesNotMatch(refused.stderr, /s3cret-pw/);
    });

    void it('show: every field and its place in the chain; --json is the stored row; exit 5 when unknown', async () => {
      const row = stored[7]!;
      const human = await run('show', row.record.recordId);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, new RegExp(`^record +${row.record.recordId}$`, 'm'));
      assert.match(human.stdout, new RegExp(`^stream +${row.streamId} #${row.seq}$`, 'm'));
      assert.match(human.stdout, new RegExp(`^hash +${row.hash}$`, 'm'));
      const asJson = await run('show', row.record.recordId, '--json');
      assert.deepEqual(JSON.parse(asJson.stdout), row);
      const unknown = await run('show', 'revoke-none/request');
      assert.equal(unknown.code, 5);
      assert.match(unknown.stderr, /evidence record revoke-none\/request not found/);
    });

    void it('export: to a file (format from the extension) and to stdout, reading back to the stored rows', async () => {
      const ndjson = join(dir, 'evidence.ndjson');
      const r = await run('export', '--output', ndjson, '--json');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { exported: TOTAL, format: 'ndjson', output: ndjson });
      assert.deepEqual(await rowsOf(ndjson, 'ndjson'), stored);

      const csv = join(dir, 'evidence.csv');
      const c = await run('export', '--output', csv);
      assert.equal(c.stdout, `exported ${TOTAL} records to ${csv} (csv)\n`);
      assert.match(readFileSync(csv, 'utf8'), /^recordId,operationId,jobId,/);
      assert.deepEqual(await rowsOf(csv, 'csv'), stored);

      const out = await run('export', '--status', 'REVOKED', '--format', 'ndjson');
      assert.equal(out.code, 0, out.stderr);
      const lines = out.stdout.trimEnd().split('\n');
      assert.equal(lines.length, all.filter((x) => x.status === 'REVOKED').length);
      assert.ok(lines.every((l) => (JSON.parse(l) as { status: string }).status === 'REVOKED'));
    });

    void it('verify: passes untouched, checks an export, and fails with a key that did not sign', async () => {
      const ok = await run('verify');
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(
        ok.stdout,
        new RegExp(`^ok: .*: ${TOTAL} records in 1 stream, \\d+ signed checkpoints$`, 'm'),
      );
      const withFile = await run(
        'verify',
        '--public-key',
        publicFile,
        '--file',
        join(dir, 'evidence.csv'),
        '--json',
      );
      assert.equal(withFile.code, 0, withFile.stderr);
      const report = JSON.parse(withFile.stdout) as {
        ok: boolean;
        records: number;
        file: { ok: boolean; rows: number };
      };
      assert.equal(report.ok, true);
      assert.equal(report.records, TOTAL);
      assert.deepEqual(report.file, { ok: true, rows: TOTAL, purged: 0 });

      const forged = await run('verify', '--public-key', otherPublicFile);
      assert.equal(forged.code, 1);
      assert.match(forged.stderr, /^error: FORGED_CHECKPOINT at checkpoint 1: /m);
      // Without --public-key: the .pub.pem the worker writes beside the signing key, when there is one.
      const beside = keyFile.replace(/\.pem$/, '.pub.pem');
      writeFileSync(beside, readFileSync(otherPublicFile));
      const besideRun = await run('verify');
      rmSync(beside);
      assert.equal(besideRun.code, 1);
      assert.match(besideRun.stderr, /^error: FORGED_CHECKPOINT/m);

      // An export edited after the fact no longer matches the ledger, and the record is named.
      const edited = join(dir, 'edited.ndjson');
      const victim = stored[12]!.record;
      const exported = readFileSync(join(dir, 'evidence.ndjson'), 'utf8');
      const target = `"target":${JSON.stringify(victim.target)}`;
      assert.equal(exported.split(target).length, 2, 'the target is unique in the file');
      writeFileSync(edited, exported.replace(target, '"target":"nothing to see"'));
      const fileBad = await run('verify', '--file', edited);
      assert.equal(fileBad.code, 1);
      assert.match(
        fileBad.stderr,
        new RegExp(`record 13 of the file \\(${victim.recordId}\\): target differs`),
      );
    });

    void it('verify fails after a row is edited in the database, naming the record (the real CLI process)', async () => {
      const victim = all.find((r, i) => i < BATCH_A && r.status === 'FAILED')!;
      await tamper(url, victim.recordId, '"status":"FAILED"', '"status":"REVOKED"');
      const r = spawnSync(process.execPath, [join(root, 'bin', 'revoke.js'), 'evidence', 'verify'], {
        cwd: root,
        env: { ...process.env, ...env, NODE_NO_WARNINGS: '1' },
        encoding: 'utf8',
      });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /^FAILED: .*: EDITED/m);
      assert.match(
        r.stderr,
        new RegExp(`^error: EDITED at record ${victim.recordId}, stream \\S+ seq \\d+: `, 'm'),
      );
    });

    void it('purge asks first; then removes what was stored before --before, and verify passes again', async () => {
      const declined = await runWithStdin('no\n', 'purge', '--before', cut);
      assert.equal(declined.code, 1);
      assert.match(declined.stderr, /Type "yes" to go on: \nnot confirmed: nothing was removed/);
      const count = await run('list', '--json', '--limit', '1000');
      assert.equal((JSON.parse(count.stdout) as { records: unknown[] }).records.length, TOTAL);

      const purge = await runWithStdin('yes\n', 'purge', '--before', cut, '--json');
      assert.equal(purge.code, 0, purge.stderr);
      const summary = JSON.parse(purge.stdout) as { removed: number; before: string };
      assert.deepEqual([summary.removed, summary.before], [BATCH_A, cut]);

      // The edited row was stored before the cut: it is gone, and the purge is in the chain.
      const ok = await run('verify');
      assert.equal(ok.code, 0, `${ok.stdout}${ok.stderr}`);
      assert.match(ok.stdout, new RegExp(`^ok: .*: ${TOTAL - BATCH_A} records`, 'm'));
      assert.match(ok.stdout, new RegExp(`^purged at \\S+: ${BATCH_A} records stored before ${cut}`, 'm'));
      const left = await run('list', '--json');
      assert.deepEqual(
        (JSON.parse(left.stdout) as { records: LedgerRow[] }).records.map((r) => r.record),
        all.slice(BATCH_A),
      );
      assert.equal((await run('show', all[0]!.recordId)).code, 5);

      // An export taken before the purge still checks: the purged rows are counted, not failed.
      const old = await run('verify', '--file', join(dir, 'evidence.ndjson'));
      assert.equal(old.code, 0, old.stderr);
      assert.match(old.stdout, new RegExp(`rows match the ledger, ${BATCH_A} since purged from the ledger`));
    });

    void it('purge without the signing key exits 3 naming the flag', async () => {
      const r = await run('purge', '--before', cut, '--yes', '--signing-key', join(dir, 'no-key.pem'));
      assert.equal(r.code, 3);
      assert.match(r.stderr, /--signing-key: cannot read the key file .*no-key\.pem \(ENOENT\)/);
    });
  });
}

void describe('docs/auditing.md: the auditor commands run as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-docs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The `npm run -s revoke -- evidence …` lines of the doc's shell blocks, as argument lists. */
  function docCommands(): string[][] {
    const doc = readFileSync(join(root, 'docs', 'auditing.md'), 'utf8');
    const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    return blocks
      .flatMap((b) => b.split('\n'))
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line.startsWith('npm run -s revoke -- evidence '))
      .map((line) => line.slice('npm run -s revoke -- '.length).split(/\s+/));
  }

  void it('verify, export, verify --file, list, show and purge exit 0 against a ledger like npm start writes', async () => {
    const commands = docCommands();
    assert.ok(commands.length >= 7, `${commands.length} commands`);
    const keys = ed25519Pem();
    const keyFile = join(dir, 'ledger-signing-key.pem');
    writeFileSync(keyFile, keys.privateKey);
    // What the operators hand over (the doc's `cp`), under the name the doc uses.
    writeFileSync(join(dir, 'ledger-public.pem'), keys.publicKey);
    const url = `sqlite:${join(dir, 'evidence.db')}`;
    const ledger = await openLedger({ url, signingKey: keys.privateKey });
    // The ids the doc's examples name, besides ordinary records (some of alice's, all in 2026).
    const single = 'revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41';
    const job = 'bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41';
    const named: EvidenceRecord[] = [
      {
        ...evidenceRecord(0, undefined, 'docs'),
        recordId: `${single}/request`,
        operationId: single,
        jobId: null,
        targetKey: 'request',
      },
      {
        ...evidenceRecord(1, undefined, 'docs'),
        recordId: `${job}/target/1`,
        operationId: job,
        jobId: job,
        targetKey: 'target/1',
        status: 'FAILED',
        errorCode: 'UNAVAILABLE',
        revokedAt: null,
      },
    ];
    await ledger.append([
      ...recordsOf(10, 30).map((r, i) => (i % 3 ? r : { ...r, subject: 'alice' })),
      ...named,
    ]);
    await ledger.checkpoint('docs');
    await ledger.close();
    // Files the commands name live in the scratch directory, not the checkout.
    const env = { LEDGER_URL: url, LEDGER_SIGNING_KEY_FILE: keyFile };
    for (const args of commands) {
      const local = args.map((a) => (/\.(ndjson|csv|pem)$/.test(a) ? join(dir, a) : a));
      const r = await runCliCaptured(local, env, 'yes\n');
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      if (args[1] === 'show' || args[1] === 'list')
        assert.doesNotMatch(r.stdout, /^no evidence records/, args.join(' '));
    }
  });
});

void describe('revoke evidence export: progress on stderr', () => {
  void it('nothing for a short export; then a line at most every 2 s, with the count and the rate', () => {
    let now = 0;
    const lines: string[] = [];
    const p = exportProgress({ write: (s: string) => lines.push(s) }, () => now);
    now = 1_500;
    p.update(1000);
    assert.deepEqual(lines, []);
    now = 2_000;
    p.update(4000);
    now = 3_000;
    p.update(6000);
    now = 4_000;
    p.update(8000);
    p.stop();
    assert.deepEqual(lines, ['export: 4000 records, 2000/s\n', 'export: 8000 records, 2000/s\n']);
  });
});
