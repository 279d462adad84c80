import { SingleBar } from 'cli-progress';
import type { BulkJobOperation } from '../client/bulk-jobs';

/** Where progress goes: stderr, or a buffer in tests. `isTTY` picks the live bar over plain lines. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface BulkProgressOptions {
  /** Plain lines (not a TTY): at most one per this many ms; a phase change prints at once. @default 2000 */
  lineIntervalMs?: number;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
}

/** Shows a job's progress as it is read; `stop` ends the bar (a TTY) before the report is printed. */
export interface BulkProgress {
  update(op: BulkJobOperation): void;
  stop(): void;
}

/** What one reading shows: counts, a rate measured over the last readings, and the time left. */
export interface ProgressSnapshot {
  phase: BulkJobOperation['metadata']['phase'];
  processed: number;
  total?: number;
  failed: number;
  /** Targets per second. */
  rate?: number;
  /** Seconds until done at `rate`; only when the total is known and the job is running. */
  etaSeconds?: number;
}

/** Measures the rate over a sliding window of readings; a page's own rate until the window spans enough. */
export class RateWindow {
  private samples: Array<{ at: number; processed: number }> = [];

  constructor(
    private readonly windowMs = 30_000,
    private readonly minSpanMs = 3_000,
  ) {}

  add(at: number, processed: number): void {
    const last = this.samples.at(-1);
    // A count going down means a different job or a restart of the reading; start over.
    if (last && processed < last.processed) this.samples = [];
    this.samples.push({ at, processed });
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) <= at - this.windowMs) this.samples.shift();
  }

  rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < this.minSpanMs) return undefined;
    return ((last.processed - first.processed) * 1000) / (last.at - first.at);
  }
}

export function snapshotOf(op: BulkJobOperation, measured: number | undefined): ProgressSnapshot {
  const m = op.metadata;
  const rate = measured !== undefined && measured > 0 ? measured : m.currentRate;
  const left = m.total !== undefined ? Math.max(0, m.total - m.processed) : undefined;
  const running = m.phase === 'RUNNING' && !op.done;
  return {
    phase: op.done ? 'DONE' : m.phase,
    processed: m.processed,
    ...(m.total !== undefined ? { total: m.total } : {}),
    failed: m.failed,
    ...(rate !== undefined ? { rate } : {}),
    ...(running && left !== undefined && rate !== undefined && rate > 0
      ? { etaSeconds: Math.ceil(left / rate) }
      : {}),
  };
}

/** `45s`, `12m05s`, `3h20m` */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const rateText = (rate: number | undefined): string =>
  rate === undefined ? '?/s' : `${rate >= 100 ? Math.round(rate) : rate.toFixed(1)}/s`;

function countText(s: ProgressSnapshot): string {
  if (s.total === undefined) return `${s.processed}/?`;
  const pct = s.total > 0 ? Math.floor((s.processed * 100) / s.total) : 100;
  return `${s.processed}/${s.total} (${pct}%)`;
}

/** One plain progress line: `bulk-1: RUNNING 120/600 (20%) processed, 19.8/s, ETA 24s, 2 failed`. */
export function progressLine(id: string, s: ProgressSnapshot): string {
  const eta = s.phase === 'RUNNING' ? `, ETA ${formatEta(s.etaSeconds)}` : '';
  return `${id}: ${s.phase} ${countText(s)} processed, ${rateText(s.rate)}${eta}, ${s.failed} failed`;
}

/** A line is due again after this long even when nothing moved, so a log never looks stuck. */
const KEEPALIVE_MS = 60_000;

/**
 * Plain lines for logs and pipes: when the counts moved (at most one per interval), at once on a
 * phase change, and a keep-alive line when a long page shows no movement for a minute.
 */
class LineProgress implements BulkProgress {
  private lastAt = -Infinity;
  private lastKey = '';
  private lastPhase: string | undefined;
  private readonly rates = new RateWindow();

  constructor(
    private readonly stream: ProgressStream,
    private readonly id: string,
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  update(op: BulkJobOperation): void {
    const at = this.now();
    this.rates.add(at, op.metadata.processed);
    if (op.done) return; // the report follows
    const snapshot = snapshotOf(op, this.rates.rate());
    const key = `${snapshot.processed}/${snapshot.total ?? '?'}/${snapshot.failed}`;
    const since = at - this.lastAt;
    const due =
      snapshot.phase !== this.lastPhase ||
      (since >= this.intervalMs && key !== this.lastKey) ||
      since >= Math.max(KEEPALIVE_MS, this.intervalMs);
    if (!due) return;
    this.stream.write(`${progressLine(this.id, snapshot)}\n`);
    this.lastAt = at;
    this.lastKey = key;
    this.lastPhase = snapshot.phase;
  }

  stop(): void {}
}

/** Names cli-progress does not use itself (its own `eta` would win over ours). */
interface BarPayload {
  count: string;
  rate: string;
  timeLeft: string;
  failed: string;
  phase: string;
}

/** The live bar for people at a terminal: processed/total, rate, ETA, failures, redrawn in place. */
class BarProgress implements BulkProgress {
  private readonly bar: SingleBar;
  private started = false;
  private readonly rates = new RateWindow();

  constructor(
    stream: ProgressStream,
    private readonly now: () => number,
  ) {
    this.bar = new SingleBar({
      // cli-progress writes through `write` and the readline cursor helpers, which only need `write`.
      stream: stream as NodeJS.WritableStream,
      // Phase first: a narrow terminal cuts the end of the line, never the state.
      format: '{phase} [{bar}] {count}, {rate}, ETA {timeLeft}, {failed} failed',
      barsize: 20,
      fps: 5,
      // With a total not yet known the bar stays empty rather than full.
      emptyOnZero: true,
      // Leave the terminal's wrapping mode alone: an interrupted CLI must not leave it switched off.
      linewrap: true,
      hideCursor: false,
    });
  }

  update(op: BulkJobOperation): void {
    this.rates.add(this.now(), op.metadata.processed);
    const s = snapshotOf(op, this.rates.rate());
    const payload: BarPayload = {
      count: countText(s),
      rate: rateText(s.rate),
      timeLeft: s.phase === 'RUNNING' ? formatEta(s.etaSeconds) : '-',
      failed: String(s.failed),
      phase: s.phase,
    };
    const total = s.total ?? 0;
    if (!this.started) {
      this.bar.start(total, s.processed, payload);
      this.started = true;
    } else {
      this.bar.setTotal(total);
      this.bar.update(s.processed, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

/**
 * A progress display for job `id` on `stream`: a live bar when it is a TTY, plain lines otherwise
 * (CI logs, pipes), so a long `--wait` never looks stuck and never floods a log.
 */
export function createBulkProgress(
  stream: ProgressStream,
  id: string,
  options: BulkProgressOptions = {},
): BulkProgress {
  const now = options.now ?? Date.now;
  return stream.isTTY
    ? new BarProgress(stream, now)
    : new LineProgress(stream, id, options.lineIntervalMs ?? 2_000, now);
}
