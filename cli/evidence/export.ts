import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import {
  exportFormats,
  type EvidenceClient,
  type EvidenceQuery,
  type ExportFormat,
} from '../../client/evidence';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { badInput, jsonOption } from '../flags';
import { json } from '../format';
import type { ProgressStream } from '../progress';
import { addFilterOptions, evidenceAction, openEvidence, queryOf, type FilterFlags } from './options';

/** No progress for an export done within this long; after it, a line at most this often (not a TTY). */
const PROGRESS_AFTER_MS = 2_000;

/** Export progress on stderr: a live counter at a terminal, a plain line every 2 s otherwise. */
export function exportProgress(
  stream: ProgressStream,
  now: () => number = Date.now,
): { update(n: number): void; stop(): void } {
  const started = now();
  let lastAt = started;
  let bar: SingleBar | undefined;
  const rate = (n: number) => {
    const s = (now() - started) / 1000;
    return s > 0 ? String(Math.round(n / s)) : '?';
  };
  return {
    update(n) {
      const at = now();
      if (at - started < PROGRESS_AFTER_MS) return;
      if (stream.isTTY) {
        bar ??= new SingleBar({
          stream: stream as NodeJS.WritableStream,
          format: 'export: {value} records, {speed}/s',
          fps: 5,
          linewrap: true,
          hideCursor: false,
        });
        if (!bar.isActive) bar.start(0, n, { speed: rate(n) });
        else bar.update(n, { speed: rate(n) });
        return;
      }
      if (at - lastAt < PROGRESS_AFTER_MS) return;
      lastAt = at;
      stream.write(`export: ${n} records, ${rate(n)}/s\n`);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** Writes to `path` through a temporary file renamed at the end, so a failed export leaves no partial file. */
async function exportToFile(
  evidence: EvidenceClient,
  query: EvidenceQuery,
  format: ExportFormat,
  path: string,
  onProgress: (n: number) => void,
): Promise<number> {
  const partial = `${path}.partial-${process.pid}`;
  const out = createWriteStream(partial, { encoding: 'utf8' });
  try {
    const n = await evidence.export(query, format, out, onProgress);
    out.end();
    await finished(out);
    await rename(partial, path);
    return n;
  } catch (err) {
    out.destroy();
    await rm(partial, { force: true });
    if ((err as NodeJS.ErrnoException).syscall === 'open') {
      throw badInput('--output', `cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    throw err;
  }
}

interface ExportFlags extends FilterFlags {
  format?: ExportFormat;
  output: string;
  progress?: boolean;
  json?: boolean;
}

/** `revoke evidence export`. */
export function addEvidenceExport(evidence: Command, ctx: CliContext): void {
  const cmd = evidence
    .command('export')
    .summary('export evidence records as NDJSON or CSV, streaming')
    .description(
      'Write the records the filters select (all by default) as NDJSON or CSV (RFC 4180, with a header), one ' +
        'record per line with its chain fields (streamId, seq, prevHash, hash, recordedAt), so the file can be ' +
        'checked against the ledger ("evidence verify --file"). Streams: memory stays flat for any size',
    );
  addFilterOptions(cmd)
    .addOption(
      new Option(
        '--format <format>',
        'ndjson or csv (default: from the --output extension, else ndjson)',
      ).choices(exportFormats),
    )
    .option('--output <file>', 'where to write; - is stdout', '-')
    .option('--no-progress', 'no progress line on stderr')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  $ revoke evidence export --output evidence-2026.ndjson --from 2026-01-01 --to 2027-01-01
  $ revoke evidence export --format csv --output - --subject alice > alice.csv
  $ revoke evidence export --job bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --output job.csv --json`,
    )
    .action(
      evidenceAction(ctx, async (flags: ExportFlags) => {
        const query = queryOf(flags);
        const toStdout = flags.output === '-';
        if (toStdout && flags.json)
          throw badInput('--json', 'needs --output <file>: the export itself goes to stdout');
        const format = flags.format ?? (!toStdout && /\.csv$/i.test(flags.output) ? 'csv' : 'ndjson');
        const progress = flags.progress === false ? undefined : exportProgress(ctx.io.stderr);
        const onProgress = (n: number) => progress?.update(n);
        const evidence = await openEvidence(ctx, flags);
        let exported: number;
        try {
          exported = toStdout
            ? await evidence.export(query, format, ctx.io.stdout, onProgress)
            : await exportToFile(evidence, query, format, flags.output, onProgress);
        } finally {
          progress?.stop();
          await evidence.close();
        }
        const summary = { exported, format, output: flags.output };
        if (flags.json) ctx.io.stdout.write(json(summary));
        else if (!toStdout)
          ctx.io.stdout.write(`exported ${exported} records to ${flags.output} (${format})\n`);
        else ctx.progress(`exported ${exported} records (${format})`);
        ctx.exitCode = ExitCode.ok;
      }),
    );
}
