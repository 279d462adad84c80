import { Readable } from 'node:stream';
import { runCli } from '../../cli/main';
import type { TestStack } from './stack';

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

/** The environment that points the CLI at a test stack: its server, task queue and codec key. */
export function stackCliEnv(
  s: Pick<TestStack, 'address' | 'taskQueue' | 'keyring'>,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const key = s.keyring.keys.get(s.keyring.currentKeyId);
  if (!key) throw new Error(`the test key ring has no key "${s.keyring.currentKeyId}"`);
  return {
    TEMPORAL_ADDRESS: s.address,
    REVOCATION_TASK_QUEUE: s.taskQueue,
    REVOCATION_CODEC_KEY: key.toString('base64'),
    REVOCATION_CODEC_KEY_ID: s.keyring.currentKeyId,
    ...extra,
  };
}
