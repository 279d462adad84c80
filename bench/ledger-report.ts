import { round as round2, type BenchResult, type Ratio } from './harness';
import type { LedgerCheck } from './ledger-check';

/** The direct loop, the job with the ledger off, the job writing to SQLite or PostgreSQL. */
export type Variant = 'direct' | 'off' | 'sqlite' | 'postgres';

export interface VariantRound {
  elapsedMs: number;
  /** Targets per second. */
  rate: number;
  /** This process (emulator, worker, SQLite), the dev server, the PostgreSQL cluster. */
  cpu: { selfMs: number; serverMs: number; postgresMs: number; totalMs: number };
  workflowId?: string;
  /** Targets per second inside the job's page activities (the ledger append is part of each page). */
  pageRate?: number;
  pageMeanMs?: number;
  ledger?: LedgerCheck;
}

export interface Analysis {
  rounds: Array<Record<Variant, VariantRound>>;
  variants: Variant[];
  targets: number;
  best: Record<Variant, VariantRound>;
  /** Median CPU per 1,000 targets, all processes. */
  cpu: Record<Variant, number>;
  ratios: Array<{ ratio: Ratio; medianOfRounds: number }>;
}

const LABEL: Record<Variant, string> = {
  direct: 'direct loop',
  off: 'ledger off',
  sqlite: 'SQLite ledger',
  postgres: 'PostgreSQL ledger',
};
const COLOR: Record<Variant, string> = {
  direct: '#8c8c8c',
  off: '#4e79a7',
  sqlite: '#59a14f',
  postgres: '#f28e2b',
};

const goalNote = (r: Ratio) =>
  r.goal && r.goal.op === '>=' ? ` (goal ≥ ${r.goal.value})${r.met ? '' : ' MISSED'}` : '';

function lines(a: Analysis, of: string): string[] {
  const rate = (v: Variant) => `${v} ${Math.round(a.best[v].rate)}/s`;
  const withGoal = a.ratios.filter((x) => x.ratio.goal);
  const missed = withGoal.filter((x) => !x.ratio.met).map((x) => x.ratio.name);
  const cpuText = (v: Variant) => {
    const pg = a.best[v].cpu.postgresMs ? ' incl. PostgreSQL' : '';
    return `${v} ${Math.round(a.cpu[v])} ms${pg}`;
  };
  const checked = a.variants.filter((v) => v === 'sqlite' || v === 'postgres');
  const verified = checked
    .map((v) => `${v} ${a.rounds[a.rounds.length - 1]?.[v].ledger?.verify ?? 'not verified'}`)
    .join('; ');
  return [
    `evidence ledger: ${withGoal.map((x) => `${x.ratio.name} ${x.ratio.value.toFixed(2)}${goalNote(x.ratio)}`).join(', ')}` +
      `${missed.length ? `; missed: ${missed.join(', ')}` : '; all goals met'}${of}`,
    `  targets/s: ${a.variants.map(rate).join(', ')}; ${a.ratios.map((x) => `${x.ratio.name} median of rounds ${x.medianOfRounds.toFixed(2)}`).join(', ')}`,
    `  rounds (${a.variants.join('/')} targets/s): ${a.rounds.map((r) => a.variants.map((v) => Math.round(r[v].rate)).join('/')).join(', ')}`,
    `  CPU per 1,000 targets (median, bench process + Temporal server + PostgreSQL): ${a.variants.map(cpuText).join(', ')}`,
    `  inside page activities (best job): ${a.variants
      .filter((v) => v !== 'direct')
      .map(
        (v) =>
          `${v} ${Math.round(a.best[v].pageRate ?? 0)}/s, page mean ${Math.round(a.best[v].pageMeanMs ?? 0)} ms`,
      )
      .join('; ')}`,
    `  ledger check: every ${checked.join(' and ')} job's ledger held exactly ${a.targets} records, one per target, all REVOKED; last round verified: ${verified}`,
  ];
}

const rawRound = (m: VariantRound) => ({
  ...m,
  elapsedMs: round2(m.elapsedMs, 1),
  rate: round2(m.rate, 1),
  ...(m.pageRate !== undefined ? { pageRate: round2(m.pageRate, 1) } : {}),
  ...(m.pageMeanMs !== undefined ? { pageMeanMs: round2(m.pageMeanMs, 1) } : {}),
  cpu: {
    selfMs: round2(m.cpu.selfMs, 0),
    serverMs: round2(m.cpu.serverMs, 0),
    postgresMs: round2(m.cpu.postgresMs, 0),
    totalMs: round2(m.cpu.totalMs, 0),
  },
});

/** The printed lines, figures, ratios, chart and raw rounds of an evidence-ledger run. */
export function ledgerSummary(
  a: Analysis,
  params: Record<string, unknown> & { rounds: number; goalVsOff: number; goalVsDirect: number },
): BenchResult {
  const of = params.rounds > 1 ? ` (best of ${params.rounds} rounds)` : '';
  const ledgerGoal = () =>
    // The binding goal of a ledger bar: 0.9 × ledger off or 0.8 × direct, whichever is higher.
    Math.max(params.goalVsOff * a.best.off.rate, params.goalVsDirect * a.best.direct.rate);
  return {
    summary: lines(a, of),
    figures: [
      ...a.variants.map((v) => ({ name: LABEL[v], value: round2(a.best[v].rate, 1), unit: 'targets/s' })),
      ...a.variants.map((v) => ({
        name: `CPU per 1000 targets, ${v}`,
        value: round2(a.cpu[v], 1),
        unit: 'ms',
      })),
    ],
    ratios: a.ratios.flatMap((x) => [
      x.ratio,
      {
        name: `${x.ratio.name}, median of rounds`,
        formula: `median of per-round ${x.ratio.name}`,
        value: x.medianOfRounds,
      },
    ]),
    chart: {
      title: `Bulk throughput with the evidence ledger, ${a.targets.toLocaleString('en-US')} Yandex targets`,
      subtitle:
        a.ratios
          .filter((x) => x.ratio.goal)
          .map((x) => `${x.ratio.name} ${x.ratio.value.toFixed(2)}`)
          .join(', ') + of,
      unit: 'targets/s',
      bars: a.variants.map((v) => ({
        label: LABEL[v],
        note: v === 'direct' ? 'baseline' : v === 'off' ? 'same job' : 'one record per target',
        value: round2(a.best[v].rate, 1),
        color: COLOR[v],
        ...(v === 'sqlite' || v === 'postgres' ? { goal: round2(ledgerGoal(), 1) } : {}),
      })),
    },
    params,
    raw: { rounds: a.rounds.map((r) => Object.fromEntries(a.variants.map((v) => [v, rawRound(r[v])]))) },
  };
}
