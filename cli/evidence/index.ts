import type { Command } from 'commander';
import type { CliContext } from '../context';
import { addEvidenceExport } from './export';
import { addEvidenceList, addEvidenceShow } from './list-show';
import { evidenceExitCodes } from './options';
import { addEvidencePurge } from './purge';
import { addEvidenceVerify } from './verify';

/** `revoke evidence list|show|export|verify|purge`. */
export function addEvidenceCommand(program: Command, ctx: CliContext): void {
  const evidence = program
    .command('evidence')
    .summary('the evidence ledger: list, show, export, verify, purge')
    .description(
      'The evidence ledger (docs/auditing.md): one hash-chained record per target of every operation, with signed ' +
        "checkpoints, kept beyond Temporal's retention. Reads the ledger directly (LEDGER_URL or --ledger), not " +
        'through Temporal',
    )
    .addHelpText(
      'after',
      `
Environment:
  LEDGER_URL                the ledger: sqlite:<path> or postgres://… (default sqlite:.data/evidence.db)
  LEDGER_SIGNING_KEY_FILE   the Ed25519 signing key (default .data/ledger-signing-key.pem, as npm start creates)

${evidenceExitCodes}

Examples:
  $ revoke evidence list --subject alice
  $ revoke evidence show revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41/request
  $ revoke evidence export --format csv --output evidence.csv
  $ revoke evidence verify --public-key ledger-public.pem
  $ revoke evidence purge --before 2025-01-01`,
    );
  addEvidenceList(evidence, ctx);
  addEvidenceShow(evidence, ctx);
  addEvidenceExport(evidence, ctx);
  addEvidenceVerify(evidence, ctx);
  addEvidencePurge(evidence, ctx);
}
