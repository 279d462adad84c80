import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { Code, type RevokeTokensOperation } from '../api';
import { runCli } from '../cli/main';
import { createTestStack, type TestStack } from './helpers/stack';
import { runCliCaptured, stackCliEnv } from './helpers/cli';

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[/;
const fastPolls = { pollInitialInterval: '200ms', pollMaxInterval: '200ms' } as const;

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function setup(options: Parameters<typeof createTestStack>[0]): Promise<TestStack> {
  stack = await createTestStack({
    tokens: [
      { id: 'rt-w1', token: 'secret-token-w1-xxxxxxxx', subjectId: 'emulator-subject', clientId: 'c' },
    ],
    ...options,
  });
  await stack.startWorker();
  return stack;
}

function cliEnv(s: TestStack): NodeJS.ProcessEnv {
  return stackCliEnv(s);
}

/** A revocation the emulator answers only after `polls` OperationService.Get calls, polled every 200 ms. */
async function startPolling(s: TestStack): Promise<string> {
  const op = await s.client.revoke(
    { provider: 'yandex-cloud', refreshTokenId: 'rt-w1' },
    { createdBy: 'watch-test', timing: fastPolls },
  );
  assert.equal(op.done, false);
  return op.id;
}

void describe('revoke get --watch', () => {
  void it('without a terminal prints one line per change until done, then exits 0', async () => {
    const s = await setup({ pollsUntilDone: 4 });
    const id = await startPolling(s);
    const r = await runCliCaptured(['get', id, '--watch', '--interval', '100ms'], cliEnv(s));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.length >= 2, `several changes seen:\n${r.stdout}`);
    assert.equal(new Set(lines).size, lines.length, 'a line only when something changed');
    assert.match(lines[0] ?? '', / {2}RUNNING {2}/);
    assert.match(lines.at(-1) ?? '', / {2}SUCCEEDED {2}phase=DONE .* revoked=1: rt-w1$/);
    for (const line of lines.slice(0, -1)) assert.doesNotMatch(line, /SUCCEEDED/);
    assert.doesNotMatch(r.stdout, ansi);
    assert.equal(r.stderr, '');
    assert.ok(s.emulator.callsOf('Get').length >= 4);
  });

  void it('--json prints one Operation per line (NDJSON), the last one done', async () => {
    const s = await setup({ pollsUntilDone: 4 });
    const id = await startPolling(s);
    const r = await runCliCaptured(['get', id, '--watch', '--interval', '100ms', '--json'], cliEnv(s));
    assert.equal(r.code, 0, r.stderr);
    const ops = r.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as RevokeTokensOperation);
    assert.ok(ops.length >= 2, r.stdout);
    assert.ok(ops.every((op) => op.id === id));
    assert.equal(ops[0]?.done, false);
    const last = ops.at(-1);
    assert.equal(last?.done, true);
    assert.deepEqual(last?.response?.refreshTokenIds, ['rt-w1']);
    assert.ok(ops.slice(0, -1).every((op) => !op.done));
    // Polls are counted as they happen, so the watcher saw them rise.
    const polls = ops.map((op) => op.metadata.polls);
    assert.deepEqual(
      polls,
      [...polls].sort((a, b) => a - b),
    );
    assert.ok((polls.at(-1) ?? 0) > (polls[0] ?? 0), `polls seen: ${polls.join(',')}`);
  });

  void it('exits 1 when the operation ends in error, as wait does', async () => {
    const s = await setup({
      pollsUntilDone: 2,
      operationError: { code: Code.PERMISSION_DENIED, message: 'not allowed' },
    });
    const id = await startPolling(s);
    const r = await runCliCaptured(['get', id, '--watch', '--interval', '100ms'], cliEnv(s));
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout.trimEnd().split('\n').at(-1) ?? '',
      /FAILED PERMISSION_DENIED .*error=PERMISSION_DENIED/,
    );
    assert.match(r.stderr, /^error: operation \S+ ended with PERMISSION_DENIED \(7\)/);
  });

  void it('exits 4 when still running at --timeout; the operation keeps running', async () => {
    const s = await setup({ operationDelayMs: 60_000 });
    const id = await startPolling(s);
    const r = await runCliCaptured(
      ['get', id, '--watch', '--interval', '100ms', '--timeout', '600ms', '--json'],
      cliEnv(s),
    );
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /not done after 600 ms/);
    assert.equal((JSON.parse(r.stdout.trimEnd().split('\n')[0] ?? '') as RevokeTokensOperation).done, false);
    assert.equal((await s.client.get(id)).done, false);
    await s.client.cancel(id);
  });

  void it('at a terminal redraws the operation in place, coloured; NO_COLOR turns colour off', async () => {
    const s = await setup({ pollsUntilDone: 4 });
    const id = await startPolling(s);
    const watch = async (env: NodeJS.ProcessEnv) => {
      let stdout = '';
      const code = await runCli(['node', 'revoke', 'get', id, '--watch', '--interval', '100ms'], {
        stdout: { write: (c: string) => (stdout += c), isTTY: true },
        stderr: { write: () => true, isTTY: false },
        env: { ...cliEnv(s), ...env },
        stdin: Readable.from([]),
      });
      return { code, stdout };
    };
    const coloured = await watch({});
    assert.equal(coloured.code, 0);
    // eslint-disable-next-line no-control-regex
    assert.match(coloured.stdout, /\x1b\[\d+A\x1b\[0J/, 'cursor up and clear before each redraw');
    // eslint-disable-next-line no-control-regex
    assert.match(coloured.stdout, /\x1b\[32mSUCCEEDED/, 'the final status in green');
    // Done by now: printed once, at a terminal still, without colour.
    const noColour = await watch({ NO_COLOR: '1' });
    assert.equal(noColour.code, 0, noColour.stdout);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(noColour.stdout, /\x1b\[\d+m/);
    assert.match(noColour.stdout, /^status +SUCCEEDED$/m);
  });

  void it('--interval and --timeout without --watch are bad input (exit 2), before connecting', async () => {
    const env = { TEMPORAL_ADDRESS: '127.0.0.1:1', REVOCATION_CONNECT_TIMEOUT: '1s' };
    const r = await runCliCaptured(['get', 'revoke-x', '--interval', '1s'], env);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--interval: only applies with --watch/);
    const bad = await runCliCaptured(['get', 'revoke-x', '--watch', '--interval', 'often'], env);
    assert.equal(bad.code, 2, bad.stderr);
    // Positive control: the same env with valid flags reaches the network and gets exit 3.
    const unreachable = await runCliCaptured(['get', 'revoke-x', '--watch'], env);
    assert.equal(unreachable.code, 3, unreachable.stderr);
  });
});
