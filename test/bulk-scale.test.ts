import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { createTestStack, type TestStack } from './helpers/stack';
import { startBulk, waitBulk } from './helpers/bulk';
import { historyBytes } from './helpers/history';

const N = 100_000;
const subject = 'emulator-subject';
const tokens = () =>
  Array.from({ length: N }, (_, i) => ({
    id: `rt-${i}`,
    subjectId: subject,
    clientId: 'client-a',
    token: `t-${i}`,
  }));

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Every run of the job (continue-as-new starts new ones) stays under the server's warning limits. */
async function runsOf(s: TestStack, id: string): Promise<Array<{ events: number; bytes: number }>> {
  const runs: Array<{ events: number; bytes: number }> = [];
  for await (const exec of s.temporal.workflow.list({ query: `WorkflowId = '${id}'` })) {
    const history = await s.temporal.workflow.getHandle(id, exec.runId).fetchHistory();
    runs.push({ events: history.events?.length ?? 0, bytes: historyBytes(history).length });
  }
  return runs;
}

async function runJob(
  s: TestStack,
  source: Parameters<typeof startBulk>[1]['source'],
  name: string,
): Promise<void> {
  const started = Date.now();
  const id = await startBulk(s, { name, source, pageSize: 1000, concurrency: 32 });
  const op = await waitBulk(s, id, 900_000);
  const r = op.response;
  assert.ok(r, JSON.stringify(op.error));
  assert.equal(r.processed, N);
  assert.equal(r.succeeded, N);
  assert.equal(r.failed, 0);
  assert.equal(s.emulator.activeTokens().length, 0);
  // Visibility is eventually consistent; the last run is listed once the job is closed.
  let runs = await runsOf(s, id);
  for (let i = 0; i < 50 && runs.length < r.runs; i++) {
    await new Promise((res) => setTimeout(res, 200));
    runs = await runsOf(s, id);
  }
  assert.ok(r.runs > 1, 'continued as new');
  assert.equal(runs.length, r.runs);
  const maxEvents = Math.max(...runs.map((x) => x.events));
  const maxBytes = Math.max(...runs.map((x) => x.bytes));
  assert.ok(maxEvents < 10_240, `largest run has ${maxEvents} events`);
  assert.ok(maxBytes < 10 * 1024 * 1024, `largest run is ${maxBytes} bytes`);
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(
    `# ${name}: ${N} targets in ${secs.toFixed(1)} s (${Math.round(N / secs)}/s), ${r.runs} runs, largest run ${maxEvents} events / ${maxBytes} bytes\n`,
  );
}

void describe('bulk jobs at 100,000 targets', () => {
  void it('NDJSON source: exact counts, bounded history', async () => {
    const s = (stack = await createTestStack({ tokens: tokens() }));
    await s.startWorker();
    const path = join(mkdtempSync(join(tmpdir(), 'bulk-100k-')), 'targets.ndjson');
    writeFileSync(
      path,
      Array.from({ length: N }, (_, i) =>
        JSON.stringify({ provider: 'yandex-cloud', refreshTokenId: `rt-${i}` }),
      ).join('\n'),
    );
    await runJob(s, { kind: 'ndjson', path }, 'ndjson-100k');
  });

  void it('emulator listing (Yandex List): exact counts, bounded history', async () => {
    const s = (stack = await createTestStack({ tokens: tokens() }));
    await s.startWorker();
    await runJob(s, { kind: 'yandex-list', subjectId: subject }, 'yandex-list-100k');
  });
});
