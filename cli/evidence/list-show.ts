import type { Command } from 'commander';
import type { LedgerRow } from '../../client/evidence';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { jsonOption } from '../flags';
import { json } from '../format';
import { formatEvidenceList, formatEvidenceRecord } from './format';
import {
  addFilterOptions,
  addLedgerOption,
  evidenceAction,
  openEvidence,
  queryOf,
  type FilterFlags,
} from './options';

/** `list` shows this many records unless --limit says otherwise; `export` has no limit. */
export const DEFAULT_LIST_LIMIT = 100;

/** `revoke evidence list`. */
export function addEvidenceList(evidence: Command, ctx: CliContext): void {
  const cmd = evidence
    .command('list')
    .summary('list evidence records by subject, provider, operation, job, status, time')
    .description(
      `List evidence records in the order they were stored (at most ${DEFAULT_LIST_LIMIT} unless --limit; ` +
        '"export" writes them all)',
    );
  addFilterOptions(cmd)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  $ revoke evidence list --subject alice
  $ revoke evidence list --job bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --status FAILED --limit 20
  $ revoke evidence list --provider yandex-cloud --from 2026-01-01 --to 2026-02-01 --json`,
    )
    .action(
      evidenceAction(ctx, async (flags: FilterFlags & { json?: boolean }) => {
        const query = queryOf(flags);
        const limit = query.limit ?? DEFAULT_LIST_LIMIT;
        const evidence = await openEvidence(ctx, flags);
        const rows: LedgerRow[] = [];
        let more = false;
        try {
          // One more than shown says whether there are more.
          for await (const row of evidence.list({ ...query, limit: limit + 1 })) {
            if (rows.length === limit) {
              more = true;
              break;
            }
            rows.push(row);
          }
        } finally {
          await evidence.close();
        }
        ctx.io.stdout.write(
          flags.json ? json({ records: rows, more }) : formatEvidenceList(rows, more, ctx.style),
        );
        ctx.exitCode = ExitCode.ok;
      }),
    );
}

/** `revoke evidence show`. */
export function addEvidenceShow(evidence: Command, ctx: CliContext): void {
  const cmd = evidence
    .command('show')
    .summary('show one evidence record and its place in the chain')
    .description(
      'Show one evidence record: every field, its stream, sequence number and hashes (exit 5 if none has the id)',
    )
    .argument('<record-id>', 'the record id: <operation id>/<target key>, as list prints it');
  addLedgerOption(cmd)
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  $ revoke evidence show revoke-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41/request
  $ revoke evidence show bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41/target/17 --json`,
    )
    .action(
      evidenceAction(ctx, async (recordId: string, flags: { ledger?: string; json?: boolean }) => {
        const evidence = await openEvidence(ctx, flags);
        let row: LedgerRow;
        try {
          row = await evidence.get(recordId);
        } finally {
          await evidence.close();
        }
        ctx.io.stdout.write(flags.json ? json(row) : formatEvidenceRecord(row, ctx.style));
        ctx.exitCode = ExitCode.ok;
      }),
    );
}
