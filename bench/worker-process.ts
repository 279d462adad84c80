import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** The last lines the worker wrote (stdout and stderr), for error messages. */
  output(): string;
  /** SIGTERM (drain), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Runs worker/main.ts as its own process, configured through the environment only, until ready. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'worker', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const kill = () => void child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', kill);
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 120 s:\n${out}`)), 120_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${out}`));
    };
    child.once('exit', onExit);
    const check = () => {
      if (!out.includes('worker ready')) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', check);
      resolve();
    };
    child.stdout.on('data', check);
  });
  return {
    child,
    pid: child.pid as number,
    output: () => out,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size now and its peak (high-water mark), from /proc/<pid>/status, in bytes. */
export function readRss(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]) * 1024;
  };
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/**
 * Resets the process's peak RSS to its current RSS (`echo 5 > /proc/<pid>/clear_refs`, Linux 4.0+),
 * so VmHWM afterwards is the peak of what follows, not of start-up. False when not permitted.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Polls VmRSS every `intervalMs` until stopped; the peak and the samples. */
export function sampleRss(pid: number, intervalMs = 200) {
  const samples: Array<{ atMs: number; rss: number }> = [];
  const started = performance.now();
  const take = () => {
    try {
      samples.push({ atMs: Math.round(performance.now() - started), rss: readRss(pid).rss });
    } catch {
      // The process is gone; stop() reports what was sampled.
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      take();
      clearInterval(timer);
      return { peak: Math.max(0, ...samples.map((s) => s.rss)), samples };
    },
  };
}
