import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflows } from '../worker/create-worker';

/** Bundles the workflows (and their interceptor) once and writes the code to `path`. */
export async function writeWorkflowBundle(path: string): Promise<string> {
  const out = resolve(path);
  const { code } = await bundleWorkflows();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  return out;
}

/**
 * `npm run bundle [-- path]`: writes the workflow bundle (default dist/workflow-bundle.js). A worker
 * started with REVOCATION_WORKFLOW_BUNDLE=path runs it instead of bundling at start (seconds of
 * webpack per worker start, and the same code on every worker of a deployment).
 */
if (require.main === module) {
  const started = Date.now();
  writeWorkflowBundle(process.argv[2] ?? 'dist/workflow-bundle.js').then(
    (out) => process.stdout.write(`workflow bundle: ${out} (${Date.now() - started} ms)\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
