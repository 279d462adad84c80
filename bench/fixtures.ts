import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BulkRevocationJobInput } from '../api';
import { startYandexEmulator, type YandexEmulator, type YandexTokenSeed } from '../emulators/yandex-cloud';
import type { ConnectionsConfig } from '../worker/connections';
import type { BulkOperation } from '../workflows/bulk-revocation';
import type { BenchTemporal } from './temporal';

export const RESULTS_DIR = join(__dirname, 'results');
/** Scratch files of a run (NDJSON sources, connection configs); git-ignored, removed at the end. */
export const TMP_DIR = join(RESULTS_DIR, 'tmp');
export const SUBJECT = 'emulator-subject';

export function scratchDir(): string {
  const dir = join(TMP_DIR, randomUUID());
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** `n` refresh tokens of the emulator's caller, ids `<prefix>-0` ... in list order. */
export function tokenSeeds(n: number, prefix: string): YandexTokenSeed[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    token: `yc1.bench-${prefix}-${i}`,
    subjectId: SUBJECT,
    clientId: 'bench-client',
  }));
}

export interface SeededEmulator {
  emulator: YandexEmulator;
  ids: string[];
  connections: ConnectionsConfig;
  /** The same connections as a file, for a worker process. */
  connectionsFile: string;
  /** Milliseconds spent seeding (the emulator checks each new token value against all others). */
  seedMs: number;
}

/**
 * A fresh Yandex emulator holding `n` tokens whose operations are done in the Revoke reply, or, with
 * `pollsUntilDone`, only in the answer to that many OperationService.Get calls.
 */
export async function seededEmulator(
  n: number,
  prefix: string,
  dir: string,
  pollsUntilDone = 0,
): Promise<SeededEmulator> {
  const seeds = tokenSeeds(n, prefix);
  const started = Date.now();
  const emulator = await startYandexEmulator({ tokens: seeds, pollsUntilDone });
  const seedMs = Date.now() - started;
  const rootCertFile = join(dir, `${prefix}-ca.pem`);
  writeFileSync(rootCertFile, emulator.rootCert);
  const connections: ConnectionsConfig = {
    'yandex-cloud': { default: { endpoint: emulator.endpoint, iamToken: emulator.iamToken, rootCertFile } },
  };
  const connectionsFile = join(dir, `${prefix}-connections.json`);
  writeFileSync(connectionsFile, JSON.stringify(connections));
  return { emulator, ids: seeds.map((s) => s.id as string), connections, connectionsFile, seedMs };
}

/** An NDJSON source of Yandex revocations by refresh token id. */
export function ndjsonOfIds(ids: readonly string[], dir: string, name: string): string {
  const path = join(dir, `${name}.ndjson`);
  const lines = ids.map((id) => JSON.stringify({ provider: 'yandex-cloud', refreshTokenId: id }));
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export interface JobRun {
  id: string;
  operation: BulkOperation;
  /** From just before the start request to the result, milliseconds. */
  elapsedMs: number;
}

/** Starts a bulk job and waits for its result (following continue-as-new runs). */
export async function runBulkJob(
  t: BenchTemporal,
  taskQueue: string,
  job: BulkRevocationJobInput,
): Promise<JobRun> {
  const id = `bulk-bench-${randomUUID()}`;
  const started = performance.now();
  const handle = await t.client.workflow.start('bulkRevocation', { taskQueue, workflowId: id, args: [job] });
  const operation = (await handle.result()) as BulkOperation;
  return { id, operation, elapsedMs: performance.now() - started };
}

/** Thrown when a job's report does not account for every target exactly once as revoked. */
export function checkAllRevoked(run: JobRun, n: number, emulator: YandexEmulator): void {
  const r = run.operation.response;
  if (!r) throw new Error(`job ${run.id} ended without a report: ${JSON.stringify(run.operation.error)}`);
  if (r.processed !== n || r.succeeded !== n)
    throw new Error(
      `job ${run.id}: processed ${r.processed}, succeeded ${r.succeeded}, expected ${n} of each`,
    );
  const active = emulator.activeTokens().length;
  if (active !== 0) throw new Error(`job ${run.id}: ${active} tokens still active at the emulator`);
}
