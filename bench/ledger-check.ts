import { readdirSync, readFileSync } from 'node:fs';
import { bulkTargetKey } from '../api';
import type { EvidenceLedger } from '../ledger';
import { processCpuMs } from './cpu';

/** What a measured job's ledger held, checked record by record. */
export interface LedgerCheck {
  records: number;
  streams: number;
  /** `ok, N records, K checkpoints` when the ledger was verified, else unset. */
  verify?: string;
}

/**
 * Thrown unless the ledger holds exactly one record per target of job `jobId` (keys target/0 …
 * target/n-1, each once, all REVOKED) and nothing else; with `verify`, unless `verify()` passes too.
 */
export async function checkLedger(
  ledger: EvidenceLedger,
  jobId: string,
  n: number,
  verify: boolean,
): Promise<LedgerCheck> {
  const keys = new Set<string>();
  const streams = new Set<string>();
  let rows = 0;
  const wrong: string[] = [];
  for await (const row of ledger.query()) {
    rows++;
    streams.add(row.streamId);
    const r = row.record;
    if (r.jobId !== jobId || r.operationId !== jobId) wrong.push(`${r.recordId}: job ${r.jobId}`);
    else if (r.status !== 'REVOKED') wrong.push(`${r.recordId}: ${r.status}`);
    else if (keys.has(r.targetKey)) wrong.push(`${r.recordId}: a second record`);
    keys.add(r.targetKey);
  }
  let missing = 0;
  for (let i = 0; i < n; i++) if (!keys.has(bulkTargetKey(i))) missing++;
  if (rows !== n || missing > 0 || wrong.length > 0)
    throw new Error(
      `ledger of job ${jobId}: ${rows} records for ${n} targets, ${missing} targets without one` +
        (wrong.length ? `; wrong: ${wrong.slice(0, 5).join('; ')}${wrong.length > 5 ? ' …' : ''}` : ''),
    );
  if (!verify) return { records: rows, streams: streams.size };
  const report = await ledger.verify();
  if (!report.ok) throw new Error(`ledger of job ${jobId} does not verify: ${report.problem?.message}`);
  return {
    records: rows,
    streams: streams.size,
    verify: `ok, ${report.records} records, ${report.checkpoints} checkpoints`,
  };
}

/**
 * CPU used so far by the PostgreSQL cluster listening on `port`: its postmaster (found by the `-p
 * <port>` on its command line) and every process it forked (backends, writer, WAL writer). A
 * backend that has exited takes its time with it; the pool keeps its connections open while a job
 * runs. 0 when none is found (or no /proc).
 */
export function postgresCpuMs(port: number | undefined): number {
  if (port === undefined) return 0;
  let postmaster: string | undefined;
  const children: string[] = [];
  try {
    const pids = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid));
    for (const pid of pids) {
      const argv = readCmdline(pid);
      if (argv.length > 0 && new RegExp(`(^|\\s)-p ${port}(\\s|$)`).test(argv.join(' '))) postmaster = pid;
    }
    if (!postmaster) return 0;
    for (const pid of pids) if (ppidOf(pid) === postmaster) children.push(pid);
  } catch {
    return 0;
  }
  return [postmaster, ...children].reduce((sum, pid) => sum + (processCpuMs(Number(pid)) ?? 0), 0);
}

function readCmdline(pid: string): string[] {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv[0]?.endsWith('/postgres') ? argv : [];
  } catch {
    return [];
  }
}

function ppidOf(pid: string): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
  } catch {
    return undefined;
  }
}
