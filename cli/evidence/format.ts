import type { LedgerRow, VerifyReport } from '../../client/evidence';
import { plain, type Styler } from '../colour';
import { keyValueLines } from '../format';

const failedStatuses = new Set(['FAILED', 'CANCELLED']);

function paintStatus(style: Styler, status: string): (s: string) => string {
  return failedStatuses.has(status) ? style.failed : style.ok;
}

/** One row per record, as stored; then a line when there were more than shown. */
export function formatEvidenceList(rows: LedgerRow[], more: boolean, style: Styler = plain): string {
  if (rows.length === 0) return 'no evidence records\n';
  const header = ['RECORD', 'STATUS', 'PROVIDER', 'SUBJECT', 'REQUESTED', 'VERIFICATION', 'ERROR'];
  const cells = rows.map(({ record: r }) => [
    r.recordId,
    r.status,
    `${r.provider}/${r.connection}`,
    r.subject ?? '-',
    r.requestedAt,
    r.verification?.state ?? '-',
    r.errorCode ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const render = (r: string[], paint: (column: number, cell: string) => string) =>
    r
      .map((c, i) => paint(i, i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const lines = [
    render(header, (_, cell) => style.heading(cell)),
    ...cells.map((c) => render(c, (i, cell) => (i === 1 ? paintStatus(style, c[1] ?? '')(cell) : cell))),
  ];
  const tail = more ? `more records match: raise --limit, or use "revoke evidence export"\n` : '';
  return `${lines.join('\n')}\n${tail}`;
}

/** Every field of one record, then its place in the chain. */
export function formatEvidenceRecord(row: LedgerRow, style: Styler = plain): string {
  const r = row.record;
  const ref = r.providerReference;
  const v = r.verification;
  return keyValueLines(
    [
      ['record', r.recordId],
      ['status', { text: r.status, paint: paintStatus(style, r.status) }],
      ['error', r.errorCode ?? undefined],
      ['operation', r.operationId],
      ['job', r.jobId ?? undefined],
      ['target key', r.targetKey],
      ['provider', `${r.provider}/${r.connection}`],
      ['target', r.target],
      ['token', r.tokenFingerprint ?? undefined],
      ['subject', r.subject ?? undefined],
      ['requested', `${r.requestedAt} by ${r.requestedBy}`],
      ['revoked', r.revokedAt ?? undefined],
      ['attempts', String(r.attempts)],
      ['provider op', ref.operationId],
      ['provider count', ref.count !== undefined ? String(ref.count) : undefined],
      ['provider ids', ref.ids?.join(', ')],
      ['verification', v ? `${v.state} by ${v.method} at ${v.checkedAt}: ${v.detail}` : 'none'],
      ['stream', `${row.streamId} #${row.seq}`],
      ['recorded', row.recordedAt],
      ['prev hash', row.prevHash],
      ['hash', row.hash],
    ],
    style,
  );
}

/** What verify checked, the purges it saw, and the first problem when there is one. */
export function formatVerifyReport(report: VerifyReport, url: string, style: Styler = plain): string {
  const checked = `${report.records} records in ${report.streams} stream${report.streams === 1 ? '' : 's'}, ${report.checkpoints} signed checkpoints`;
  const lines = [
    report.ok
      ? `${style.ok('ok')}: ${url}: ${checked}`
      : `${style.failed('FAILED')}: ${url}: ${report.problem?.kind ?? 'problem'} (checked ${checked})`,
    ...report.purges.map(
      (p) => `purged at ${p.at}: ${p.removed} records stored before ${p.before} (recorded in the chain)`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** The stderr line naming the first bad record. */
export function problemLine(report: VerifyReport): string {
  const p = report.problem;
  if (!p) return 'error: verify failed';
  const where = [
    p.recordId !== undefined ? `record ${p.recordId}` : undefined,
    p.streamId !== undefined
      ? `stream ${p.streamId}${p.seq !== undefined ? ` seq ${p.seq}` : ''}`
      : undefined,
    p.checkpointId !== undefined ? `checkpoint ${p.checkpointId}` : undefined,
  ].filter((s) => s !== undefined);
  return `error: ${p.kind}${where.length ? ` at ${where.join(', ')}` : ''}: ${p.message}`;
}
