import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { bulkThroughput } from './bulk-throughput';
import { ledgerThroughput } from './ledger-throughput';
import { RESULTS_DIR } from './fixtures';
import { MiB, type Benchmark, type BenchContext, type BenchResult } from './harness';
import { pollingCost } from './polling-cost';
import { rateLimit } from './rate-limit';
import { singleLatency } from './single-latency';
import { barChartSvg } from './svg-chart';
import { startBenchTemporal, type BenchTemporal } from './temporal';
import { workerMemory } from './worker-memory';

/** Every benchmark, in the order `npm run bench` runs them. A new one adds a row. */
export const benchmarks: Benchmark[] = [
  singleLatency,
  bulkThroughput,
  ledgerThroughput,
  rateLimit,
  workerMemory,
  pollingCost,
];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function machine() {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    memoryMiB: Math.round(totalmem() / MiB),
    platform: process.platform,
    arch: process.arch,
  };
}

interface RunInfo {
  durationMs: number;
  temporalCli?: string;
  /** 1-minute load averages before and after: other processes on the machine skew the figures. */
  loadBefore: number;
  loadAfter: number;
}

async function writeResults(b: Benchmark, result: BenchResult, info: RunInfo): Promise<string[]> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = join(RESULTS_DIR, `${b.name}.json`);
  const svg = join(RESULTS_DIR, `${b.name}.svg`);
  const body = {
    name: b.name,
    title: b.title,
    date: new Date().toISOString(),
    machine: machine(),
    cpus: machine().cpus,
    node: process.version,
    ...(info.temporalCli ? { temporalCli: info.temporalCli } : {}),
    durationSeconds: Number((info.durationMs / 1000).toFixed(1)),
    loadAverage1m: { before: info.loadBefore, after: info.loadAfter },
    summary: result.summary,
    ratios: result.ratios,
    figures: result.figures,
    params: result.params,
    raw: result.raw,
  };
  // Formatted as the repository's prettier would, so `npm run lint` passes on committed results.
  const options = (await resolveConfig(json)) ?? {};
  writeFileSync(json, await format(JSON.stringify(body), { ...options, parser: 'json' }));
  writeFileSync(svg, barChartSvg(result.chart));
  return [json, svg].map((p) => relative(process.cwd(), p));
}

/**
 * `npm run bench [-- <name>...]`: runs every benchmark (or the named ones) against one Temporal dev
 * server, prints each one's figures as ratios against its baseline, and writes
 * bench/results/<name>.json and .svg. Exits 1 when a benchmark fails to run (a missed goal is
 * reported, not an error).
 */
async function main(): Promise<number> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !benchmarks.some((b) => b.name === n));
  if (unknown.length) {
    process.stderr.write(
      `unknown benchmark ${unknown.join(', ')}; choose from ${benchmarks.map((b) => b.name).join(', ')}\n`,
    );
    return 2;
  }
  const selected = names.length ? benchmarks.filter((b) => names.includes(b.name)) : benchmarks;
  const runStarted = performance.now();
  let temporal: Promise<BenchTemporal> | undefined;
  const lines: string[] = [];
  let failed = 0;
  process.stdout.write(
    `bench: ${selected.map((b) => b.name).join(', ')} on ${machine().cpus} CPUs, node ${process.version}\n`,
  );

  const runOne = async (b: Benchmark, index: number): Promise<void> => {
    const started = performance.now();
    const ctx: BenchContext = {
      env: process.env,
      log: (line) => process.stderr.write(`[${b.name} +${seconds(performance.now() - started)}] ${line}\n`),
      temporal: () => (temporal ??= startBenchTemporal((line) => ctx.log(line))),
    };
    process.stdout.write(`\n▶ ${b.name}: ${b.title}${b.beside ? ' (runs beside the others)' : ''}\n`);
    const loadBefore = Number((loadavg()[0] ?? 0).toFixed(2));
    if (loadBefore > machine().cpus / 2)
      process.stdout.write(
        `  note: load average ${loadBefore} before the run; other processes may skew the figures\n`,
      );
    try {
      const result = await b.run(ctx);
      const duration = performance.now() - started;
      const files = await writeResults(b, result, {
        durationMs: duration,
        ...(temporal ? { temporalCli: (await temporal).cli } : {}),
        loadBefore,
        loadAfter: Number((loadavg()[0] ?? 0).toFixed(2)),
      });
      if (b.beside) process.stdout.write(`\n■ ${b.name}\n`);
      for (const line of result.summary) process.stdout.write(`${line}\n`);
      process.stdout.write(`  ${seconds(duration)}; wrote ${files.join(', ')}\n`);
      lines[index] = result.summary[0] ?? b.name;
    } catch (err) {
      failed++;
      process.stderr.write(
        `${b.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      lines[index] = `${b.name}: FAILED (${err instanceof Error ? err.message : String(err)})`;
    }
  };

  try {
    // Benchmarks that mostly wait on timers run beside the others, so the run takes less time.
    const beside = selected.flatMap((b, i) => (b.beside ? [runOne(b, i)] : []));
    for (const [i, b] of selected.entries()) if (!b.beside) await runOne(b, i);
    await Promise.all(beside);
  } finally {
    if (temporal)
      await temporal.then(
        (t) => t.close(),
        () => undefined,
      );
  }
  process.stdout.write(`\nbench summary (${seconds(performance.now() - runStarted)} total)\n`);
  for (const line of lines) process.stdout.write(`  ${line}\n`);
  return failed ? 1 : 0;
}

// Ctrl-C: exit through 'exit' handlers, which stop the dev server and any worker process.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
