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
/** Two clients' N tokens of the stack's subject: one job per source kind, at the same time on one worker. */
const clients = { ndjson: 'scale-ndjson', list: 'scale-list' } as const;
const tokens = () =>
  Object.values(clients).flatMap((clientId) =>
    Array.from({ length: N }, (_, i) => ({
      id: `${clientId}-rt-${i}`,
      subjectId: subject,
      clientId,
      token: `${clientId}-t-${i}`,
    })),
  );

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

/** Starts a job of N targets; resolves with what the run measured once it is done and checked. */
async function runJob(
  s: TestStack,
  source: Parameters<typeof startBulk>[1]['source'],
  name: string,
  clientId: string,
): Promise<string> {
  const started = Date.now();
  const id = await startBulk(s, { name, source, pageSize: 1000, concurrency: 32 });
  const op = await waitBulk(s, id, 900_000);
  const r = op.response;
  assert.ok(r, JSON.stringify(op.error));
  assert.equal(r.processed, N);
  assert.equal(r.succeeded, N);
  assert.equal(r.failed, 0);
  assert.equal(s.emulator.activeTokens().filter((t) => t.clientId === clientId).length, 0);
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
  return `# ${name}: ${N} targets in ${secs.toFixed(1)} s (${Math.round(N / secs)}/s), ${r.runs} runs, largest run ${maxEvents} events / ${maxBytes} bytes\n`;
}

void describe('bulk jobs at 100,000 targets', () => {
  // Both sources at full size, at once on one worker: the same coverage as one job after the
  // other, in less wall time (each job spends much of its time waiting on its own pages).
  void it('NDJSON source and emulator listing (Yandex List), together: exact counts, bounded history', async () => {
    const s = (stack = await createTestStack({ tokens: tokens() }));
    await s.startWorker();
    const path = join(mkdtempSync(join(tmpdir(), 'bulk-100k-')), 'targets.ndjson');
    writeFileSync(
      path,
      Array.from({ length: N }, (_, i) =>
        JSON.stringify({ provider: 'yandex-cloud', refreshTokenId: `${clients.ndjson}-rt-${i}` }),
      ).join('\n'),
    );
    const started = Date.now();
    const lines = await Promise.all([
      runJob(s, { kind: 'ndjson', path }, 'ndjson-100k', clients.ndjson),
      runJob(
        s,
        { kind: 'yandex-list', subjectId: subject, filter: `client_id="${clients.list}"` },
        'yandex-list-100k',
        clients.list,
      ),
    ]);
    process.stdout.write(
      `${lines.join('')}# both jobs: ${2 * N} targets in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    assert.equal(s.emulator.activeTokens().length, 0);
  });
});
