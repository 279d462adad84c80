import { relative } from 'node:path';
import process from 'node:process';

/**
 * A node:test reporter that writes one JSON line per test file when the file completes:
 * `{"file": "test/x.test.ts", "ms": 1234}` (the runner's own duration for the file's process).
 * scripts/test.ts points it at a scratch file and prints the slowest files at the end of a run.
 * Plain JavaScript: node:test loads reporters itself, outside tsx.
 *
 * @param {AsyncIterable<{ type: string, data?: { name?: string, nesting?: number, file?: string, details?: { duration_ms?: number } } }>} source
 */
export default async function* fileTimings(source) {
  for await (const event of source) {
    const d = event.data;
    if (event.type !== 'test:complete' || d?.nesting !== 0 || !d.file) continue;
    const file = relative(process.cwd(), d.file);
    // The file's own entry is named after its path; its top-level tests carry their own names.
    if (d.name !== file && d.name !== d.file) continue;
    yield `${JSON.stringify({ file, ms: Math.round(d.details?.duration_ms ?? 0) })}\n`;
  }
}
