import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import * as heartbeat from '../api/bulk-page-heartbeat';
import { createTestStack, type TestStack } from './helpers/stack';
import { startBulk, waitBulk } from './helpers/bulk';
import { fetchHistory } from './helpers/history';

/**
 * Issue 13, point 12: docs/bulk-jobs.md quotes the bulk page's heartbeat numbers, and the code takes
 * them from api/bulk-page-heartbeat.ts. Both are read here, so changing either alone fails.
 */

const doc = readFileSync(join(__dirname, '..', 'docs', 'bulk-jobs.md'), 'utf8');
const constants: Array<[string, number]> = Object.entries(heartbeat as Record<string, unknown>).flatMap(
  ([name, value]) => (name.startsWith('BULK_PAGE_') && typeof value === 'number' ? [[name, value]] : []),
);

/** The rows of the "Heartbeats" table: constant name → the value it states, in ms. */
function documentedTable(): Map<string, number> {
  const section = /^### Heartbeats\n([\s\S]*?)(?=^#{2,3} )/m.exec(doc)?.[1];
  assert.ok(section, 'docs/bulk-jobs.md has a "### Heartbeats" section');
  const rows = new Map<string, number>();
  for (const line of section.split('\n')) {
    const m = /^\|[^|]*\|\s*(\d+(?:\.\d+)?) s\s*\|\s*`(\w+)`\s*\|$/.exec(line);
    if (!m) continue;
    assert.ok(!rows.has(m[2] as string), `${m[2]} is in the table twice`);
    rows.set(m[2] as string, Number(m[1]) * 1000);
  }
  return rows;
}

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

void describe('bulk page heartbeats: docs/bulk-jobs.md and api/bulk-page-heartbeat.ts agree', () => {
  void it('the Heartbeats table states every constant with its value', () => {
    const rows = documentedTable();
    assert.equal(constants.length, 3, 'timeout, checkpoint interval, clock');
    assert.deepEqual([...rows.keys()].sort(), constants.map(([name]) => name).sort());
    for (const [name, value] of constants)
      assert.equal(rows.get(name), value, `${name} in docs/bulk-jobs.md`);
  });

  void it('every heartbeat timeout the prose quotes is the constant, and so is the SDK throttle it derives', () => {
    const timeoutS = heartbeat.BULK_PAGE_HEARTBEAT_TIMEOUT_MS / 1000;
    const quoted = [...doc.matchAll(/heartbeat[^.()|]*\((\d+(?:\.\d+)?) s\b/gi)].map((m) => Number(m[1]));
    assert.ok(quoted.length > 0, 'the prose quotes the timeout');
    assert.deepEqual(
      quoted,
      quoted.map(() => timeoutS),
      `heartbeat timeouts quoted: ${quoted.join(', ')} s`,
    );
    const throttle = /0\.8 × the timeout \((\d+(?:\.\d+)?) s\)/.exec(doc);
    assert.ok(throttle, 'the docs state the SDK throttle');
    assert.equal(Number(throttle[1]), 0.8 * timeoutS);
  });

  void it('the clock beats at least twice per timeout, and the throttle is finer than the clock', () => {
    assert.ok(heartbeat.BULK_PAGE_HEARTBEAT_CLOCK_MS * 2 <= heartbeat.BULK_PAGE_HEARTBEAT_TIMEOUT_MS);
    assert.ok(heartbeat.BULK_PAGE_CHECKPOINT_MIN_INTERVAL_MS < heartbeat.BULK_PAGE_HEARTBEAT_CLOCK_MS);
  });

  void it('the workflow schedules each page with the constant as its heartbeat timeout', async () => {
    const s = (stack = await createTestStack({
      tokens: [{ id: 'rt-hb', subjectId: 'hb-subject', clientId: 'client-a', token: 'yc1.rt-hb-secret' }],
    }));
    await s.startWorker();
    const id = await startBulk(s, {
      name: 'heartbeat-timeout',
      source: { kind: 'inline', requests: [{ provider: 'yandex-cloud', refreshTokenId: 'rt-hb' }] },
    });
    const op = await waitBulk(s, id, 60_000);
    assert.equal(op.response?.processed, 1, JSON.stringify(op.error));
    const scheduled = ((await fetchHistory(s.temporal, id)).events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'bulkProcessPage');
    assert.ok(scheduled.length > 0, 'a page was scheduled');
    for (const a of scheduled) {
      const t = a?.heartbeatTimeout;
      const ms = Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
      assert.equal(ms, heartbeat.BULK_PAGE_HEARTBEAT_TIMEOUT_MS, 'heartbeatTimeout in history');
    }
  });
});
