import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ; /proc reports CPU times in these ticks. */
const TICKS_PER_SECOND = 100;

function procStat(pid: string): { comm: string; ppid: number; cpuMs: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const rest = stat.slice(close + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]); // utime + stime
    return { comm, ppid: Number(rest[1]), cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** CPU time of a process by pid (user + system, all threads), ms; undefined when unreadable. */
export function processCpuMs(pid: number): number | undefined {
  return procStat(String(pid))?.cpuMs;
}

export interface CpuSnapshot {
  /** This process, every thread: emulator, in-process worker, client. */
  selfMs: number;
  /** Child processes named `temporal` (the dev server). */
  serverMs: number;
}

/** CPU used so far by this process and by the dev server it started. Linux only (0 elsewhere). */
export function cpuSnapshot(): CpuSnapshot {
  const usage = process.cpuUsage();
  let serverMs = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const s = procStat(pid);
      if (s && s.ppid === process.pid && s.comm === 'temporal') serverMs += s.cpuMs;
    }
  } catch {
    // no /proc
  }
  return { selfMs: (usage.user + usage.system) / 1000, serverMs };
}

/** CPU used between two snapshots. */
export function cpuSince(before: CpuSnapshot): CpuSnapshot & { totalMs: number } {
  const now = cpuSnapshot();
  const selfMs = now.selfMs - before.selfMs;
  const serverMs = now.serverMs - before.serverMs;
  return { selfMs, serverMs, totalMs: selfMs + serverMs };
}
