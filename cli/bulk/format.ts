import { codeName } from '../../api';
import { bulkReportOf, type BulkJobOperation } from '../../client/bulk-jobs';
import { colourEnabled, createStyler, plain, type Styler } from '../colour';
import { ExitCode, type ExitCodeNumber } from '../exit-codes';
import { json, keyValueLines, paintOutcome, statusText } from '../format';
import type { CliIo } from '../io';

/** How many failures the human report lists; `--json` has all the report kept. */
const FAILURES_SHOWN = 10;

function status(op: BulkJobOperation): string {
  if (!op.done) return op.metadata.phase;
  if (op.error) return `FAILED ${codeName(op.error.code)}`;
  const failed = bulkReportOf(op)?.failed ?? op.metadata.failed;
  return failed > 0 ? `DONE WITH ${failed} FAILED TARGET${failed === 1 ? '' : 'S'}` : 'SUCCEEDED';
}

/**
 * A job for people: what it is and where it stands, then the counts aligned, the first failures
 * (position, fingerprint, code, message) and, for a dry run, what would be revoked.
 */
export function formatBulkOperation(op: BulkJobOperation, style: Styler = plain): string {
  const m = op.metadata;
  const report = bulkReportOf(op);
  const state = status(op);
  const failedTargets = (report?.failed ?? m.failed) > 0;
  const counts = report ?? m;
  const total = report?.total ?? m.total;
  const rate = m.currentRate !== undefined && !op.done ? ` (now ${m.currentRate.toFixed(1)}/s)` : '';
  const head = keyValueLines([
    ['id', op.id],
    ['job', `${m.name}${m.dryRun ? ' (dry run: nothing revoked)' : ''}`],
    ['status', state],
    ['description', op.description],
    ['source', m.source],
    [
      'throttle',
      `concurrency ${m.concurrency}, ${m.ratePerSecond !== undefined ? `at most ${m.ratePerSecond}/s` : 'no rate limit'}${rate}`,
    ],
    [
      'pages',
      `${report?.pages ?? m.pages} in ${report?.runs ?? m.runs} run${(report?.runs ?? m.runs) === 1 ? '' : 's'}`,
    ],
    ['schedule', m.scheduleId],
    ['created', `${op.createdAt}${op.createdBy ? ` by ${op.createdBy}` : ''}`],
    ['modified', op.modifiedAt],
    ['finished', report?.finishedAt],
    ['error', op.error && statusText(op.error)],
  ]);
  const rows: Array<[string, number]> = [
    ['processed', counts.processed],
    ['succeeded', counts.succeeded],
    ['already revoked', counts.alreadyRevoked],
    // Counted since not_found became an outcome of its own; shown when a job had one.
    ...(counts.notFound ? ([['not found', counts.notFound]] as Array<[string, number]>) : []),
    ['failed', counts.failed],
    ['skipped', counts.skipped],
  ];
  const labelWidth = Math.max(...rows.map(([k]) => k.length));
  const numberWidth = Math.max(...rows.map(([, n]) => String(n).length));
  const countLines = rows.map(([k, n], i) => {
    const of = i === 0 && total !== undefined ? ` of ${total}` : '';
    return `  ${k.padEnd(labelWidth)}  ${String(n).padStart(numberWidth)}${of}`;
  });
  // Colour after alignment, so the escape codes do not shift the columns.
  const paint = paintOutcome(style, op.done, op.error !== undefined || failedTargets);
  const statusLine = head.split('\n').findIndex((l) => l.startsWith('status ') && l.endsWith(state));
  const painted = head
    .split('\n')
    .map((l, i) => (i === statusLine ? `${l.slice(0, l.length - state.length)}${paint(state)}` : l))
    .join('\n');
  const out = [painted, `${report ? 'report' : 'progress'}\n${countLines.join('\n')}\n`];
  const failures = report?.failures ?? [];
  if (failures.length > 0) {
    const shown = failures.slice(0, FAILURES_SHOWN);
    const posWidth = Math.max(...shown.map((f) => String(f.position).length)) + 1;
    const more =
      counts.failed > shown.length
        ? ` (first ${shown.length} of ${counts.failed}${failures.length > shown.length ? '; --json lists ' + failures.length : ''})`
        : '';
    out.push(
      `failures${more}\n${shown
        .map((f) => `  ${`#${f.position}`.padEnd(posWidth)}  ${f.fingerprint}  ${statusText(f.error)}`)
        .join('\n')}\n`,
    );
  }
  const would = report?.wouldRevoke ?? [];
  if (would.length > 0) {
    const shown = would.slice(0, FAILURES_SHOWN);
    const more = counts.skipped > shown.length ? ` (first ${shown.length} of ${counts.skipped})` : '';
    out.push(`would revoke${more}\n${shown.map((w) => `  ${w}`).join('\n')}\n`);
  }
  return out.join('\n');
}

/**
 * Prints the job (human or `--json`). A done job with an error (cancelled, invalid) or with failed
 * targets also gets one line on stderr saying which, and exit 1; otherwise 0.
 */
export function printBulkJob(io: CliIo, op: BulkJobOperation, asJson: boolean): ExitCodeNumber {
  io.stdout.write(
    asJson ? json(op) : formatBulkOperation(op, createStyler(colourEnabled(io.stdout, io.env))),
  );
  if (!op.done) return ExitCode.ok;
  const report = bulkReportOf(op);
  if (op.error) {
    const done = report ? `; ${report.processed} targets were processed before it stopped` : '';
    io.stderr.write(`error: job ${op.id} ended with ${statusText(op.error)}${done}\n`);
    return ExitCode.operationFailed;
  }
  const failed = report?.failed ?? op.metadata.failed;
  if (failed > 0) {
    io.stderr.write(
      `error: job ${op.id} finished with ${failed} failed target${failed === 1 ? '' : 's'} of ${report?.processed ?? op.metadata.processed} (see the failures in the report)\n`,
    );
    return ExitCode.operationFailed;
  }
  return ExitCode.ok;
}
