import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { findTemporalCli } from '../scripts/temporal-cli';
import { createCodecServer } from '../codec-server/server';
import { AesGcmPayloadCodec } from '../common/payload-codec';
import { Agent, fetch as undiciFetch } from 'undici';
import { createTestStack, testKeyring, type TestStack } from './helpers/stack';
import { createTestPki } from './helpers/tls-front';

const TOKEN = 'codec-test-token-4f1d9a7c2b';
const WRONG = 'wrong-token-8e6b1c0d93aa';
const UI = 'http://ui.example.test:8233';
const OTHER = 'http://evil.example.test';
const MAX = 64 * 1024;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const jsonPayload = (value: unknown) => ({
  metadata: { encoding: b64('json/plain') },
  data: b64(JSON.stringify(value)),
});
const toWire = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
interface WirePayload {
  metadata: Record<string, string>;
  data: string;
}
const metaText = (p: WirePayload, key: string) => Buffer.from(p.metadata[key] ?? '', 'base64').toString();

let base = '';
let tokenInPathBase = '';
const servers: ReturnType<typeof createCodecServer>[] = [];

async function listen(server: ReturnType<typeof createCodecServer>): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}, root = base) {
  return fetch(`${root}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const auth = { Authorization: `Bearer ${TOKEN}` };

before(async () => {
  const options = { keyring: testKeyring(), token: TOKEN, allowedOrigins: [UI], maxBodyBytes: MAX };
  base = await listen(createCodecServer({ ...options, namespaces: ['default'] }));
  tokenInPathBase = await listen(createCodecServer({ ...options, acceptTokenInPath: true }));
});
after(() => servers.forEach((s) => s.close()));

void describe('codec server', () => {
  void it('answers 401 without a token and with a wrong one, never echoing the token', async () => {
    const body = { payloads: [jsonPayload({ a: 1 })] };
    const none = await post('/decode', body);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await post('/decode', body, { Authorization: `Bearer ${WRONG}` });
    assert.equal(wrong.status, 401);
    const text = await wrong.text();
    assert.match(text, /a valid bearer token is required/);
    const sent = `Authorization: Bearer ${WRONG}`;
    assert.ok(sent.includes(WRONG), 'positive control: the search finds the token where it is');
    assert.ok(!text.includes(WRONG), 'the 401 body does not echo the token');
    const notBearer = await post('/decode', body, { Authorization: `Basic ${b64(`x:${TOKEN}`)}` });
    assert.equal(notBearer.status, 401);
    // Without acceptTokenInPath a token in the path counts for nothing.
    assert.equal((await post(`/${TOKEN}/decode`, body)).status, 401);
    assert.equal((await post('/decode', body, auth)).status, 200, 'positive control: the right token passes');
  });

  void it('allows CORS for the configured Web UI origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/decode`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
        },
      });
    const ok = await preflight(UI);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), UI);
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);

    const refused = await preflight(OTHER);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);

    const body = { payloads: [jsonPayload({ a: 1 })] };
    const fromUi = await post('/decode', body, { ...auth, Origin: UI });
    assert.equal(fromUi.status, 200);
    assert.equal(fromUi.headers.get('access-control-allow-origin'), UI);
    const fromOther = await post('/decode', body, { ...auth, Origin: OTHER });
    assert.equal(fromOther.status, 403);
    assert.equal(fromOther.headers.get('access-control-allow-origin'), null);
    assert.doesNotMatch(await fromOther.text(), /payloads/, 'nothing decoded goes to another origin');
  });

  void it('answers 413 for an oversize body, declared or streamed, without reading it all', async () => {
    const big = JSON.stringify({ payloads: [{ metadata: {}, data: b64('x'.repeat(MAX)) }] });
    const declared = await post('/decode', big, auth);
    assert.equal(declared.status, 413);
    assert.match(await declared.text(), new RegExp(`larger than ${MAX} bytes`));

    // Chunked, no Content-Length: the server must stop after MAX bytes and answer while we still send.
    const { port } = new URL(base);
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const total = 256 * 1024 * 1024;
    const result = await new Promise<{ status: number; sentBeforeAnswer: number }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/decode',
          method: 'POST',
          headers: {
            ...auth,
            'X-Namespace': 'default',
            'Content-Type': 'application/json',
            'Transfer-Encoding': 'chunked',
          },
        },
        (res) => {
          answered = true;
          res.resume();
          resolve({ status: res.statusCode ?? 0, sentBeforeAnswer: sent });
          req.destroy();
        },
      );
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        if (!answered) req.end();
      };
      pump();
    });
    assert.equal(result.status, 413);
    assert.ok(result.sentBeforeAnswer < total, `answered after ${result.sentBeforeAnswer} of ${total} bytes`);
  });

  void it('names the bad field of a malformed body, and answers 404, 405 and 403 (namespace)', async () => {
    const bad = await post('/decode', { payloads: [{ metadata: { encoding: 'not base64!' } }] }, auth);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /payloads\[0\]\.metadata\.encoding must be base64/);
    const notList = await post('/encode', { payloads: 'x' }, auth);
    assert.equal(notList.status, 400);
    assert.match(await notList.text(), /payloads must be an array/);
    const notJson = await post('/encode', '{', auth);
    assert.equal(notJson.status, 400);
    assert.equal((await post('/other', {}, auth)).status, 404);
    const get = await fetch(`${base}/decode`, { headers: auth });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
    const ns = await post('/decode', { payloads: [] }, { ...auth, 'X-Namespace': 'other' });
    assert.equal(ns.status, 403);
    assert.match(await ns.text(), /X-Namespace/);
  });

  void it('round-trips encode → decode, at any mount depth, and accepts the token in the path when enabled', async () => {
    const original = [jsonPayload({ hello: 'world' }), jsonPayload([1, 2, 3])];
    const encoded = await post('/codec/encode', { payloads: original }, auth);
    assert.equal(encoded.status, 200);
    const enc = (await encoded.json()) as { payloads: WirePayload[] };
    assert.equal(enc.payloads.length, 2);
    for (const p of enc.payloads) {
      assert.equal(metaText(p, 'encoding'), 'binary/encrypted');
      assert.equal(metaText(p, 'encryption-key-id'), 'test');
      assert.ok(!Buffer.from(p.data, 'base64').toString().includes('hello'), 'ciphertext hides the data');
    }
    const decoded = await post('/decode', enc, auth);
    assert.deepEqual(await decoded.json(), { payloads: original });

    // The worker's own codec decodes what the server encoded.
    const first = enc.payloads[0] as WirePayload;
    const [plain] = await new AesGcmPayloadCodec(testKeyring()).decode([
      {
        metadata: Object.fromEntries(
          Object.entries(first.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
        ),
        data: Buffer.from(first.data, 'base64'),
      },
    ]);
    assert.deepEqual(JSON.parse(Buffer.from(plain?.data ?? []).toString()), { hello: 'world' });

    const viaPath = await post(`/${TOKEN}/decode`, enc, {}, tokenInPathBase);
    assert.equal(viaPath.status, 200);
    assert.deepEqual(await viaPath.json(), { payloads: original });
    assert.equal((await post(`/${WRONG}/decode`, enc, {}, tokenInPathBase)).status, 401);
  });

  void it('`npm run codec-server` serves HTTPS from the environment alone', async () => {
    const pki = await createTestPki();
    const key = testKeyring().keys.get('test') as Buffer;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', 'codec-server', 'main.ts')],
      {
        env: {
          ...process.env,
          REVOCATION_CODEC_KEY: key.toString('base64'),
          REVOCATION_CODEC_KEY_ID: 'test',
          REVOCATION_CODEC_SERVER_TOKEN: TOKEN,
          REVOCATION_CODEC_SERVER_PORT: '0',
          REVOCATION_CODEC_SERVER_ALLOWED_ORIGINS: UI,
          REVOCATION_CODEC_SERVER_TLS_CERT_FILE: pki.serverCertPath,
          REVOCATION_CODEC_SERVER_TLS_KEY_FILE: pki.serverKeyPath,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /codec server ready: (https:\/\/\S+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`codec server exited with ${code}: ${out}`)));
      });
      assert.ok(!out.includes(TOKEN), 'the start-up line does not print the token');
      const dispatcher = new Agent({ connect: { ca: readFileSync(pki.caCertPath) } });
      const call = (headers: Record<string, string>) =>
        undiciFetch(`${url}/decode`, {
          method: 'POST',
          dispatcher,
          headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
          body: JSON.stringify({ payloads: [jsonPayload({ tls: true })] }),
        });
      assert.equal((await call({})).status, 401);
      const ok = await call(auth);
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { payloads: [jsonPayload({ tls: true })] });
      await dispatcher.close();
    } finally {
      child.kill('SIGTERM');
    }
  });

  void describe('against a real history', () => {
    let stack: TestStack;
    before(async () => {
      stack = await createTestStack();
    });
    after(() => stack.close());

    void it('decodes the input payload the worker-side codec wrote, as the Temporal CLI shows it', async () => {
      const secret = 'codec-server-secret-refresh-token-1';
      const op = await stack.client.revoke(
        { provider: 'yandex-cloud', connection: 'default', refreshToken: secret },
        { createdBy: 'codec-test', description: 'codec server test' },
      );
      const raw = new Client({ connection: stack.temporal.connection, namespace: 'default' });
      const history = await raw.workflow.getHandle(op.id).fetchHistory();
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
      assert.equal(input.length, 1);
      const wire = input.map(toWire);
      assert.equal(metaText(wire[0] as WirePayload, 'encoding'), 'binary/encrypted');
      const rawText = JSON.stringify(wire) + Buffer.from(input[0]?.data ?? []).toString('latin1');
      assert.ok(!rawText.includes(secret), 'the history at rest holds ciphertext');

      const res = await post('/decode', { payloads: wire }, auth);
      assert.equal(res.status, 200);
      const [decoded] = ((await res.json()) as { payloads: WirePayload[] }).payloads;
      assert.equal(metaText(decoded as WirePayload, 'encoding'), 'json/plain');
      const value = JSON.parse(Buffer.from((decoded as WirePayload).data, 'base64').toString()) as {
        request: { refreshToken: string };
        createdBy: string;
      };
      assert.equal(value.request.refreshToken, secret);
      assert.equal(value.createdBy, 'codec-test');

      // Closed, so `workflow show` prints the whole history instead of waiting for more.
      await raw.workflow.getHandle(op.id).terminate('codec server test done');
      const cli = findTemporalCli();
      if (cli.kind !== 'path') return;
      // Asynchronously: the codec server runs in this process and must keep answering the CLI.
      const show = (codecAuth: string) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
          execFile(
            cli.path,
            [
              'workflow',
              'show',
              '--address',
              stack.address,
              '--namespace',
              'default',
              '--workflow-id',
              op.id,
              '--codec-endpoint',
              base,
              '--codec-auth',
              codecAuth,
              '--output',
              'json',
            ],
            { encoding: 'utf8', timeout: 60_000 },
            (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
          ),
        );
      const startedInput = (stdout: string) => {
        try {
          const shownHistory = JSON.parse(stdout) as {
            events: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: WirePayload[] } } }[];
          };
          const p = shownHistory.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
          return p ? Buffer.from(p.data, 'base64').toString() : '';
        } catch {
          return '';
        }
      };
      const shown = await show(`Bearer ${TOKEN}`);
      assert.equal(shown.code, 0, shown.stderr);
      assert.ok(
        startedInput(shown.stdout).includes(secret),
        'the CLI shows the input decoded by the codec server',
      );
      const refused = await show(`Bearer ${WRONG}`);
      assert.notEqual(refused.code, 0, 'the CLI fails with a wrong codec token');
      assert.ok(!startedInput(refused.stdout).includes(secret));
    });
  });
});
