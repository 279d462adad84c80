/** Where the CLI reads and writes; `process` by default, buffers in tests. */
export interface CliIo {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** @default process.stdin */
  stdin?: AsyncIterable<string | Buffer>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin };
}

const maxStdinBytes = 1024 * 1024;

/** All of stdin as UTF-8. Thrown when it exceeds 1 MiB: RangeError (a token or a request is far smaller). */
export async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin ?? process.stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > maxStdinBytes) throw new RangeError(`more than ${maxStdinBytes} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
