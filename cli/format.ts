import { codeName, type Operation, type Status } from '../api';
import type { OperationSummary } from '../client/revocation-client';
import { plain, type Styler } from './colour';

/** A value and how to colour it; colour is applied after padding, so columns stay aligned. */
type Cell = string | undefined | { text: string | undefined; paint: (s: string) => string };

/** Aligned `key  value` lines, skipping empty values; the keys dimmed when `style` colours. */
export function keyValueLines(rows: Array<[string, Cell]>, style: Styler = plain): string {
  const present = rows
    .map(([k, v]): [string, string | undefined, (s: string) => string] =>
      typeof v === 'object' ? [k, v.text, v.paint] : [k, v, (s) => s],
    )
    .filter((r): r is [string, string, (s: string) => string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...present.map(([k]) => k.length));
  return present.map(([k, v, paint]) => `${style.dim(k.padEnd(width))}  ${paint(v)}`).join('\n') + '\n';
}

const field = (o: object | undefined, key: string): unknown =>
  (o as Record<string, unknown> | undefined)?.[key];
const text = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;

/** `PERMISSION_DENIED (7): not allowed` */
export function statusText(s: Status): string {
  return `${codeName(s.code)} (${s.code}): ${s.message}`;
}

function state(op: Operation): string {
  if (!op.done) return op.error ? 'RUNNING (retrying after an error)' : 'RUNNING';
  if (op.error) return `FAILED ${codeName(op.error.code)}`;
  return cancelTooLate(op) ? 'SUCCEEDED (cancel came too late)' : 'SUCCEEDED';
}

/** A cancel (or the deadline) reached the provider after it had finished: the result is what happened. */
const cancelTooLate = (op: Operation): boolean => field(op.response, 'cancelTooLate') === true;

/** Green for success, red for failure, yellow while running. */
export function paintOutcome(style: Styler, done: boolean, failed: boolean): (s: string) => string {
  if (!done) return style.running;
  return failed ? style.failed : style.ok;
}

function responseSummary(op: Operation): string | undefined {
  const r = op.response;
  if (!r) return undefined;
  const count = text(field(r, 'revokedCount'));
  const ids = field(r, 'refreshTokenIds');
  // Yandex names what it revoked; other providers echo nothing, so say what was asked (no secrets).
  const what = Array.isArray(ids) && ids.length > 0 ? ids.join(', ') : text(field(op.metadata, 'target'));
  return [count, what].filter((s) => s !== undefined && s !== '').join(': ') || undefined;
}

/** Aligned key/value lines for people; `--json` prints the Operation itself. */
export function formatOperation(op: Operation, style: Styler = plain): string {
  const m = op.metadata;
  const provider = text(field(m, 'provider'));
  const connection = text(field(m, 'connection'));
  const attempts = text(field(m, 'attempts'));
  const polls = text(field(m, 'polls'));
  return keyValueLines(
    [
      ['id', op.id],
      ['done', String(op.done)],
      ['status', { text: state(op), paint: paintOutcome(style, op.done, op.error !== undefined) }],
      ['description', op.description],
      ['provider', provider && (connection ? `${provider}/${connection}` : provider)],
      ['target', text(field(m, 'target'))],
      ['phase', text(field(m, 'phase'))],
      ['attempts', attempts && (polls && polls !== '0' ? `${attempts} (polls ${polls})` : attempts)],
      ['provider op', text(field(m, 'providerOperationId'))],
      ['created', `${op.createdAt}${op.createdBy ? ` by ${op.createdBy}` : ''}`],
      ['modified', op.modifiedAt],
      [op.done ? 'error' : 'last error', { text: op.error && statusText(op.error), paint: style.failed }],
      ['revoked', responseSummary(op)],
      [
        'cancel',
        cancelTooLate(op) ? 'too late: the provider had finished before the cancel reached it' : undefined,
      ],
      ['subject', text(field(op.response, 'subjectId'))],
    ],
    style,
  );
}

/** One row per operation, newest first, then the next page's token if any. */
export function formatList(
  result: { operations: OperationSummary[]; nextPageToken?: string },
  style: Styler = plain,
): string {
  if (result.operations.length === 0) return 'no operations\n';
  const header = ['ID', 'STATUS', 'PROVIDER', 'SUBJECT', 'CREATED', 'CREATED BY', 'DESCRIPTION'];
  const rows = result.operations.map((o) => [
    o.id,
    o.done ? o.outcome : 'RUNNING',
    o.provider ? `${o.provider}/${o.connection ?? '?'}` : '-',
    o.subject ?? '-',
    o.createdAt,
    o.createdBy,
    o.description,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const STATUS = 1;
  const render = (r: string[], paint: (column: number, cell: string) => string) =>
    r
      .map((c, i) => paint(i, i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const summaries = result.operations;
  const out =
    [
      render(header, (_, cell) => style.heading(cell)),
      ...rows.map((r, n) =>
        render(r, (i, cell) => {
          const o = summaries[n];
          return i === STATUS && o ? paintOutcome(style, o.done, o.outcome !== 'SUCCEEDED')(cell) : cell;
        }),
      ),
    ].join('\n') + '\n';
  return result.nextPageToken ? `${out}next page: --page-token ${result.nextPageToken}\n` : out;
}

/** Pretty JSON, one document. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * One line per reading, for `get --watch` when stdout is not a terminal:
 * `2026-11-21T08:00:01.000Z  RUNNING  phase=POLLING  attempts=1  polls=2`.
 */
export function formatOperationLine(op: Operation, style: Styler = plain): string {
  const m = op.metadata;
  const parts = [
    op.modifiedAt,
    paintOutcome(style, op.done, op.error !== undefined)(state(op)),
    ...(['phase', 'attempts', 'polls', 'processed', 'failed'] as const).flatMap((key) => {
      const value = text(field(m, key));
      return value === undefined ? [] : [`${key}=${value}`];
    }),
  ];
  if (op.error) parts.push(style.failed(`${op.done ? 'error' : 'last error'}=${statusText(op.error)}`));
  const revoked = responseSummary(op);
  if (revoked) parts.push(`revoked=${revoked}`);
  return `${parts.join('  ')}\n`;
}
