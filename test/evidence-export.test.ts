import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openLedger, type EvidenceLedger, type LedgerRow } from '../ledger';
import {
  CsvReader,
  EXPORT_COLUMNS,
  EvidenceFileError,
  csvLine,
  exportEvidence,
  readCsvExport,
  readExport,
  readNdjsonExport,
  type ExportFormat,
} from '../ledger/export';
import { ed25519Pem, evidenceRecord, fillLedger } from './helpers/evidence-records';
import { ledgerBackends } from './helpers/ledger-backends';

const root = join(__dirname, '..');
const TOTAL = 100_000;

/** The child's figures (test/fixtures/evidence-export-child.ts). */
interface ChildReport {
  code: number;
  records: number;
  writes: number;
  ms: number;
  at10k: number;
  at100k: number;
  peakAfter10k: number;
  /** The highest RSS seen during the whole export (sampled every 5 ms and at every write). */
  peak: number;
}

/** Runs `revoke evidence export --output -` in a child process that samples its own RSS. */
function exportInChild(
  url: string,
  format: ExportFormat,
  output: string,
  limit?: number,
): Promise<ChildReport> {
  const fixture = join(root, 'test', 'fixtures', 'evidence-export-child.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fixture, url, format, output, ...(limit ? [String(limit)] : [])],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as ChildReport);
      } catch {
        reject(new Error(`export child exited ${code}: ${stdout}\n${stderr}`));
      }
    });
  });
}

/** Pairs two streams of rows; fails when one ends before the other. */
async function* zip<A, B>(a: AsyncIterable<A>, b: AsyncIterable<B>): AsyncGenerator<[A, B, number]> {
  const ia = a[Symbol.asyncIterator]();
  const ib = b[Symbol.asyncIterator]();
  for (let n = 0; ; n++) {
    const [x, y] = await Promise.all([ia.next(), ib.next()]);
    if (x.done || y.done) {
      assert.equal(x.done, y.done, `one side ended after ${n} rows`);
      return;
    }
    yield [x.value, y.value, n];
  }
}

for (const backend of ledgerBackends()) {
  void describe(
    `evidence export (${backend.name}): 100,000 records, NDJSON and CSV, streaming`,
    { skip: backend.skip ?? false },
    () => {
      // Files on tmpfs when there is one: the test is about the export's memory, not the disk's fsync.
      const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'evidence-export-'));
      let url: string;
      let ledger: EvidenceLedger;

      before(async () => {
        const started = Date.now();
        url = backend.name === 'sqlite' ? `sqlite:${join(dir, 'evidence.db')}` : await backend.freshUrl();
        ledger = await openLedger({ url, signingKey: ed25519Pem().privateKey });
        await fillLedger(ledger, 0, TOTAL, { batch: 1000 });
        await ledger.checkpoint('filled');
        process.stderr.write(`# ${backend.name}: filled ${TOTAL} records in ${Date.now() - started} ms\n`);
      });

      after(async () => {
        await ledger?.close();
        await backend.stop();
        rmSync(dir, { recursive: true, force: true });
      });

      for (const format of ['ndjson', 'csv'] as const) {
        void it(`${format}: RSS grows < 20 % from 10k to 100k records, and the file reads back to the ledger's rows`, async (t) => {
          const output = join(dir, `evidence.${format}`);
          // The same export stopped at 10k records, in a process of its own: its peak is the baseline.
          const small = await exportInChild(url, format, join(dir, `small.${format}`), 10_000);
          const r = await exportInChild(url, format, output);
          const mb = (n: number) => (n / 2 ** 20).toFixed(1);
          const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`;
          t.diagnostic(
            `${format}: ${r.records} records in ${r.ms} ms (${r.writes} writes); peak RSS ${mb(small.peak)} MB ` +
              `exporting 10k, ${mb(r.peak)} MB exporting 100k (${pct(small.peak, r.peak)}); within the 100k export ` +
              `${mb(r.at10k)} MB at record 10k, ${mb(r.at100k)} MB at 100k (${pct(r.at10k, r.at100k)})`,
          );
          assert.equal(small.records, 10_000);
          assert.equal(r.code, 0);
          assert.equal(r.records, TOTAL);
          assert.ok(
            r.peak < small.peak * 1.2,
            `peak RSS grew ${pct(small.peak, r.peak)} from 10k to 100k records`,
          );
          assert.ok(r.at100k < r.at10k * 1.2, `RSS grew ${pct(r.at10k, r.at100k)} from record 10k to 100k`);
          // Written as it is read, not at the end: about 64 KiB at a time.
          assert.ok(r.writes > 100, `${r.writes} writes`);

          let n = 0;
          for await (const [fromFile, stored, k] of zip(
            readExport(createReadStream(output), format),
            ledger.query(),
          )) {
            // Every field, chain fields included, and the record is the one appended.
            assert.deepEqual(fromFile, stored, `row ${k}`);
            assert.deepEqual(stored.record, evidenceRecord(k), `record ${k}`);
            n++;
          }
          assert.equal(n, TOTAL);
        });
      }

      void it('waits for drain: a slow output holds no more than about one chunk at a time', async () => {
        let most = 0;
        let chunks = 0;
        const slow = new Writable({
          highWaterMark: 1024,
          write(_chunk, _encoding, callback) {
            chunks++;
            setTimeout(callback, 1);
          },
        });
        const queued = () => (most = Math.max(most, slow.writableLength));
        const written = await exportEvidence(ledger, { limit: 5000 }, 'ndjson', {
          write: (s: string) => {
            const ok = slow.write(s);
            queued();
            return ok;
          },
          once: (event, listener) => slow.once(event, listener),
        });
        assert.equal(written, 5000);
        assert.ok(chunks > 10, `${chunks} chunks`);
        // A chunk is about 64 KiB of text; without waiting, all 5000 rows (about 4 MB) would queue.
        assert.ok(most < 200 * 1024, `${most} bytes queued at most`);
      });

      void it('filters apply to the export, and onProgress counts every 1000 rows and at the end', async () => {
        let text = '';
        const seen: number[] = [];
        const n = await exportEvidence(
          ledger,
          { provider: 'authlete', status: 'FAILED', limit: 2500 },
          'csv',
          { write: (s: string) => (text += s) },
          (k) => seen.push(k),
        );
        assert.equal(n, 2500);
        assert.deepEqual(seen, [1000, 2000, 2500]);
        const rows: LedgerRow[] = [];
        for await (const row of readCsvExport(Readable.from([text]))) rows.push(row);
        assert.equal(rows.length, 2500);
        assert.ok(rows.every((r) => r.record.provider === 'authlete' && r.record.status === 'FAILED'));
      });
    },
  );
}

void describe('evidence export: reading back', () => {
  const row: LedgerRow = {
    record: { ...evidenceRecord(3), target: 'a "quoted", comma\nand line', subject: '', errorCode: null },
    streamId: 's-1',
    seq: 7,
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    recordedAt: '2026-12-04T10:00:00.000Z',
  };

  void it('CSV: quotes, doubled quotes, line breaks, "" (empty) against nothing (null), in any chunking', async () => {
    const header = `${EXPORT_COLUMNS.join(',')}\r\n`;
    const text = header + csvLine(row) + csvLine({ ...row, seq: 8 });
    assert.match(csvLine(row), /,"a ""quoted"", comma\nand line",/);
    for (let cut = 1; cut < text.length; cut += 7) {
      const rows: LedgerRow[] = [];
      for await (const r of readCsvExport(Readable.from([text.slice(0, cut), text.slice(cut)]))) rows.push(r);
      assert.deepEqual(rows, [row, { ...row, seq: 8 }], `cut at ${cut}`);
    }
    // LF line ends read the same as CRLF.
    const lf: LedgerRow[] = [];
    for await (const r of readCsvExport(Readable.from([text.replace(/\r\n/g, '\n')]))) lf.push(r);
    assert.equal(lf[0]?.record.subject, '');
    assert.equal(lf[0]?.record.errorCode, null);
  });

  void it('a file that is not an export fails naming the line and the field', async () => {
    const read = async (rows: AsyncIterable<LedgerRow>) => {
      for await (const _ of rows) void _;
    };
    await assert.rejects(
      read(readCsvExport(Readable.from(['recordId,status\r\n']))),
      /line 1: the header must be/,
    );
    const badJson = `${EXPORT_COLUMNS.join(',')}\n${csvLine(row).replace('{""', '{x""')}`;
    await assert.rejects(read(readCsvExport(Readable.from([badJson]))), {
      name: 'EvidenceFileError',
      message: /line 2, providerReference: not valid JSON/,
    });
    const flat = JSON.stringify({ recordId: 'x' });
    await assert.rejects(read(readNdjsonExport(Readable.from([`${flat}\n`]))), (err: unknown) => {
      assert.ok(err instanceof EvidenceFileError);
      assert.equal(err.line, 1);
      assert.equal(err.field, 'operationId');
      return true;
    });
    const badSeq = csvLine({ ...row }).replace(',7,', ',seven,');
    await assert.rejects(
      read(readCsvExport(Readable.from([`${EXPORT_COLUMNS.join(',')}\n${badSeq}`]))),
      /line 2, seq: not an integer/,
    );
    assert.throws(() => new CsvReader().push('a,"b"c\n'), /text after a closing "/);
  });
});
