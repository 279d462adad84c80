import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { browserUnavailable } from '../test/helpers/browser';

/**
 * `npm run screenshots`: refreshes the committed Web UI screenshots under docs/images/ by running
 * the two browser tests with `SCREENSHOT_DIR` pointed there. `npm test` writes them to a scratch
 * directory instead, so a test run never changes the work tree.
 */
const IMAGES = join(__dirname, '..', 'docs', 'images');
const TESTS = ['test/web-ui.test.ts', 'test/redaction-e2e.test.ts'];

const missing = browserUnavailable();
if (missing) {
  process.stderr.write(`screenshots: ${missing}\n`);
  process.exit(1);
}
const started = Date.now();
const res = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'test.ts'), ...TESTS], {
  stdio: 'inherit',
  env: { ...process.env, SCREENSHOT_DIR: IMAGES, TEST_ALLOW_TREE_CHANGES: '1' },
});
if (res.status !== 0) process.exit(res.status ?? 1);
const fresh = readdirSync(IMAGES)
  .filter((f) => f.endsWith('.png') && statSync(join(IMAGES, f)).mtimeMs >= started)
  .sort();
process.stdout.write(`screenshots refreshed in docs/images/: ${fresh.join(', ') || 'none'}\n`);
if (fresh.length === 0) process.exit(1);
