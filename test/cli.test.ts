import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { Code, type RevokeTokensOperation } from '../api';
import type { OperationSummary } from '../client/revocation-client';
import { createTestStack, type TestStack } from './helpers/stack';
import { runCliCaptured, stackCliEnv } from './helpers/cli';

const root = join(__dirname, '..');
const secret = 'secret-token-a2-xxxxxxxx';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** A stack whose caller is a subject of its own, so `list --subject` sees this test's operations only. */
async function setup(
  options: Parameters<typeof createTestStack>[0] = {},
): Promise<{ s: TestStack; subject: string }> {
  const subject = `subject-${randomUUID().slice(0, 8)}`;
  stack = await createTestStack({
    iamTokens: { 'emulator-iam-token': subject },
    tokens: [
      { id: 'rt-a1', token: 'secret-token-a1-xxxxxxxx', subjectId: subject, clientId: 'client-a' },
      { id: 'rt-a2', token: secret, subjectId: subject, clientId: 'client-a' },
      { id: 'rt-b1', token: 'secret-token-b1-xxxxxxxx', subjectId: subject, clientId: 'client-b' },
    ],
    ...options,
  });
  await stack.startWorker();
  return { s: stack, subject };
}

function cliEnv(s: TestStack): NodeJS.ProcessEnv {
  return stackCliEnv(s);
}

/** Env with a valid key but no Temporal: whatever passes validation fails with exit 3, not 2. */
const unreachableEnv: NodeJS.ProcessEnv = {
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  REVOCATION_CONNECT_TIMEOUT: '1s',
  REVOCATION_CODEC_KEY: Buffer.alloc(32, 7).toString('base64'),
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<Run> {
  const { code, stdout, stderr } = await runCliCaptured(args, env, stdin);
  return { code, stdout, stderr };
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(join(root, 'node_modules/.bin/node'), [join(root, 'bin/revoke.js'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const operationOf = (r: Run): RevokeTokensOperation => JSON.parse(r.stdout) as RevokeTokensOperation;
const active = (s: TestStack) =>
  s.emulator
    .activeTokens()
    .map((t) => t.id)
    .sort();
const oneLine = (text: string) =>
  assert.equal(text.trimEnd().split('\n').length, 1, `one line expected: ${text}`);

void describe('revoke CLI: starting revocations', () => {
  void it('revokes by id with --wait --json: done, the revoked ids, the emulator changed', async () => {
    const { s } = await setup();
    const r = await run(
      [
        'yandex-cloud',
        '--refresh-token-id',
        'rt-a1',
        '--description',
        'laptop lost',
        '--created-by',
        'alice',
        '--wait',
        '--json',
      ],
      cliEnv(s),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const op = operationOf(r);
    assert.equal(op.done, true);
    assert.equal(op.error, undefined);
    assert.equal(op.description, 'laptop lost');
    assert.equal(op.createdBy, 'alice');
    assert.deepEqual(op.response?.refreshTokenIds, ['rt-a1']);
    assert.equal(op.response?.revokedCount, 1);
    assert.deepEqual(active(s), ['rt-a2', 'rt-b1']);
    assert.equal(s.emulator.callsOf('Revoke').length, 1);
    // The same operation is what the library sees.
    assert.deepEqual((await s.client.get(op.id)).response, op.response);
  });

  void it('reads the token from --refresh-token-env and never prints it', async () => {
    const { s } = await setup();
    const r = await run(['yandex-cloud', '--refresh-token-env', 'LEAKED_TOKEN', '--wait'], {
      ...cliEnv(s),
      LEAKED_TOKEN: secret,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^done +true$/m);
    assert.match(r.stdout, /^revoked +1: rt-a2$/m);
    assert.match(r.stdout, /^provider +yandex-cloud\/default$/m);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
    assert.deepEqual(active(s), ['rt-a1', 'rt-b1']);
  });

  void it('reads the token from --refresh-token-stdin', async () => {
    const { s } = await setup();
    const r = await run(
      ['yandex-cloud', '--refresh-token-stdin', '--wait', '--json'],
      cliEnv(s),
      `${secret}\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(operationOf(r).response?.refreshTokenIds, ['rt-a2']);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
  });

  void it('start takes any RevocationRequest from --file - and --json, and --request-id is idempotent', async () => {
    const { s } = await setup();
    const request = JSON.stringify({ provider: 'yandex-cloud', revokeFilter: { clientId: 'client-a' } });
    const fromStdin = await run(
      ['start', '--file', '-', '--request-id', 'k-1', '--wait', '--json'],
      cliEnv(s),
      request,
    );
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    const op = operationOf(fromStdin);
    assert.deepEqual([...(op.response?.refreshTokenIds ?? [])].sort(), ['rt-a1', 'rt-a2']);
    const again = await run(['start', '--json', request, '--request-id', 'k-1'], cliEnv(s));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(operationOf(again).id, op.id);
    assert.equal(s.emulator.callsOf('Revoke').length, 1);
  });

  void it('without --wait prints the started operation, and list --json finds it', async () => {
    const { s, subject } = await setup();
    const started = await run(
      ['yandex-cloud', '--subject-id', subject, '--client-id', 'client-b', '--json'],
      cliEnv(s),
    );
    assert.equal(started.code, 0, started.stderr);
    const op = operationOf(started);
    assert.equal(op.done, false);
    // Visibility is eventually consistent.
    let found: OperationSummary | undefined;
    for (let i = 0; i < 50 && !found; i++) {
      const r = await run(['list', '--subject', subject, '--provider', 'yandex-cloud', '--json'], cliEnv(s));
      assert.equal(r.code, 0, r.stderr);
      found = (JSON.parse(r.stdout) as { operations: OperationSummary[] }).operations.find(
        (o) => o.id === op.id,
      );
      if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(found, 'list --json lists the operation');
    assert.equal(found.subject, subject);
    assert.equal(found.provider, 'yandex-cloud');
    const human = await run(['list', '--subject', subject], cliEnv(s));
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^${op.id} `, 'm'));
  });
});

void describe('revoke CLI: exit codes', () => {
  void it('exits 1 with PERMISSION_DENIED when the operation fails; get says so too', async () => {
    const { s } = await setup();
    s.emulator.injectFault({ method: 'Revoke', code: Code.PERMISSION_DENIED, message: 'not allowed' });
    const r = await run(['yandex-cloud', '--refresh-token-id', 'rt-a1', '--wait'], cliEnv(s));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^error +PERMISSION_DENIED \(7\): .*not allowed/m);
    assert.match(r.stderr, /PERMISSION_DENIED/);
    oneLine(r.stderr);
    const id = /^id +(\S+)$/m.exec(r.stdout)?.[1];
    assert.ok(id);
    const got = await run(['get', id, '--json'], cliEnv(s));
    assert.equal(got.code, 1);
    assert.equal(operationOf(got).error?.code, Code.PERMISSION_DENIED);
    const cancel = await run(['cancel', id], cliEnv(s));
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stderr, /already done; nothing to cancel/);
    assert.deepEqual(active(s), ['rt-a1', 'rt-a2', 'rt-b1']);
  });

  void it('exits 4 when --wait times out, and cancel then ends the operation CANCELLED', async () => {
    const { s } = await setup({ operationDelayMs: 60_000 });
    const r = await run(
      ['yandex-cloud', '--refresh-token-id', 'rt-a1', '--wait', '--timeout', '500ms', '--json'],
      cliEnv(s),
    );
    assert.equal(r.code, 4, r.stderr);
    const op = operationOf(r);
    assert.equal(op.done, false);
    assert.match(r.stderr, /not done after 500 ms/);
    oneLine(r.stderr);
    const cancelled = await run(['cancel', op.id], cliEnv(s));
    assert.equal(cancelled.code, 0, cancelled.stderr);
    const waited = await run(['wait', op.id, '--timeout', '20s', '--json'], cliEnv(s));
    assert.equal(waited.code, 1);
    assert.equal(operationOf(waited).error?.code, Code.CANCELLED);
  });

  void it('exits 5 for an unknown id (get, wait, cancel)', async () => {
    const { s } = await setup();
    for (const command of ['get', 'wait', 'cancel']) {
      const r = await run([command, 'revoke-does-not-exist'], cliEnv(s));
      assert.equal(r.code, 5, `${command}: ${r.stderr}`);
      assert.match(r.stderr, /operation revoke-does-not-exist not found/);
      oneLine(r.stderr);
      assert.equal(r.stdout, '');
    }
  });

  void it('exits 2 naming the field on bad input, before connecting', async () => {
    const cases: Array<{ args: string[]; field: RegExp; env?: NodeJS.ProcessEnv }> = [
      {
        args: ['yandex-cloud', '--refresh-token-id', 'x'.repeat(51)],
        field: /--refresh-token-id \(request\.refreshTokenId\): must be at most 50/,
      },
      { args: ['yandex-cloud'], field: /--all: nothing selected/ },
      {
        args: ['yandex-cloud', '--refresh-token-id', 'rt-a1', '--client-id', 'c'],
        field: /only one selector/,
      },
      {
        args: ['yandex-cloud', '--refresh-token', secret],
        field: /--refresh-token: a token is never accepted/,
      },
      {
        args: ['yandex-cloud', '--refresh-token-env', 'UNSET_VAR'],
        field: /--refresh-token-env: environment variable UNSET_VAR/,
      },
      {
        args: ['yandex-cloud', '--all', '--connection', 'no spaces'],
        field: /--connection \(request\.connection\)/,
      },
      {
        args: ['yandex-cloud', '--all', '--wait', '--timeout', 'soon'],
        field: /'--timeout <duration>' argument 'soon' is invalid/,
      },
      {
        args: ['start', '--json', JSON.stringify({ provider: 'yandex-cloud', refreshToken: secret })],
        field: /request\.refreshToken: a secret is never accepted/,
      },
      {
        args: ['start', '--json', '{"provider":"yandex-cloud","refreshTokenId":'],
        field: /--json: not valid JSON/,
      },
      {
        args: ['start', '--json', '{"provider":"gitlab"}'],
        field: /request\.provider: unknown or missing provider/,
      },
      { args: ['list', '--page-size', '0'], field: /'--page-size <n>' argument '0' is invalid/ },
      { args: ['list', '--done', '--running'], field: /'--done' cannot be used with option '--running'/ },
      {
        args: ['yandex-cloud', '--all', secret],
        field: /too many arguments for 'yandex-cloud'\. Expected 0 arguments but got 1\./,
      },
      { args: ['revokee'], field: /unknown command 'revokee'/ },
    ];
    for (const c of cases) {
      const r = await run(c.args, unreachableEnv);
      assert.equal(r.code, 2, `${c.args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, c.field);
      oneLine(r.stderr);
      assert.doesNotMatch(r.stderr, new RegExp(secret));
      assert.equal(r.stdout, '');
    }
  });

  void it('exits 3 fast when Temporal is unreachable, and on a config error', async () => {
    const t0 = Date.now();
    const r = await run(['get', 'revoke-x'], unreachableEnv);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^error: cannot reach Temporal at 127\.0\.0\.1:1 /);
    oneLine(r.stderr);
    assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);

    const noKey = await run(['yandex-cloud', '--all'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(noKey.code, 3);
    assert.match(noKey.stderr, /REVOCATION_CODEC_KEY_FILE: no payload encryption key configured/);
  });
});

void describe('revoke CLI: the bin/revoke.js process', () => {
  void it('prints --help with the exit codes; every command has an example', async () => {
    const r = await spawnCli(['--help'], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: revoke /);
    assert.match(r.stdout, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 .*\n {2}5 /);
    for (const command of ['yandex-cloud', 'start', 'get', 'wait', 'cancel', 'list']) {
      const help = await run([command, '--help'], {});
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /\$ revoke /, `${command} --help has an example`);
    }
  });

  void it('revokes by id with --wait --json as a real process', async () => {
    const { s } = await setup();
    const r = await spawnCli(['yandex-cloud', '--refresh-token-id', 'rt-b1', '--wait', '--json'], cliEnv(s));
    assert.equal(r.code, 0, r.stderr);
    const op = operationOf(r);
    assert.equal(op.done, true);
    assert.deepEqual(op.response?.refreshTokenIds, ['rt-b1']);
    assert.deepEqual(active(s), ['rt-a1', 'rt-a2']);
  });
});
