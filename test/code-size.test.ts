import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MAX_FILE_LINES, MAX_FUNCTION_LINES, sizeViolations, treeSizeViolations } from '../scripts/code-size';

/** Files a reader can take in at one sitting (docs/architecture.md): `npm run code-size` lists them. */
void describe('source size limits', () => {
  void it(`no source file over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES}`, () => {
    const v = treeSizeViolations();
    assert.deepEqual(
      v.map((x) => `${x.file}:${x.line}: ${x.what} is ${x.lines} lines`),
      [],
    );
  });

  void it('control: an oversize function and file are reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'code-size-'));
    try {
      const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  const v${i} = ${i};`).join('\n');
      const fn = join(dir, 'long-function.ts');
      writeFileSync(fn, `export function long(): void {\n${body}\n}\n`);
      const arrow = join(dir, 'long-arrow.ts');
      writeFileSync(arrow, `export const long = (): void => {\n${body}\n};\n`);
      const file = join(dir, 'long-file.ts');
      writeFileSync(
        file,
        Array.from({ length: MAX_FILE_LINES + 1 }, (_, i) => `export const c${i} = ${i};`).join('\n'),
      );
      const ok = join(dir, 'fits.ts');
      writeFileSync(ok, `export function fits(): void {\n${body.split('\n').slice(2).join('\n')}\n}\n`);
      assert.deepEqual(
        sizeViolations([fn, arrow, file, ok], dir).map((x) => `${x.file} ${x.what} ${x.lines}`),
        [
          `long-function.ts function long ${MAX_FUNCTION_LINES + 2}`,
          `long-arrow.ts function long ${MAX_FUNCTION_LINES + 2}`,
          `long-file.ts file ${MAX_FILE_LINES + 1}`,
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
