import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
}

const root = join(__dirname, '..', '..');

/**
 * Runs worker/main.ts as its own process, configured through the environment only, until ready.
 * Without LEDGER or LEDGER_URL in `env` it runs with LEDGER=off: tests that want evidence give it a
 * ledger of their own, the others must not write the checkout's .data/evidence.db.
 */
export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const ledger = env.LEDGER === undefined && env.LEDGER_URL === undefined ? { LEDGER: 'off' } : {};
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'worker', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...ledger, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  return { child, output: () => out };
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
