/**
 * `npm run test:chaos`: the full fault-injection suite. Prints each scenario as it ends, then the
 * table; exits 1 when Temporal lost, double-counted or wrongly ended anything.
 *
 * CHAOS_SEED repeats a run's random choices; CHAOS_ONLY=bulk,polling,restart,mix picks scenarios;
 * CHAOS_SIZE=short runs the small sizes of `npm test`.
 */
import { failingRows, formatTable } from './table';
import { fullSizes, runSuite, shortSizes } from './suite';

// Exit through 'exit', where the harness stops the server and workers it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

async function main(): Promise<number> {
  // The long suite counts every too-soon retry, the known Google one included (docs/chaos.md).
  process.env.CHAOS_STRICT_RETRY_AFTER ??= '1';
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
  if (!Number.isInteger(seed)) throw new Error('CHAOS_SEED must be an integer');
  const sizes = process.env.CHAOS_SIZE === 'short' ? shortSizes : fullSizes;
  const only = process.env.CHAOS_ONLY ? new Set(process.env.CHAOS_ONLY.split(',')) : undefined;
  process.stdout.write(`chaos suite, seed ${seed} (CHAOS_SEED=${seed} repeats it)\n`);
  const result = await runSuite(
    sizes,
    seed,
    (row) =>
      process.stdout.write(
        `done: ${row.scenario}: lost ${row.lost}, double-counted ${row.doubleCounted}, wrong ${row.wrongStates} (${row.seconds} s)\n`,
      ),
    only,
  );
  process.stdout.write(`\n${formatTable(result.rows)}\n\nseed ${seed}, total ${result.seconds} s\n`);
  const failing = failingRows(result.rows);
  if (failing.length > 0) {
    process.stdout.write(`FAILED: ${failing.map((r) => r.scenario).join('; ')}\n`);
    return 1;
  }
  process.stdout.write('Temporal: 0 lost, 0 double-counted, 0 wrong final states\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
