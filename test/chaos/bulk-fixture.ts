import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startYandexEmulator, type YandexEmulator } from '../../emulators/yandex-cloud';
import type { BulkRevocationReport } from '../../api';
import { writeConnections } from './harness';

export const SUBJECT = 'emulator-subject';

/** A Yandex emulator holding `n` refresh tokens `<prefix>-i`, an NDJSON file of them, connections. */
export interface BulkTargets {
  emulator: YandexEmulator;
  ids: string[];
  ndjsonPath: string;
  connectionsFile: string;
}

export async function bulkTargets(dir: string, prefix: string, n: number): Promise<BulkTargets> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const emulator = await startYandexEmulator({
    tokens: ids.map((id, i) => ({
      id,
      token: `yc1.chaos-${prefix}-${i}`,
      subjectId: SUBJECT,
      clientId: 'chaos',
    })),
  });
  const ndjsonPath = join(dir, `${prefix}.ndjson`);
  writeFileSync(
    ndjsonPath,
    `${ids.map((id) => JSON.stringify({ provider: 'yandex-cloud', refreshTokenId: id })).join('\n')}\n`,
  );
  const rootCertFile = join(dir, `${prefix}-ca.pem`);
  writeFileSync(rootCertFile, emulator.rootCert);
  const connectionsFile = writeConnections(dir, prefix, {
    'yandex-cloud': { default: { endpoint: emulator.endpoint, iamToken: emulator.iamToken, rootCertFile } },
  });
  return { emulator, ids, ndjsonPath, connectionsFile };
}

export interface BulkVerdict {
  lost: number;
  doubleCounted: number;
  wrongStates: number;
  notes: string[];
}

/**
 * Judges a job's report against the emulator's truth. Every target must be revoked at the
 * emulator and counted once: `processed` = n, and succeeded + alreadyRevoked = the tokens that are
 * revoked. A report that is missing (the job never finished) loses every target not revoked.
 */
export function judgeBulk(t: BulkTargets, report: BulkRevocationReport | undefined): BulkVerdict {
  const n = t.ids.length;
  const active = t.emulator.activeTokens().length;
  const revoked = n - active;
  const revokes = t.emulator.callsOf('Revoke').length;
  if (!report) return { lost: n, doubleCounted: 0, wrongStates: 1, notes: ['the job did not finish'] };
  const counted = report.succeeded + report.alreadyRevoked;
  return {
    // Not counted at all, or still active although the report does not say it failed.
    lost: Math.max(0, n - report.processed) + Math.max(0, active - report.failed),
    doubleCounted: Math.max(0, report.processed - n) + Math.max(0, counted - revoked),
    wrongStates: report.failed + report.skipped,
    notes: [
      `report: processed ${report.processed}, succeeded ${report.succeeded}, already revoked ${report.alreadyRevoked}, failed ${report.failed}; emulator: ${revoked}/${n} revoked; ${revokes} Revoke calls (${revokes - n} repeated after faults)`,
    ],
  };
}
