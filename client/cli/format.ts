import { codeName, type Operation, type Status } from '../../api';
import type { OperationSummary } from '../revocation-client';

function lines(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
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
  return op.error ? `FAILED ${codeName(op.error.code)}` : 'SUCCEEDED';
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
export function formatOperation(op: Operation): string {
  const m = op.metadata;
  const provider = text(field(m, 'provider'));
  const connection = text(field(m, 'connection'));
  const attempts = text(field(m, 'attempts'));
  const polls = text(field(m, 'polls'));
  return lines([
    ['id', op.id],
    ['done', String(op.done)],
    ['status', state(op)],
    ['description', op.description],
    ['provider', provider && (connection ? `${provider}/${connection}` : provider)],
    ['target', text(field(m, 'target'))],
    ['phase', text(field(m, 'phase'))],
    ['attempts', attempts && (polls && polls !== '0' ? `${attempts} (polls ${polls})` : attempts)],
    ['provider op', text(field(m, 'providerOperationId'))],
    ['created', `${op.createdAt}${op.createdBy ? ` by ${op.createdBy}` : ''}`],
    ['modified', op.modifiedAt],
    [op.done ? 'error' : 'last error', op.error && statusText(op.error)],
    ['revoked', responseSummary(op)],
    ['subject', text(field(op.response, 'subjectId'))],
  ]);
}

/** One row per operation, newest first, then the next page's token if any. */
export function formatList(result: { operations: OperationSummary[]; nextPageToken?: string }): string {
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
  const render = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [render(header), ...rows.map(render)].join('\n') + '\n';
  return result.nextPageToken ? `${out}next page: --page-token ${result.nextPageToken}\n` : out;
}

/** Pretty JSON, one document. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
