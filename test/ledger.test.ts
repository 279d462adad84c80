import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { EvidenceRecord, EvidenceStatus } from '../api';
import { type EvidenceLedger, LedgerConfigError, type LedgerRow, openLedger } from '../ledger';
import { canonicalJson, rowHash, sha256Hex } from '../ledger/canonical';
import { ledgerBackends } from './helpers/ledger-backends';

const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signingKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: JSON.stringify(publicKey.export({ format: 'jwk' })),
  };
};
const keys = keyPair();

let serial = 0;
function record(over: Partial<EvidenceRecord> = {}): EvidenceRecord {
  const operationId = over.operationId ?? `op-${++serial}`;
  const targetKey = over.targetKey ?? 'request';
  return {
    recordId: `${operationId}/${targetKey}`,
    operationId,
    jobId: null,
    targetKey,
    provider: 'oauth2',
    connection: 'default',
    target: 'refresh token',
    tokenFingerprint: 'sha256:0f1e2d3c',
    subject: 'alice',
    requestedBy: 'test@host',
    requestedAt: '2026-01-02T03:04:05.000Z',
    revokedAt: '2026-01-02T03:04:06.000Z',
    providerReference: {},
    verification: null,
    attempts: 1,
    status: 'REVOKED',
    errorCode: null,
    ...over,
  };
}

/** A job's targets: `n` records of one operation. */
const job = (n: number, over: Partial<EvidenceRecord> = {}) => {
  const operationId = `job-${++serial}`;
  return Array.from({ length: n }, (_, i) =>
    record({ operationId, jobId: operationId, targetKey: `target/${i}`, ...over }),
  );
};

async function rows(ledger: EvidenceLedger, q = {}): Promise<LedgerRow[]> {
  const out: LedgerRow[] = [];
  for await (const r of ledger.query(q)) out.push(r);
  return out;
}

/**
 * Runs SQL on the ledger's database behind its back (what an attacker with write access can do);
 * resolves to the rows of the last statement.
 */
async function tamper(
  url: string,
  statements: [string, (string | number | null)[]][],
): Promise<Record<string, unknown>[]> {
  let last: Record<string, unknown>[] = [];
  if (url.startsWith('sqlite:')) {
    const db = new DatabaseSync(url.slice('sqlite:'.length));
    try {
      for (const [sql, params] of statements) {
        const s = db.prepare(sql);
        if (/^\s*SELECT/i.test(sql)) last = s.all(...params) as Record<string, unknown>[];
        else s.run(...params);
      }
    } finally {
      db.close();
    }
    return last;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const [sql, params] of statements) {
      let n = 0;
      last = (
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows as Record<string, unknown>[];
    }
  } finally {
    await client.end();
  }
  return last;
}

/** A writer process: appends 150 targets built from TEMPLATE in pages of 20, prints written=N. */
const WRITER_PROCESS = `
const { openLedger } = require('./ledger');
(async () => {
  const t = JSON.parse(process.env.TEMPLATE);
  const records = Array.from({ length: 150 }, (_, i) => ({ ...t, targetKey: 'target/' + i, recordId: t.operationId + '/target/' + i }));
  if (process.env.ORDER === 'reverse') records.reverse();
  const ledger = await openLedger({ url: process.env.LEDGER_URL, signingKey: process.env.LEDGER_KEY, checkpointEvery: 40 });
  let written = 0;
  for (let i = 0; i < records.length; i += 20) written += (await ledger.append(records.slice(i, i + 20))).written;
  await ledger.checkpoint('writer done');
  await ledger.close();
  process.stdout.write('written=' + written + '\\n');
})().catch((err) => { console.error(err); process.exit(1); });
`;

for (const backend of ledgerBackends()) {
  void describe(`evidence ledger (${backend.name})`, { skip: backend.skip ?? false }, () => {
    const open: EvidenceLedger[] = [];
    after(async () => {
      await Promise.all(open.splice(0).map((l) => l.close()));
      await backend.stop();
    });
    const ledgerAt = async (
      url: string,
      options: { checkpointEvery?: number; signingKey?: string; publicKey?: string } = {},
    ) => {
      const l = await openLedger({ url, signingKey: keys.signingKey, ...options });
      open.push(l);
      return l;
    };
    /**
     * A fresh ledger holding one job of 8 records and one of 4 (seq 1..12 of one stream): checkpoint 1
     * (interval) binds row 8, checkpoint 2 (job end) row 12.
     */
    const filled = async () => {
      const url = await backend.freshUrl();
      const ledger = await ledgerAt(url, { checkpointEvery: 5 });
      const records = [...job(8), ...job(4)];
      await ledger.append(records.slice(0, 8));
      await ledger.append(records.slice(8));
      await ledger.checkpoint('end of jobs');
      return { url, ledger, records };
    };
    const firstProblem = async (ledger: EvidenceLedger) => {
      const report = await ledger.verify();
      assert.equal(report.ok, false, 'verify fails');
      return report.problem!;
    };

    void it('appends, finds, gets and queries with every filter', async () => {
      const url = await backend.freshUrl();
      const ledger = await ledgerAt(url);
      const a = record({
        subject: 'alice',
        provider: 'authlete',
        connection: 'prod',
        requestedAt: '2026-01-01T00:00:00Z',
      });
      const b = record({
        subject: 'bob',
        status: 'FAILED',
        errorCode: 'UNAVAILABLE',
        requestedAt: '2026-02-01T00:00:00.000Z',
      });
      const targets = job(3, { subject: 'carol', requestedAt: '2026-03-01T00:00:00.000Z' });
      assert.deepEqual(await ledger.append([a, b, ...targets]), { written: 5, existing: [] });

      assert.deepEqual(await ledger.find([b.recordId, 'nope/request', a.recordId]), [b, a]);
      const got = await ledger.get(a.recordId);
      assert.deepEqual(got?.record, a);
      assert.equal(got?.seq, 1);
      assert.equal(got?.prevHash, '0'.repeat(64));
      assert.match(got!.hash, /^[0-9a-f]{64}$/);
      assert.equal(await ledger.get('nope/request'), undefined);
      const dump = await backend.dump(url);
      assert.ok(dump.includes(b.recordId) && dump.includes(b.tokenFingerprint!), 'the dump holds the rows');

      const ids = async (q: object) => (await rows(ledger, q)).map((r) => r.record.recordId);
      assert.deepEqual(
        await ids({}),
        [a, b, ...targets].map((r) => r.recordId),
        'recordedAt, stream, seq order',
      );
      assert.deepEqual(await ids({ subject: 'bob' }), [b.recordId]);
      assert.deepEqual(await ids({ provider: 'authlete', connection: 'prod' }), [a.recordId]);
      assert.deepEqual(await ids({ status: 'FAILED' as EvidenceStatus }), [b.recordId]);
      assert.deepEqual(
        await ids({ jobId: targets[0]!.jobId }),
        targets.map((r) => r.recordId),
      );
      assert.deepEqual(await ids({ operationId: a.operationId }), [a.recordId]);
      assert.deepEqual(await ids({ from: '2026-01-15T00:00:00Z', to: '2026-03-01T00:00:00Z' }), [b.recordId]);
      assert.deepEqual(await ids({ from: '2026-01-01T00:00:00.000Z', limit: 2 }), [a.recordId, b.recordId]);
    });

    void it('streams a large result in keyset pages, in order', async () => {
      const ledger = await ledgerAt(await backend.freshUrl(), { checkpointEvery: 10_000 });
      const records = job(1203);
      await ledger.append(records.slice(0, 700));
      await ledger.append(records.slice(700));
      const got = await rows(ledger);
      assert.equal(got.length, 1203);
      assert.deepEqual(
        got.map((r) => r.seq),
        records.map((_, i) => i + 1),
      );
      assert.equal((await rows(ledger, { limit: 501 })).length, 501);
    });

    void it('a re-appended record is not written again and comes back as existing', async () => {
      const ledger = await ledgerAt(await backend.freshUrl());
      const [a, b, c] = job(3);
      assert.deepEqual(await ledger.append([a!, b!]), { written: 2, existing: [] });
      // A retried page: the same two again, one new, and a duplicate within the batch.
      const again = await ledger.append([a!, { ...b!, attempts: 9 }, c!, c!]);
      assert.equal(again.written, 1);
      assert.deepEqual(
        again.existing.map((r) => [r.recordId, r.attempts]),
        [
          [a!.recordId, 1],
          [b!.recordId, 1],
          [c!.recordId, 1],
        ],
        'existing are the stored records (and the batch duplicate)',
      );
      assert.deepEqual(await ledger.append([a!, b!, c!]), { written: 0, existing: [a, b, c] });
      assert.deepEqual(
        (await rows(ledger)).map((r) => r.seq),
        [1, 2, 3],
      );
      assert.equal((await ledger.verify()).ok, true);
    });

    void it('two writers on one url: one row per record id, a chain each, both verify', async () => {
      const url = await backend.freshUrl();
      const [w1, w2] = await Promise.all([
        ledgerAt(url, { checkpointEvery: 7 }),
        ledgerAt(url, { checkpointEvery: 7 }),
      ]);
      const records = job(60);
      // Interleaved and concurrent: each writer appends overlapping pages of the same job at once.
      const pages = (from: number) =>
        Array.from({ length: 6 }, (_, i) => records.slice(from + i * 10, from + i * 10 + 15));
      const results = await Promise.all([
        ...pages(0).map((p) => w1.append(p)),
        ...pages(0).map((p) => w2.append([...p].reverse())),
      ]);
      const written = results.reduce((n, r) => n + r.written, 0);
      assert.equal(written, 60, 'every record written exactly once');
      const stored = await rows(w1);
      assert.equal(stored.length, 60);
      assert.equal(new Set(stored.map((r) => r.record.recordId)).size, 60);
      const streams = new Set(stored.map((r) => r.streamId));
      assert.equal(streams.size, 2, 'two chains');
      await w1.checkpoint('job end');
      const report = await w2.verify();
      assert.deepEqual(
        { ...report, checkpoints: 0 },
        { ok: true, records: 60, streams: 2, checkpoints: 0, purges: [] },
      );
      assert.ok(report.checkpoints >= 2);
    });

    void it('three processes open a new ledger at once and write the same job into it', async () => {
      const url = await backend.freshUrl();
      const operationId = `job-${++serial}`;
      const template = record({ operationId, jobId: operationId });
      // Each process opens the new database (its migrations race) and appends every target of the
      // job in pages of 20, in its own order; every id must end up stored once.
      const child = (order: 'forward' | 'reverse') =>
        new Promise<number>((resolve, reject) => {
          const p = spawn(process.execPath, ['--import', 'tsx', '-e', WRITER_PROCESS], {
            cwd: join(__dirname, '..'),
            env: {
              ...process.env,
              LEDGER_URL: url,
              LEDGER_KEY: keys.signingKey,
              TEMPLATE: JSON.stringify(template),
              ORDER: order,
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          p.stdout.on('data', (d: Buffer) => (out += d.toString()));
          p.stderr.on('data', (d: Buffer) => (out += d.toString()));
          p.once('exit', (code) =>
            code === 0 ? resolve(Number(/written=(\d+)/.exec(out)?.[1])) : reject(new Error(out)),
          );
        });
      const written = await Promise.all([child('forward'), child('reverse'), child('forward')]);
      assert.equal(
        written.reduce((a, b) => a + b, 0),
        150,
        `written per process: ${written.join(', ')}`,
      );
      const ledger = await ledgerAt(url);
      const stored = await rows(ledger, { jobId: operationId });
      assert.equal(new Set(stored.map((r) => r.record.recordId)).size, 150);
      assert.equal(stored.length, 150);
      const report = await ledger.verify();
      assert.equal(report.ok, true, JSON.stringify(report.problem));
      assert.equal(report.records, 150);
    });

    void it('two writers racing on the same ids end with exactly one row each', async () => {
      const url = await backend.freshUrl();
      const [w1, w2] = await Promise.all([ledgerAt(url), ledgerAt(url)]);
      for (let round = 0; round < 5; round++) {
        const records = job(40);
        const [r1, r2] = await Promise.all([w1.append(records), w2.append(records)]);
        assert.equal(r1.written + r2.written, 40);
        assert.equal(r1.existing.length + r2.existing.length, 40);
      }
      assert.equal((await rows(w1)).length, 200);
      assert.equal((await w1.verify()).ok, true);
    });

    void it('verify passes an untouched ledger and counts what it checked', async () => {
      const { ledger } = await filled();
      assert.deepEqual(await ledger.verify(), {
        ok: true,
        records: 12,
        streams: 1,
        checkpoints: 2,
        purges: [],
      });
      // An auditor holds the public key only.
      const auditor = await ledgerAt((await filled()).url, { signingKey: '', publicKey: keys.publicKey });
      assert.equal((await auditor.verify()).ok, true);
    });

    void it('an edited column is EDITED at that record', async () => {
      const { url, ledger, records } = await filled();
      await tamper(url, [
        ['UPDATE ledger_records SET status = ? WHERE record_id = ?', ['FAILED', records[4]!.recordId]],
      ]);
      const p = await firstProblem(ledger);
      assert.deepEqual([p.kind, p.seq, p.recordId], ['EDITED', 5, records[4]!.recordId]);
      assert.match(p.message, /status column differs/);
    });

    void it('an edited body is EDITED at that record', async () => {
      const { url, ledger, records } = await filled();
      await tamper(url, [
        [
          'UPDATE ledger_records SET body = replace(body, ?, ?) WHERE record_id = ?',
          ['"alice"', '"mallory"', records[6]!.recordId],
        ],
      ]);
      const p = await firstProblem(ledger);
      assert.deepEqual([p.kind, p.seq, p.recordId], ['EDITED', 7, records[6]!.recordId]);
    });

    void it('a body edited and the chain rehashed is caught by the checkpoints', async () => {
      const { url, ledger } = await filled();
      // Rewrite row 10's subject and recompute every hash from there on (what a careful forger does).
      let prev = (await rows(ledger))[8]!.hash;
      const statements: [string, (string | number | null)[]][] = [];
      for (const r of (await rows(ledger)).slice(9)) {
        const record = r.seq === 10 ? { ...r.record, subject: 'mallory' } : r.record;
        const body = canonicalJson(record);
        const hash = rowHash(body, {
          prevHash: prev,
          streamId: r.streamId,
          seq: r.seq,
          recordedAt: r.recordedAt,
        });
        statements.push([
          'UPDATE ledger_records SET body = ?, subject = ?, prev_hash = ?, hash = ? WHERE record_id = ?',
          [body, record.subject, prev, hash, r.record.recordId],
        ]);
        prev = hash;
      }
      await tamper(url, statements);
      const p = await firstProblem(ledger);
      assert.deepEqual(
        [p.kind, p.seq, p.checkpointId],
        ['CHECKPOINT_MISMATCH', 12, '2'],
        'the first row a checkpoint binds',
      );
      assert.match(p.message, /rewritten and rehashed after row 8, the last row a checkpoint confirms/);
    });

    void it('a deleted row is DELETED at its seq', async () => {
      const { url, ledger, records } = await filled();
      await tamper(url, [['DELETE FROM ledger_records WHERE record_id = ?', [records[2]!.recordId]]]);
      const p = await firstProblem(ledger);
      assert.deepEqual([p.kind, p.seq], ['DELETED', 3]);
      assert.match(p.message, new RegExp(`next row is row 4 .*${records[3]!.recordId}`));
    });

    void it('a deleted last row is DELETED: a checkpoint names it', async () => {
      const { url, ledger, records } = await filled();
      await tamper(url, [
        ['DELETE FROM ledger_records WHERE record_id = ?', [records[11]!.recordId]],
        ['UPDATE ledger_streams SET head_seq = head_seq - 1', []],
      ]);
      const p = await firstProblem(ledger);
      assert.deepEqual([p.kind, p.seq, p.checkpointId], ['DELETED', 12, '2']);
    });

    void it('two swapped rows are REORDERED at the first of them', async () => {
      const { url, ledger, records } = await filled();
      // Swap the positions (seq) of rows 3 and 4.
      await tamper(url, [
        ['UPDATE ledger_records SET seq = -1 WHERE record_id = ?', [records[2]!.recordId]],
        ['UPDATE ledger_records SET seq = 3 WHERE record_id = ?', [records[3]!.recordId]],
        ['UPDATE ledger_records SET seq = 4 WHERE record_id = ?', [records[2]!.recordId]],
      ]);
      const p = await firstProblem(ledger);
      assert.deepEqual([p.kind, p.seq, p.recordId], ['REORDERED', 3, records[3]!.recordId]);
    });

    void it('two rows with swapped bodies are REORDERED at the first of them', async () => {
      const { url, ledger, records } = await filled();
      const [r6, r7] = [(await ledger.get(records[5]!.recordId))!, (await ledger.get(records[6]!.recordId))!];
      await tamper(url, [
        [
          'UPDATE ledger_records SET record_id = ?, body = ? WHERE seq = 6',
          ['swap', canonicalJson(r7.record)],
        ],
        [
          'UPDATE ledger_records SET record_id = ?, body = ? WHERE seq = 7',
          [r6.record.recordId, canonicalJson(r6.record)],
        ],
        ['UPDATE ledger_records SET record_id = ? WHERE seq = 6', [r7.record.recordId]],
      ]);
      const p = await firstProblem(ledger);
      assert.deepEqual([p.kind, p.seq, p.recordId], ['REORDERED', 6, r7.record.recordId]);
    });

    void it('a checkpoint signed with another key is FORGED_CHECKPOINT', async () => {
      const { url, ledger } = await filled();
      const forger = await ledgerAt(url, { signingKey: keyPair().signingKey });
      await forger.checkpoint('looks legitimate');
      const p = await firstProblem(ledger);
      assert.deepEqual([p.kind, p.checkpointId], ['FORGED_CHECKPOINT', '3']);
      assert.match(p.message, /does not verify with the ledger's public key/);
    });

    void it('a checkpoint with an altered payload is FORGED_CHECKPOINT', async () => {
      const { url, ledger } = await filled();
      const [row] = await tamper(url, [['SELECT jws FROM ledger_checkpoints WHERE id = 2', []]]);
      const [head, payload, sig] = String(row!.jws).split('.');
      const body = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as {
        heads: Record<string, { seq: number }>;
      };
      for (const h of Object.values(body.heads)) h.seq -= 1;
      const altered = `${head}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${sig}`;
      // The stored hash made to match, so only the signature can tell.
      await tamper(url, [
        ['UPDATE ledger_checkpoints SET jws = ?, hash = ? WHERE id = 2', [altered, sha256Hex(altered)]],
      ]);
      const p = await firstProblem(ledger);
      assert.deepEqual([p.kind, p.checkpointId], ['FORGED_CHECKPOINT', '2']);
    });

    void it('purge removes a prefix of each stream, is signed, and verify passes and reports it', async () => {
      const url = await backend.freshUrl();
      const [w1, w2] = await Promise.all([ledgerAt(url), ledgerAt(url)]);
      const old = job(6);
      await w1.append(old.slice(0, 3));
      await w2.append(old.slice(3));
      await new Promise((r) => setTimeout(r, 20));
      const cut = new Date();
      await new Promise((r) => setTimeout(r, 20));
      const recent = job(4);
      await w1.append(recent.slice(0, 2));
      await w2.append(recent.slice(2));
      const summary = await w1.purge(cut);
      assert.deepEqual({ ...summary, at: '' }, { before: cut.toISOString(), at: '', removed: 6 });
      assert.deepEqual((await rows(w1)).map((r) => [r.record.recordId, r.seq]).sort(), [
        [recent[0]!.recordId, 4],
        [recent[1]!.recordId, 5],
        [recent[2]!.recordId, 4],
        [recent[3]!.recordId, 5],
      ]);
      assert.deepEqual(await w1.find(old.map((r) => r.recordId)), []);
      // Writers go on after a purge; their chains continue from their heads.
      await w2.append(job(2));
      const report = await w1.verify();
      assert.deepEqual(report, { ok: true, records: 6, streams: 2, checkpoints: 1, purges: [summary] });
      // A second purge of everything, then a third that finds nothing.
      const all = await w1.purge(new Date(Date.now() + 60_000));
      assert.equal(all.removed, 6);
      assert.equal((await w1.purge(new Date(Date.now() + 60_000))).removed, 0);
      const final = await w2.verify();
      assert.equal(final.ok, true, JSON.stringify(final.problem));
      assert.deepEqual(
        final.purges.map((p) => p.removed),
        [6, 6, 0],
      );
      assert.equal(final.records, 0);
    });

    void it('a row a purge removed that reappears is named', async () => {
      const url = await backend.freshUrl();
      const ledger = await ledgerAt(url);
      const records = job(3);
      await ledger.append(records);
      const row = (await ledger.get(records[0]!.recordId))!;
      await ledger.purge(new Date(Date.now() + 60_000));
      await tamper(url, [
        [
          'INSERT INTO ledger_records (record_id, stream_id, seq, prev_hash, hash, recorded_at, body, operation_id, job_id, provider, connection, subject, status, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            row.record.recordId,
            row.streamId,
            1,
            row.prevHash,
            row.hash,
            row.recordedAt,
            canonicalJson(row.record),
            row.record.operationId,
            row.record.jobId,
            'oauth2',
            'default',
            'alice',
            'REVOKED',
            row.record.requestedAt,
          ],
        ],
      ]);
      const p = await firstProblem(ledger);
      assert.deepEqual([p.kind, p.seq, p.recordId], ['CHECKPOINT_MISMATCH', 1, row.record.recordId]);
    });

    void it('writes a checkpoint every N records a writer appends, and at each checkpoint()', async () => {
      const ledger = await ledgerAt(await backend.freshUrl(), { checkpointEvery: 5 });
      for (let i = 0; i < 4; i++) await ledger.append(job(3)); // 12 records: after 6 and after 12
      assert.equal((await ledger.verify()).checkpoints, 2);
      await ledger.append(job(4));
      assert.equal((await ledger.verify()).checkpoints, 2, '4 since the last: none yet');
      await ledger.checkpoint('job end');
      await ledger.append(job(4));
      assert.equal((await ledger.verify()).checkpoints, 3, 'checkpoint() restarts the count');
    });
  });
}

void describe('evidence ledger options', () => {
  void it('sqlite: creates the file and its directories; a new ledger verifies empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-dirs-'));
    try {
      const path = join(dir, 'a', 'b', 'evidence.db');
      const ledger = await openLedger({ url: `sqlite:${path}`, signingKey: keys.signingKey });
      assert.deepEqual(await ledger.verify(), {
        ok: true,
        records: 0,
        streams: 0,
        checkpoints: 0,
        purges: [],
      });
      await ledger.close();
      assert.ok(existsSync(path));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('an unknown url names the url and the accepted forms, without its password', async () => {
    await assert.rejects(openLedger({ url: 'mysql://ops:hunter2@db/evidence' }), (err: unknown) => {
      assert.ok(err instanceof LedgerConfigError);
      assert.equal(err.option, 'url');
      assert.match(
        err.message,
        /"mysql:\/\/ops:\*\*\*@db\/evidence" is not a ledger url: use sqlite:<path> or postgres:\/\//,
      );
      assert.ok(!err.message.includes('hunter2'));
      return true;
    });
  });

  void it('writing without a signingKey says which option to set; a bad key names its option', async () => {
    const [backend] = ledgerBackends();
    const ledger = await openLedger({ url: await backend!.freshUrl(), publicKey: keys.publicKey });
    try {
      await assert.rejects(
        async () => ledger.append([record()]),
        /signingKey: writing the evidence ledger needs/,
      );
      await assert.rejects(
        async () => ledger.checkpoint('x'),
        (err: unknown) => err instanceof LedgerConfigError && err.option === 'signingKey',
      );
      assert.equal((await ledger.verify()).ok, true);
    } finally {
      await ledger.close();
      await backend!.stop();
    }
    await assert.rejects(
      openLedger({ url: 'sqlite::memory:', signingKey: 'not a key' }),
      /signingKey: is not an Ed25519 private key/,
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ format: 'pem', type: 'spki' })
      .toString();
    await assert.rejects(
      openLedger({ url: 'sqlite::memory:', publicKey: rsa }),
      /publicKey: must be an Ed25519 key, not rsa/,
    );
  });
});
