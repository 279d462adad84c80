/**
 * The baseline: what a careful-enough script without Temporal does. It revokes the targets of an
 * NDJSON file with the same adapter and concurrency as a bulk job, writes one report line per
 * target (`revoked|already|failed <id>`) through a buffered stream, and saves its progress (the
 * next index to start) atomically every 100 targets, resuming from it after a crash.
 *
 * Usage: tsx test/chaos/baseline-loop.ts <connections.json> <targets.ndjson> <progress.json> <report.txt>
 */
import { createWriteStream, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { requireAdapter } from '../../activities/connection-registry';
import { buildConnectionRegistry, type ConnectionsConfig } from '../../worker/connections';

const CONCURRENCY = 10;
const CHECKPOINT_EVERY = 100;

/** Written to a temporary file, then renamed over the old one: a kill never leaves half a file. */
function saveProgress(path: string, next: number): void {
  writeFileSync(`${path}.tmp`, JSON.stringify({ next }));
  renameSync(`${path}.tmp`, path);
}

async function main(): Promise<void> {
  const [connectionsFile, targetsFile, progressFile, reportFile] = process.argv.slice(2);
  if (!connectionsFile || !targetsFile || !progressFile || !reportFile)
    throw new Error('usage: baseline-loop <connections.json> <targets.ndjson> <progress.json> <report.txt>');
  const registry = buildConnectionRegistry(
    JSON.parse(readFileSync(connectionsFile, 'utf8')) as ConnectionsConfig,
  );
  const yandex = requireAdapter(registry, 'yandex-cloud', 'default');
  const ids = readFileSync(targetsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { refreshTokenId: string }).refreshTokenId);
  let next = existsSync(progressFile)
    ? (JSON.parse(readFileSync(progressFile, 'utf8')) as { next: number }).next
    : 0;
  const report = createWriteStream(reportFile, { flags: 'a' });
  let done = 0;

  const one = async (id: string): Promise<string> => {
    try {
      let op = await yandex.revoke({ refreshTokenId: id });
      while (!op.done) op = await yandex.getOperation(op.id);
      return op.error ? 'failed' : 'revoked';
    } catch (err) {
      // A token already revoked is not found at Yandex; a script reports it as already revoked.
      return (err as { code?: unknown }).code === 5 || /not found/i.test(String(err)) ? 'already' : 'failed';
    }
  };

  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        report.write(`${await one(id)} ${id}\n`);
        if (++done % CHECKPOINT_EVERY === 0) saveProgress(progressFile, next);
      }
    }),
  );
  saveProgress(progressFile, next);
  await new Promise<void>((resolve) => report.end(resolve));
  process.stdout.write('baseline done\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
