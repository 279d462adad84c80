import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

/**
 * The layer table is enforced by lint (eslint.config.mjs, docs/architecture.md): each planted import
 * below, in a temporary copy of the tree, must fail `eslint` with the rule's message, and each
 * allowed one must pass.
 */

const ROOT = join(__dirname, '..');

/** path in the copy → [source, the message expected, or undefined when lint must accept it] */
const PLANTS: Record<string, [string, RegExp | undefined]> = {
  'api/planted.ts': [
    "export { ConfigError } from '../common/config-error';\n",
    /layers: api\/ may import nothing/,
  ],
  'workflows/planted.ts': [
    "export { createWorker } from '../worker/create-worker';\n",
    /layers: workflows\//,
  ],
  'workflows/providers/planted.ts': [
    "import { createBulkActivities } from '../../activities/bulk/activities';\nexport const f = createBulkActivities;\n",
    /workflows\/ may import activity types only/,
  ],
  'workflows/planted-types.ts': [
    "import type { createBulkActivities } from '../activities/bulk/activities';\nexport type F = typeof createBulkActivities;\n",
    undefined,
  ],
  'workflows/planted-builtin.ts': [
    "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    /No Node built-ins/,
  ],
  'activities/planted.ts': [
    "export { loadCodecKeyring } from '../common/codec-keys';\n",
    /layers: activities\/ may import api\//,
  ],
  'client/planted.ts': ["export { createWorker } from '../worker/create-worker';\n", /layers: client\//],
  'client/planted-ok.ts': ["export { loadCodecKeyring } from '../common/codec-keys';\n", undefined],
  'cli/planted.ts': ["export { createWorker } from '../worker/create-worker';\n", /layers: cli\//],
  'codec-server/planted.ts': [
    "export { RevocationClient } from '../client/revocation-client';\n",
    /layers: codec-server\//,
  ],
  'common/planted.ts': [
    "export { RevocationClient } from '../client/revocation-client';\n",
    /layers: common\//,
  ],
  'emulators/oauth2/planted.ts': [
    "export { Code } from '../../api';\n",
    /emulators\/ may import api\/fingerprint only/,
  ],
  'emulators/oauth2/planted-ok.ts': ["export { fingerprint } from '../../api/fingerprint';\n", undefined],
  'worker/planted.ts': ["export { runCli } from '../cli/program';\n", /layers: worker\//],
  'client/planted-internal.ts': [
    "export * from '@temporalio/client/lib/helpers';\n",
    /Public SDK exports only/,
  ],
};

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

void describe('the layer table is lint', () => {
  let copy: string;
  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'layers-'));
    const files = spawnSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
      .stdout.split('\n')
      .filter((f) => f && (f.endsWith('.ts') || f.endsWith('.mjs') || f.endsWith('.json')));
    for (const f of files) {
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      cpSync(join(ROOT, f), join(copy, f));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    for (const [path, [source]] of Object.entries(PLANTS)) {
      mkdirSync(dirname(join(copy, path)), { recursive: true });
      writeFileSync(join(copy, path), source);
    }
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  void it('a planted layer violation fails lint naming the rule; allowed imports pass', () => {
    const res = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'eslint'),
      ['-f', 'json', '--no-warn-ignored', ...Object.keys(PLANTS)],
      { cwd: copy, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    assert.equal(res.status, 1, `eslint should fail on the plants: ${res.stderr}`);
    const results = JSON.parse(res.stdout) as LintResult[];
    for (const [path, [, expected]] of Object.entries(PLANTS)) {
      const r = results.find((x) => x.filePath === join(copy, path));
      assert.ok(r, `${path} was linted`);
      const restricted = r.messages.filter((m) => m.ruleId === 'no-restricted-imports');
      if (expected) {
        assert.ok(
          restricted.some((m) => expected.test(m.message)),
          `${path}: expected ${String(expected)}, got ${JSON.stringify(r.messages)}`,
        );
      } else {
        assert.deepEqual(restricted, [], `${path} is allowed`);
      }
    }
  });
});
