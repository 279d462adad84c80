import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import { RevocationClient } from '../client/revocation-client';
import { freePort } from '../scripts/free-port';
import { ctrlC, groupProcesses, npmStart, type NpmStartStack } from './helpers/npm-start';

const root = join(__dirname, '..');

interface WirePayload {
  metadata: Record<string, string>;
  data: string;
}

/**
 * Decodes an operation's input the way the Web UI does: with the codec endpoint from the UI's own
 * settings, from the UI's origin, without an Authorization header (the dev UI has no login).
 */
async function decodeAsTheUi(client: RevocationClient, id: string, uiPort: number) {
  const settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as {
    Codec: { Endpoint: string };
  };
  const raw = new Client({ connection: client.temporal.connection, namespace: 'default' });
  const history = await raw.workflow.getHandle(id).fetchHistory();
  const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  const payloads = input.map((p) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  }));
  const origin = `http://localhost:${uiPort}`;
  const res = await fetch(`${settings.Codec.Endpoint}/decode`, {
    method: 'POST',
    headers: { Origin: origin, 'Content-Type': 'application/json', 'X-Namespace': 'default' },
    body: JSON.stringify({ payloads }),
  });
  return { endpoint: settings.Codec.Endpoint, origin, res, payloads };
}

void describe('npm start', () => {
  const started: NpmStartStack[] = [];
  after(() =>
    started.forEach(
      (s) => s.child.pid && groupProcesses(s.child.pid).length && process.kill(-s.child.pid, 'SIGKILL'),
    ),
  );

  void it('brings the stack up, the printed command revokes, Ctrl-C stops everything, a restart keeps operations', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'revocation-start-'));
    const port = await freePort();
    const uiPort = await freePort();
    const env = {
      REVOCATION_DATA_DIR: dataDir,
      TEMPORAL_DEV_PORT: String(port),
      TEMPORAL_UI_PORT: String(uiPort),
      TEMPORAL_ADDRESS: '',
      // Not npm start's default 9464: other test files run at the same time.
      REVOCATION_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    };

    const first = await npmStart(env);
    started.push(first);
    const out = first.output();
    assert.match(out, new RegExp(`Temporal Web UI: http://127\\.0\\.0\\.1:${uiPort}`));
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    assert.equal(ui.status, 200);

    const command = /Trigger a revocation.*\n\s+(.+)\n/.exec(out)?.[1];
    assert.ok(command, `a command is printed:\n${out}`);
    const run = spawnSync('sh', ['-c', command], {
      cwd: root,
      env: process.env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(run.status, 0, `the printed command succeeds:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /demo-rt-1/);

    const clientEnv = {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      REVOCATION_CODEC_KEY_FILE: join(dataDir, 'codec-keys.json'),
    };
    let client = await RevocationClient.connect({ env: clientEnv });
    let ids: string[] = [];
    for (let i = 0; i < 50 && ids.length === 0; i++) {
      ids = (await client.list({ provider: 'yandex-cloud', done: true })).operations.map((o) => o.id);
      if (ids.length === 0) await delay(200);
    }
    assert.equal(ids.length, 1);

    // The local Web UI decodes out of the box: its codec endpoint carries the local token.
    const token = readFileSync(join(dataDir, 'codec-server-token'), 'utf8').trim();
    const codecUrl = /Codec server:\s+(\S+)/.exec(out)?.[1];
    assert.ok(codecUrl, `the codec server is printed:\n${out}`);
    assert.ok(`${codecUrl}/${token}`.includes(token), 'positive control: the search finds the token');
    assert.ok(!out.includes(token), 'the banner does not print the codec token');
    const ui1 = await decodeAsTheUi(client, ids[0] as string, uiPort);
    assert.equal(ui1.endpoint, `${codecUrl}/${token}`);
    assert.equal(ui1.res.status, 200);
    assert.equal(ui1.res.headers.get('access-control-allow-origin'), ui1.origin);
    const [decoded] = ((await ui1.res.json()) as { payloads: WirePayload[] }).payloads;
    assert.match(Buffer.from(decoded?.data ?? '', 'base64').toString(), /"refreshTokenId":"demo-rt-1"/);
    const post = (headers: Record<string, string>) =>
      fetch(`${codecUrl}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ payloads: ui1.payloads }),
      });
    assert.equal((await post({})).status, 401, 'no token, no plaintext');
    assert.equal(
      (await post({ Authorization: `Bearer ${token}` })).status,
      200,
      'the CLI way: a bearer token',
    );
    await client.close();

    await ctrlC(first);

    const second = await npmStart(env);
    started.push(second);
    client = await RevocationClient.connect({ env: clientEnv });
    const listed = (await client.list({ provider: 'yandex-cloud' })).operations.map((o) => o.id);
    assert.ok(listed.includes(ids[0] as string), 'the earlier operation is still listed after a restart');
    const op = await client.get(ids[0] as string);
    assert.equal(op.done, true);
    assert.deepEqual(op.response?.refreshTokenIds, ['demo-rt-1']);
    await client.close();
    await ctrlC(second);
  });
});
