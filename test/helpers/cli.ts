import { Readable } from 'node:stream';
import { runCli } from '../../client/cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `revoke` CLI in-process with the given environment and stdin, capturing its output. */
export async function runCliCaptured(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['node', 'revoke', ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    stdin: Readable.from([stdin]),
  });
  return { code, stdout, stderr };
}
