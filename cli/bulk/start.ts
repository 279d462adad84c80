import { Option, type Command } from 'commander';
import { startBulkJob } from '../../client/bulk-jobs';
import type { CliContext } from '../context';
import { addStartOptions, parseDuration, parseNumber } from '../flags';
import { checkTimeoutNeedsWait } from '../start-commands';
import { printBulkJob } from './format';
import { jobFromFlags, type BulkStartFlags } from './job-from-flags';
import { DEFAULT_BULK_WAIT, waitForBulkJob, waitOptionsOf } from './wait';

/** `revoke bulk start`. */
export function addStart(bulk: Command, ctx: CliContext): void {
  const cmd = bulk
    .command('start')
    .summary('start a bulk revocation job')
    .description(
      'Start a bulk revocation job from a job JSON document (--file, --json) or from flags (--name and one source)',
    )
    .option('--file <path>', 'read the job JSON from PATH, or from stdin with "-"')
    .addOption(
      new Option(
        '--json [job]',
        'print the result as JSON; with a value, that value is the job JSON (no secrets: the command line is visible in ps)',
      ),
    )
    .option('--name <name>', 'the job name: 1-100 letters, digits, ".", "_", "-" (searchable)')
    .option(
      '--ndjson <path>',
      'source: a file of RevocationRequest JSON lines that the workers can read (absolute path)',
    )
    .option('--yandex-list', 'source: Yandex Cloud refresh tokens listed by RefreshTokenService.List')
    .option('--authlete-list', "source: Authlete tokens listed by the service's token list")
    .option('--connection <name>', 'with a listing: the worker connection (default: "default")')
    .option('--subject-id <id>', 'with --yandex-list: the subject whose tokens are listed')
    .option('--filter <filter>', "with --yandex-list: the List filter, in Yandex Cloud's filter syntax")
    .option('--service-id <id>', 'with --authlete-list: the Authlete service id (required)')
    .option('--client-identifier <id>', 'with --authlete-list: only tokens of this client')
    .option('--subject <subject>', 'with --authlete-list: only tokens of this subject')
    .addOption(new Option('--page-size <n>', 'targets per page, 1-1000 (default 100)').argParser(parseNumber))
    .addOption(
      new Option('--concurrency <n>', 'provider calls in flight within a page, 1-100 (default 10)').argParser(
        parseNumber,
      ),
    )
    .addOption(
      new Option(
        '--rate <per-second>',
        'provider calls per second for the whole job (default: unlimited)',
      ).argParser(parseNumber),
    )
    .option('--dry-run', 'list what would be revoked (counts, fingerprints) and touch nothing');
  addStartOptions(cmd, DEFAULT_BULK_WAIT)
    .addOption(
      new Option(
        '--progress-interval <duration>',
        'with --wait: how often progress is shown (default 1s at a terminal, 2s otherwise)',
      ).argParser(parseDuration),
    )
    .option('--no-progress', 'with --wait: no progress on stderr, only the report')
    .addHelpText(
      'after',
      `
Give the job as a document ({"name", "source", "pageSize", "concurrency", "ratePerSecond", "dryRun", ...};
see docs/bulk-jobs.md), or --name and exactly one source flag. --name, --page-size, --concurrency, --rate,
--dry-run, --description and --created-by override the document's fields. A document with inline
requests carrying tokens is refused on the command line; use --file.

With --wait, progress goes to stderr (a live bar at a terminal, a line every 2s otherwise) and the report
to stdout. Exit 0 when done without failed targets, 1 when cancelled, invalid or with failed targets.

Examples:
  $ revoke bulk start --name offboarding --ndjson /data/tokens.ndjson --rate 50 --wait
  $ revoke bulk start --name rotate-ajeabc --yandex-list --subject-id ajeabc --dry-run --wait --json
  $ revoke bulk start --name demo-app --authlete-list --service-id 715948317 --client-identifier demo-app
  $ revoke bulk start --file job.json --request-id nightly-2024-06-01 --wait --timeout 3h`,
    )
    .action(async (flags: BulkStartFlags) => {
      checkTimeoutNeedsWait(flags);
      const job = await jobFromFlags(flags, ctx);
      const asJson = flags.json !== undefined && flags.json !== false;
      const client = await ctx.client();
      const started = await startBulkJob(client, job, {
        ...(flags.requestId !== undefined ? { requestId: flags.requestId } : {}),
      });
      if (!flags.wait || started.done) {
        ctx.exitCode = printBulkJob(ctx.io, started, asJson);
        ctx.progress(`follow it: revoke bulk status ${started.id} --watch`);
        return;
      }
      ctx.exitCode = await waitForBulkJob(ctx, started.id, waitOptionsOf(flags, DEFAULT_BULK_WAIT, asJson));
    });
}
