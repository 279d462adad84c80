import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** `npm test` itself: a test that writes into the checkout fails the run, naming the file. */

const ROOT = join(__dirname, '..');

function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  // Without NODE_TEST_CONTEXT, or node:test takes the nested run for a recursion and runs nothing.
  const { NODE_TEST_CONTEXT: _nested, ...parent } = process.env;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'test.ts'), ...files], {
      cwd: ROOT,
      env: { ...parent, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

const inGit = existsSync(join(ROOT, '.git'));

void describe(
  'npm test leaves the work tree as it found it',
  { skip: inGit ? false : 'not a git checkout' },
  () => {
    void it('a run whose test writes into the checkout fails and names the file', async () => {
      const name = `tree-writer-${process.pid}.tmp`;
      const path = join(ROOT, 'test', 'fixtures', name);
      try {
        const r = await runTests(['test/fixtures/tree-writer.fixture.ts'], {
          TREE_WRITER_PATH: path,
          TEST_ALLOW_TREE_CHANGES: '',
        });
        assert.ok(existsSync(path), r.out);
        assert.notEqual(r.code, 0, r.out);
        assert.match(r.out, /the tests changed the work tree/);
        assert.match(r.out, new RegExp(`\\?\\? test/fixtures/${name}`));
      } finally {
        rmSync(path, { force: true });
      }
    });

    void it('the same run with TEST_ALLOW_TREE_CHANGES (npm run screenshots) passes', async () => {
      const path = join(ROOT, 'test', 'fixtures', `tree-writer-${process.pid}-allowed.tmp`);
      try {
        const r = await runTests(['test/fixtures/tree-writer.fixture.ts'], {
          TREE_WRITER_PATH: path,
          TEST_ALLOW_TREE_CHANGES: '1',
        });
        assert.equal(r.code, 0, r.out);
        assert.doesNotMatch(r.out, /changed the work tree/);
        // Every run ends with its slowest files and its wall time.
        assert.match(
          r.out,
          /slowest 1 test files:\n +\d+\.\d s {2}test\/fixtures\/tree-writer\.fixture\.ts\n/,
        );
        assert.match(r.out, /tests finished in \d+ s with exit code 0/);
      } finally {
        rmSync(path, { force: true });
      }
    });
  },
);
