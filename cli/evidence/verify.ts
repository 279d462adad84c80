import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { EvidenceFileError, exportFormats, type ExportCheck, type ExportFormat } from '../../client/evidence';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { badInput, jsonOption } from '../flags';
import { json } from '../format';
import { formatVerifyReport, problemLine } from './format';
import {
  addLedgerOption,
  evidenceAction,
  openEvidence,
  publicKeyFileOf,
  signingKeyFileOf,
  type KeyFlags,
  type LedgerFlags,
} from './options';

interface VerifyFlags extends LedgerFlags, KeyFlags {
  file?: string;
  format?: ExportFormat;
  json?: boolean;
}

function fileCheckText(file: string, check: ExportCheck): string {
  const purged = check.purged > 0 ? `, ${check.purged} since purged from the ledger` : '';
  if (check.ok) return `ok: ${file}: ${check.rows} rows match the ledger${purged}\n`;
  return `FAILED: ${file}: record ${check.problem?.row ?? '?'} of the file does not match the ledger\n`;
}

/** `revoke evidence verify`. */
export function addEvidenceVerify(evidence: Command, ctx: CliContext): void {
  const cmd = evidence
    .command('verify')
    .summary('check the hash chains and signed checkpoints; name the first bad record')
    .description(
      "Recompute every record's hash, follow each stream's chain and check every signed checkpoint against " +
        'the public key: an edited, deleted or reordered row, or a forged checkpoint, fails (exit 1) naming the ' +
        'first bad record. Purges are listed with what they removed. With --file, also check that every row of ' +
        "an export is the ledger's row, field for field",
    );
  addLedgerOption(cmd)
    .option(
      '--public-key <file>',
      `Ed25519 public key (PEM or JWK) of the checkpoints' signing key (default: ${publicKeyFileOf(signingKeyFileOf({}))}, beside LEDGER_SIGNING_KEY_FILE, else derived from that key)`,
    )
    .option('--file <export>', 'also check this export (NDJSON or CSV) against the ledger')
    .addOption(
      new Option('--format <format>', 'with --file: its format (default: from its extension)').choices(
        exportFormats,
      ),
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  $ revoke evidence verify
  $ revoke evidence verify --ledger postgres://auditor@db.internal/evidence --public-key ledger-public.pem --json
  $ revoke evidence verify --public-key ledger-public.pem --file evidence-2026.ndjson`,
    )
    .action(
      evidenceAction(ctx, async (flags: VerifyFlags) => {
        if (flags.format !== undefined && flags.file === undefined)
          throw badInput('--format', 'only applies with --file');
        if (flags.file !== undefined) {
          await access(flags.file).catch((err: NodeJS.ErrnoException) => {
            throw badInput('--file', `cannot read ${flags.file} (${err.code ?? 'error'})`);
          });
        }
        const evidence = await openEvidence(ctx, flags, 'public');
        let check: ExportCheck | undefined;
        let report;
        try {
          report = await evidence.verify();
          if (report.ok && flags.file !== undefined) {
            const format = flags.format ?? (/\.csv$/i.test(flags.file) ? 'csv' : 'ndjson');
            const file = flags.file;
            check = await evidence.checkExport(createReadStream(file), format).catch((err: unknown) => {
              if (err instanceof EvidenceFileError) throw badInput('--file', `${file}: ${err.message}`);
              throw err;
            });
          }
        } finally {
          await evidence.close();
        }
        if (flags.json) ctx.io.stdout.write(json({ ...report, ...(check ? { file: check } : {}) }));
        else {
          ctx.io.stdout.write(formatVerifyReport(report, evidence.url, ctx.style));
          if (check && flags.file !== undefined) ctx.io.stdout.write(fileCheckText(flags.file, check));
        }
        if (!report.ok) {
          ctx.io.stderr.write(`${problemLine(report)}\n`);
          ctx.exitCode = ExitCode.operationFailed;
        } else if (check && !check.ok && check.problem) {
          const p = check.problem;
          ctx.io.stderr.write(
            `error: ${flags.file}: record ${p.row} of the file (${p.recordId}): ${p.message}\n`,
          );
          ctx.exitCode = ExitCode.operationFailed;
        } else ctx.exitCode = ExitCode.ok;
      }),
    );
}
