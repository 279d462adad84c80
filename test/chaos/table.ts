/** What a baseline (the same work without Temporal) lost or counted twice under the same faults. */
export interface BaselineFigures {
  lost: number;
  doubleCounted: number;
  wrongStates: number;
}

/** One scenario's outcome, as the suite's table prints it. */
export interface ChaosRow {
  scenario: string;
  /** Faults injected, e.g. `10 SIGKILL` or `412 (503 120, 429 98, reset 101, ...)`. */
  faults: string;
  operations: number;
  lost: number;
  doubleCounted: number;
  wrongStates: number;
  baseline?: BaselineFigures;
  /** Extra figures worth a line under the table (retries, Retry-After gaps checked, ...). */
  notes: string[];
  seconds: number;
}

const headers = [
  'scenario',
  'faults injected',
  'operations',
  'lost',
  'double-counted',
  'wrong final states',
  'baseline lost',
  'baseline double-counted',
  'baseline wrong states',
  'seconds',
] as const;

function cells(r: ChaosRow): string[] {
  const b = r.baseline;
  return [
    r.scenario,
    r.faults,
    String(r.operations),
    String(r.lost),
    String(r.doubleCounted),
    String(r.wrongStates),
    b ? String(b.lost) : 'n/a',
    b ? String(b.doubleCounted) : 'n/a',
    b ? String(b.wrongStates) : 'n/a',
    String(r.seconds),
  ];
}

/** A Markdown table (it reads well in a terminal too), then each row's notes. */
export function formatTable(rows: readonly ChaosRow[]): string {
  const body = rows.map(cells);
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) => `| ${c.map((x, i) => x.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const out = [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
  const notes = rows.flatMap((r) => r.notes.map((n) => `- ${r.scenario}: ${n}`));
  return [...out, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

/** Rows where Temporal lost, double-counted or ended an operation wrongly (must be none). */
export function failingRows(rows: readonly ChaosRow[]): ChaosRow[] {
  return rows.filter((r) => r.lost > 0 || r.doubleCounted > 0 || r.wrongStates > 0);
}
