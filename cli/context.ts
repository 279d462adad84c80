import { redactTokenCallOperation, type Operation } from '../api';
import { isBulkJobOperation } from '../client/bulk-jobs';
import { printBulkJob } from './bulk/format';
import type { RevocationClient } from '../client/revocation-client';
import { colourEnabled, createStyler, type Styler } from './colour';
import { connectClient } from './connect';
import { ExitCode, type ExitCodeNumber } from './exit-codes';
import { formatOperation, json, statusText } from './format';
import type { CliIo } from './io';

/** What every command's action gets: the I/O, a lazily connected client, and the exit code to set. */
export class CliContext {
  exitCode: ExitCodeNumber = ExitCode.ok;
  private connecting: Promise<RevocationClient> | undefined;

  /** Colours for human output on stdout: only at a terminal, unless NO_COLOR or FORCE_COLOR say otherwise. */
  readonly style: Styler;

  constructor(readonly io: CliIo) {
    this.style = createStyler(colourEnabled(io.stdout, io.env));
  }

  /** Connects on first use, so `--help` and bad input never touch the network. */
  client(): Promise<RevocationClient> {
    return (this.connecting ??= connectClient(this.io.env));
  }

  async close(): Promise<void> {
    const connecting = this.connecting;
    this.connecting = undefined;
    if (!connecting) return;
    const client = await connecting.catch(() => undefined);
    await client?.close().catch(() => undefined);
  }

  /** Prints the operation; an operation done with an error also gets one line on stderr and exit 1. */
  printOperation(shown: Operation, asJson: boolean): ExitCodeNumber {
    // An Authlete token call's answer holds tokens; only `authlete-tokens … --show-token` prints them.
    const op = redactTokenCallOperation(shown);
    if (isBulkJobOperation(op)) return printBulkJob(this.io, op, asJson);
    this.io.stdout.write(asJson ? json(op) : formatOperation(op, this.style));
    if (op.done && op.error) {
      this.io.stderr.write(`error: operation ${op.id} ended with ${statusText(op.error)}\n`);
      return ExitCode.operationFailed;
    }
    return ExitCode.ok;
  }

  /** Progress for people at a terminal; scripts reading stderr see only errors. */
  progress(line: string): void {
    if (this.io.stderr.isTTY) this.io.stderr.write(`${line}\n`);
  }
}
