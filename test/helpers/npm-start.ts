import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const root = join(__dirname, '..', '..');

export interface NpmStartStack {
  child: ChildProcess;
  output: () => string;
}

/** `npm start` in its own process group, as a terminal runs it, up once it prints its banner. */
export async function npmStart(env: NodeJS.ProcessEnv): Promise<NpmStartStack> {
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 120_000;
  while (!out.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`npm start not up after 120 s:\n${out}`);
    await delay(200);
  }
  return { child, output: () => out };
}

/** The processes of a process group. */
export function groupProcesses(pgid: number): string[] {
  const ps = spawnSync('ps', ['-eo', 'pgid=,pid=,args=']).stdout.toString();
  return ps
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`${pgid} `));
}

/** Ctrl-C to the stack's process group; asserts that nothing of it is left. */
export async function ctrlC(stack: NpmStartStack): Promise<void> {
  const pgid = stack.child.pid as number;
  const exited = new Promise<void>((resolve) => stack.child.once('exit', () => resolve()));
  process.kill(-pgid, 'SIGINT');
  await exited;
  for (let i = 0; i < 50 && groupProcesses(pgid).length > 0; i++) await delay(200);
  assert.deepEqual(groupProcesses(pgid), [], 'no process of the stack is left');
}

/** SIGKILL to what is left of a stack's process group (a test's `after`, when it failed midway). */
export function killStack(stack: NpmStartStack): void {
  const pgid = stack.child.pid;
  if (pgid && groupProcesses(pgid).length > 0) process.kill(-pgid, 'SIGKILL');
}
