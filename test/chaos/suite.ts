import { seededRandom } from './fault-mix';
import { ChaosTemporal, secondsSince } from './harness';
import { bulkSigkill } from './scenarios/bulk-sigkill';
import { faultMixScenario } from './scenarios/fault-mix';
import { pollingSigkill } from './scenarios/polling-sigkill';
import { serverRestart } from './scenarios/server-restart';
import type { ChaosRow } from './table';

/** How big each scenario is: `npm run test:chaos` runs `full`, `npm test` runs `short`. */
export interface SuiteSizes {
  bulkTargets: number;
  bulkKills: number;
  pollingOperations: number;
  pollingKills: number;
  /** OperationService.Get calls before each polled Yandex operation is done. */
  pollsUntilDone: number;
  restartTargets: number;
  restartAt: number[];
  /** Operations per provider that must end revoked, under the fault mix. */
  mixOperationsPerProvider: number;
  /** Operations per provider that must fail permanently, after exactly one handled call. */
  mixPermanentPerProvider: number;
  faultRate: number;
}

export const fullSizes: SuiteSizes = {
  bulkTargets: 10_000,
  bulkKills: 10,
  pollingOperations: 40,
  pollingKills: 10,
  pollsUntilDone: 12,
  restartTargets: 5_000,
  restartAt: [0.3, 0.7],
  mixOperationsPerProvider: 40,
  mixPermanentPerProvider: 4,
  faultRate: 0.3,
};

export const shortSizes: SuiteSizes = {
  bulkTargets: 1_000,
  bulkKills: 2,
  pollingOperations: 6,
  pollingKills: 2,
  pollsUntilDone: 8,
  restartTargets: 1_000,
  restartAt: [0.4],
  mixOperationsPerProvider: 6,
  mixPermanentPerProvider: 2,
  faultRate: 0.3,
};

export interface SuiteResult {
  rows: ChaosRow[];
  seed: number;
  seconds: number;
}

/** Runs every scenario on one dev server of its own (a SQLite file in a temp dir), in order. */
export async function runSuite(
  sizes: SuiteSizes,
  seed: number,
  onRow: (row: ChaosRow) => void = () => {},
  only?: ReadonlySet<string>,
): Promise<SuiteResult> {
  const started = Date.now();
  const random = seededRandom(seed);
  const t = await ChaosTemporal.start();
  const rows: ChaosRow[] = [];
  const add = (row: ChaosRow) => {
    rows.push(row);
    onRow(row);
  };
  const wants = (name: string) => !only || only.has(name);
  try {
    if (wants('bulk'))
      add(
        await bulkSigkill(t, {
          targets: sizes.bulkTargets,
          kills: sizes.bulkKills,
          random,
          timeoutMs: 20 * 60_000,
        }),
      );
    if (wants('polling'))
      add(
        await pollingSigkill(t, {
          operations: sizes.pollingOperations,
          kills: sizes.pollingKills,
          pollsUntilDone: sizes.pollsUntilDone,
          random,
          timeoutMs: 10 * 60_000,
        }),
      );
    if (wants('restart'))
      add(
        await serverRestart(t, {
          targets: sizes.restartTargets,
          restartAt: sizes.restartAt,
          downMs: 3000,
          timeoutMs: 10 * 60_000,
        }),
      );
    if (wants('mix'))
      for (const row of await faultMixScenario(t, {
        operationsPerProvider: sizes.mixOperationsPerProvider,
        permanentPerProvider: sizes.mixPermanentPerProvider,
        rate: sizes.faultRate,
        yandexRevokeLostReply: process.env.CHAOS_YANDEX_LOST_REPLY !== '0',
        random,
        timeoutMs: 10 * 60_000,
      }))
        add(row);
  } finally {
    await t.close();
  }
  return { rows, seed, seconds: secondsSince(started) };
}
