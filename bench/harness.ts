import type { BenchTemporal } from './temporal';
import type { BarChart } from './svg-chart';

/** A goal a ratio is held to, e.g. `{ op: '>=', value: 0.8 }` or `{ op: 'within', value: 0.95, max: 1.05 }`. */
export type Goal =
  { op: '>=' | '>' | '<=' | '<'; value: number } | { op: 'within'; value: number; max: number };

/** A measured figure, raw. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

/** A figure divided by a baseline measured in the same run, and the goal it is held to. */
export interface Ratio {
  name: string;
  /** How the ratio is formed, e.g. "temporal / direct". */
  formula: string;
  value: number;
  goal?: Goal;
  met?: boolean;
}

export interface BenchResult {
  /** The lines printed for this benchmark, the headline first. */
  summary: string[];
  figures: Figure[];
  ratios: Ratio[];
  chart: BarChart;
  /** The parameters the run used (targets, concurrency, ...), after defaults and env overrides. */
  params: Record<string, unknown>;
  /** Everything else worth keeping: timings, per-run details. */
  raw: Record<string, unknown>;
}

export interface BenchContext {
  /** The run's shared Temporal dev server, client and workflow bundle, started on first use. */
  temporal(): Promise<BenchTemporal>;
  /** Progress line on stderr, prefixed with the benchmark's name and the time since it started. */
  log(line: string): void;
  env: NodeJS.ProcessEnv;
}

export interface Benchmark {
  /** File name of the results (`bench/results/<name>.json|svg`) and the argv name. */
  name: string;
  title: string;
  /**
   * Runs beside the others instead of in turn: it mostly waits on timers and adds almost no load.
   * @default false
   */
  beside?: boolean;
  run(ctx: BenchContext): Promise<BenchResult>;
}

export function goalMet(value: number, goal: Goal): boolean {
  switch (goal.op) {
    case '>=':
      return value >= goal.value;
    case '>':
      return value > goal.value;
    case '<=':
      return value <= goal.value;
    case '<':
      return value < goal.value;
    case 'within':
      return value >= goal.value && value <= goal.max;
  }
}

/** The goal as printed: "≥ 0.8", "0.95–1.05". */
export function goalText(goal: Goal): string {
  if (goal.op === 'within') return `${goal.value}–${goal.max}`;
  return `${{ '>=': '≥', '>': '>', '<=': '≤', '<': '<' }[goal.op]} ${goal.value}`;
}

export function ratio(name: string, formula: string, value: number, goal?: Goal): Ratio {
  return { name, formula, value, ...(goal ? { goal, met: goalMet(value, goal) } : {}) };
}

/** An integer of at least `min` (a positive one by default) from the environment, or the default. Thrown when set but not one. */
export function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min)
    throw new Error(
      `${name} must be ${min === 1 ? 'a positive integer' : `an integer of at least ${min}`}, got "${text}"`,
    );
  return value;
}

/** One of the allowed words from the environment, or the default. */
export function envChoice<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!(choices as readonly string[]).includes(text))
    throw new Error(`${name} must be one of ${choices.join(', ')}, got "${text}"`);
  return text as T;
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  });
  await Promise.all(lanes);
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
export const MiB = 1024 * 1024;
