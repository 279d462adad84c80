import type { Command } from 'commander';
import { DEFAULT_SIGNING_KEY_FILE } from '../../client/evidence';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { badInput, jsonOption } from '../flags';
import { json } from '../format';
import {
  addLedgerOption,
  evidenceAction,
  openEvidence,
  parseTime,
  type KeyFlags,
  type LedgerFlags,
} from './options';

interface PurgeFlags extends LedgerFlags, KeyFlags {
  before?: string;
  yes?: boolean;
  json?: boolean;
}

/** The first line of stdin (a terminal's answer, or a pipe's), at most 1 KiB. */
async function readAnswer(ctx: CliContext): Promise<string> {
  let text = '';
  for await (const chunk of ctx.io.stdin ?? process.stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (text.includes('\n') || text.length > 1024) break;
  }
  return text.split('\n')[0]?.trim() ?? '';
}

/** `revoke evidence purge`. */
export function addEvidencePurge(evidence: Command, ctx: CliContext): void {
  const cmd = evidence
    .command('purge')
    .summary('remove records stored before a date (retention), recording the purge')
    .description(
      'Remove every evidence record stored before --before, in whole, and record the purge itself in the chain ' +
        '(signed), so verify still passes and says what was purged and when. Needs the signing key. Asks for ' +
        '"yes" on stdin unless --yes',
    )
    .option('--before <date>', 'remove records stored before this time (RFC 3339, or a date: 2025-01-01)')
    .option(
      '--signing-key <file>',
      `Ed25519 private key (PEM or JWK) that signs checkpoints (default: LEDGER_SIGNING_KEY_FILE, else ${DEFAULT_SIGNING_KEY_FILE})`,
    )
    .option('--yes', 'do not ask for confirmation');
  addLedgerOption(cmd)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  $ revoke evidence purge --before 2025-01-01
  $ revoke evidence purge --before 2025-01-01T00:00:00Z --ledger postgres://ledger@db.internal/evidence --signing-key /run/secrets/ledger-key.pem --yes --json`,
    )
    .action(
      evidenceAction(ctx, async (flags: PurgeFlags) => {
        if (flags.before === undefined)
          throw badInput('--before', 'required: the date before which records are removed');
        const before = parseTime(flags.before, '--before');
        const evidence = await openEvidence(ctx, flags, 'signing');
        try {
          if (!flags.yes) {
            ctx.io.stderr.write(
              `Remove every evidence record stored before ${before} from ${evidence.url}? ` +
                'The purge is recorded in the chain and cannot be undone. Type "yes" to go on: ',
            );
            const answer = await readAnswer(ctx);
            if (!/^y(es)?$/i.test(answer)) {
              ctx.io.stderr.write('\nnot confirmed: nothing was removed (--yes skips the question)\n');
              ctx.exitCode = ExitCode.operationFailed;
              return;
            }
          }
          const summary = await evidence.purge(new Date(before));
          ctx.io.stdout.write(
            flags.json
              ? json(summary)
              : `purged ${summary.removed} records stored before ${summary.before} (at ${summary.at}); the purge is in the chain\n`,
          );
          ctx.exitCode = ExitCode.ok;
        } finally {
          await evidence.close();
        }
      }),
    );
}
