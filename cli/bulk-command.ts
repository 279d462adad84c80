import { Option, type Command } from 'commander';
import {
  Code,
  codeName,
  durationMs,
  InvalidArgumentError,
  parseBulkRevocationJob,
  parseRevocationRequest,
  secretsOf,
  type BulkRevocationJobInput,
  type FieldViolation,
} from '../api';
import {
  bulkReportOf,
  BulkJobDoneError,
  cancelBulkJob,
  getBulkJob,
  pauseBulkJob,
  resumeBulkJob,
  setBulkThrottle,
  startBulkJob,
  watchBulkJob,
  type BulkJobOperation,
  type BulkThrottle,
} from '../client/bulk-jobs';
import { OperationWaitTimeoutError } from '../client/errors';
import type { CliContext } from './context';
import { ExitCode, errorLine, type ExitCodeNumber } from './exit-codes';
import { json, paintOutcome, statusText } from './format';
import { colourEnabled, createStyler, plain, type Styler } from './colour';
import type { CliIo } from './io';
import { createBulkProgress } from './progress';
import {
  addStartOptions,
  badInput,
  jsonOption,
  parseDuration,
  parseJsonInput,
  parseNumber,
  readInputFile,
} from './flags';
import type { StartFlags } from './requests';
import { checkTimeoutNeedsWait, revokeOptions } from './start-commands';
import { checkRequestId } from '../client/idempotent-start';

/** Bulk jobs run for minutes to hours; `--wait` and `--watch` wait this long unless told. */
export const DEFAULT_BULK_WAIT = '1h';
/** `bulk cancel` waits this long for the page in flight to finish. */
export const DEFAULT_CANCEL_WAIT = '5m';
/** How many failures the human report lists; `--json` has all the report kept. */
const FAILURES_SHOWN = 10;

export interface BulkStartFlags extends StartFlags {
  file?: string;
  /** With a value, the job JSON inline; alone, JSON output only. */
  json?: string | boolean;
  name?: string;
  ndjson?: string;
  yandexList?: boolean;
  authleteList?: boolean;
  connection?: string;
  subjectId?: string;
  filter?: string;
  serviceId?: string;
  clientIdentifier?: string;
  subject?: string;
  pageSize?: number;
  concurrency?: number;
  rate?: number;
  dryRun?: boolean;
  wait?: boolean;
  timeout?: number;
  progress?: boolean;
  progressInterval?: number;
}

interface WatchFlags {
  json?: boolean | string;
  timeout?: number;
  progress?: boolean;
  progressInterval?: number;
}

/** Job fields → the flags that set them, so errors name what the user typed. */
const flagOfJobField: Record<string, string> = {
  'job.name': '--name',
  'job.source.path': '--ndjson',
  'job.source.connection': '--connection',
  'job.source.subjectId': '--subject-id',
  'job.source.filter': '--filter',
  'job.source.serviceId': '--service-id',
  'job.source.clientIdentifier': '--client-identifier',
  'job.source.subject': '--subject',
  'job.pageSize': '--page-size',
  'job.concurrency': '--concurrency',
  'job.ratePerSecond': '--rate',
  'job.dryRun': '--dry-run',
  'job.description': '--description',
  'job.createdBy': '--created-by',
};

const sourceFlags = '--ndjson PATH, --yandex-list or --authlete-list';

/** The job's source from the shorthand flags; each flag checked against the source it belongs to. */
function sourceFromFlags(flags: BulkStartFlags): BulkRevocationJobInput['source'] {
  const chosen = [
    flags.ndjson !== undefined && '--ndjson',
    flags.yandexList && '--yandex-list',
    flags.authleteList && '--authlete-list',
  ].filter((c): c is string => typeof c === 'string');
  if (chosen.length === 0) {
    throw badInput(
      '--ndjson/--yandex-list/--authlete-list',
      `no source: give ${sourceFlags}, or the whole job with --file or --json`,
    );
  }
  if (chosen.length > 1) {
    throw badInput(chosen[1] ?? '--ndjson', `only one source may be given (got ${chosen.join(' and ')})`);
  }
  const belongs: Array<[keyof BulkStartFlags, string, string[]]> = [
    ['connection', '--connection', ['--yandex-list', '--authlete-list']],
    ['subjectId', '--subject-id', ['--yandex-list']],
    ['filter', '--filter', ['--yandex-list']],
    ['serviceId', '--service-id', ['--authlete-list']],
    ['clientIdentifier', '--client-identifier', ['--authlete-list']],
    ['subject', '--subject', ['--authlete-list']],
  ];
  const violations: FieldViolation[] = belongs
    .filter(([key, , sources]) => flags[key] !== undefined && !sources.includes(chosen[0] ?? ''))
    .map(([, flag, sources]) => ({ field: flag, description: `only applies with ${sources.join(' or ')}` }));
  if (violations.length > 0) throw new InvalidArgumentError(violations);
  const connection = flags.connection !== undefined ? { connection: flags.connection } : {};
  if (flags.ndjson !== undefined) return { kind: 'ndjson', path: flags.ndjson };
  if (flags.yandexList) {
    return {
      kind: 'yandex-list',
      ...connection,
      ...(flags.subjectId !== undefined ? { subjectId: flags.subjectId } : {}),
      ...(flags.filter !== undefined ? { filter: flags.filter } : {}),
    };
  }
  return {
    kind: 'authlete-list',
    ...connection,
    serviceId: flags.serviceId ?? '',
    ...(flags.clientIdentifier !== undefined ? { clientIdentifier: flags.clientIdentifier } : {}),
    ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
  };
}

/** The job document from `--file PATH`, `--file -` (stdin) or `--json '{...}'`. */
async function jobDocument(flags: BulkStartFlags, io: CliIo): Promise<{ value: unknown; flag: string }> {
  if (typeof flags.json === 'string') {
    if (flags.file !== undefined) throw badInput('--file', "give the job once: --file or --json '{...}'");
    return { value: parseJsonInput(flags.json, '--json'), flag: '--json' };
  }
  const text = await readInputFile(flags.file as string, io, '--file');
  return { value: parseJsonInput(text, '--file'), flag: '--file' };
}

/**
 * The job of `bulk start` from a document or the shorthand flags, validated before connecting (so
 * bad input exits 2 even with Temporal down), with each violation naming the flag and the field.
 */
export async function jobFromFlags(flags: BulkStartFlags, ctx: CliContext): Promise<BulkRevocationJobInput> {
  const fromDocument = flags.file !== undefined || typeof flags.json === 'string';
  let base: Record<string, unknown>;
  let documentFlag: string | undefined;
  if (fromDocument) {
    const stray = (
      [
        ['ndjson', '--ndjson'],
        ['yandexList', '--yandex-list'],
        ['authleteList', '--authlete-list'],
        ['connection', '--connection'],
        ['subjectId', '--subject-id'],
        ['filter', '--filter'],
        ['serviceId', '--service-id'],
        ['clientIdentifier', '--client-identifier'],
        ['subject', '--subject'],
      ] as Array<[keyof BulkStartFlags, string]>
    ).filter(([key]) => flags[key] !== undefined);
    if (stray.length > 0) {
      throw new InvalidArgumentError(
        stray.map(([, flag]) => ({
          field: flag,
          description: 'the source comes from the job document (--file/--json); give one or the other',
        })),
      );
    }
    const doc = await jobDocument(flags, ctx.io);
    documentFlag = doc.flag;
    if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
      throw badInput(doc.flag, 'must be a JSON object: {"name": ..., "source": {...}}');
    }
    base = { ...(doc.value as Record<string, unknown>) };
  } else {
    base = { name: flags.name, source: sourceFromFlags(flags) };
  }
  const options = revokeOptions(flags, ctx);
  const job: Record<string, unknown> = {
    ...base,
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.pageSize !== undefined ? { pageSize: flags.pageSize } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.rate !== undefined ? { ratePerSecond: flags.rate } : {}),
    ...(flags.dryRun ? { dryRun: true } : {}),
    ...(flags.description !== undefined ? { description: flags.description } : {}),
    // --created-by wins; else the document's; else $USER.
    ...(flags.createdBy !== undefined
      ? { createdBy: flags.createdBy }
      : base.createdBy === undefined && options.createdBy !== undefined
        ? { createdBy: options.createdBy }
        : {}),
  };

  // Fields a flag set (overriding the document's); a violation there names the flag, not the document.
  const fromFlags = new Set(
    (
      [
        ['job.name', flags.name],
        ['job.pageSize', flags.pageSize],
        ['job.concurrency', flags.concurrency],
        ['job.ratePerSecond', flags.rate],
        ['job.dryRun', flags.dryRun],
        ['job.description', flags.description],
        ['job.createdBy', flags.createdBy],
      ] as Array<[string, unknown]>
    )
      .filter(([, v]) => v !== undefined)
      .map(([field]) => field),
  );
  let parsed;
  try {
    parsed = parseBulkRevocationJob(job);
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    throw new InvalidArgumentError(
      err.violations.map((v): FieldViolation => {
        const flag =
          documentFlag !== undefined && !fromFlags.has(v.field)
            ? documentFlag
            : v.field === 'job.source' || v.field === 'job.source.kind'
              ? '--ndjson/--yandex-list/--authlete-list'
              : flagOfJobField[v.field];
        return flag ? { field: `${flag} (${v.field})`, description: v.description } : v;
      }),
    );
  }
  if (documentFlag === '--json' && parsed.source.kind === 'inline') {
    // The command line is visible in `ps` and shell history: a token must come from a file or stdin.
    const violations = parsed.source.requests.flatMap((r, i): FieldViolation[] => {
      try {
        return secretsOf(parseRevocationRequest(r)).length > 0
          ? [
              {
                field: `--json (job.source.requests.${i})`,
                description:
                  'a secret is never accepted on the command line; pass the job with --file PATH or --file - (stdin)',
              },
            ]
          : [];
      } catch {
        return []; // an invalid request becomes a failed target with its reason, as in any job
      }
    });
    if (violations.length > 0) throw new InvalidArgumentError(violations);
  }
  checkRequestId(options.requestId, '--request-id (requestId)');
  return job as BulkRevocationJobInput;
}

function lines(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

function status(op: BulkJobOperation): string {
  if (!op.done) return op.metadata.phase;
  if (op.error) return `FAILED ${codeName(op.error.code)}`;
  const failed = bulkReportOf(op)?.failed ?? op.metadata.failed;
  return failed > 0 ? `DONE WITH ${failed} FAILED TARGET${failed === 1 ? '' : 'S'}` : 'SUCCEEDED';
}

/**
 * A job for people: what it is and where it stands, then the counts aligned, the first failures
 * (position, fingerprint, code, message) and, for a dry run, what would be revoked.
 */
export function formatBulkOperation(op: BulkJobOperation, style: Styler = plain): string {
  const m = op.metadata;
  const report = bulkReportOf(op);
  const state = status(op);
  const failedTargets = (report?.failed ?? m.failed) > 0;
  const counts = report ?? m;
  const total = report?.total ?? m.total;
  const rate = m.currentRate !== undefined && !op.done ? ` (now ${m.currentRate.toFixed(1)}/s)` : '';
  const head = lines([
    ['id', op.id],
    ['job', `${m.name}${m.dryRun ? ' (dry run: nothing revoked)' : ''}`],
    ['status', state],
    ['description', op.description],
    ['source', m.source],
    [
      'throttle',
      `concurrency ${m.concurrency}, ${m.ratePerSecond !== undefined ? `at most ${m.ratePerSecond}/s` : 'no rate limit'}${rate}`,
    ],
    [
      'pages',
      `${report?.pages ?? m.pages} in ${report?.runs ?? m.runs} run${(report?.runs ?? m.runs) === 1 ? '' : 's'}`,
    ],
    ['schedule', m.scheduleId],
    ['created', `${op.createdAt}${op.createdBy ? ` by ${op.createdBy}` : ''}`],
    ['modified', op.modifiedAt],
    ['finished', report?.finishedAt],
    ['error', op.error && statusText(op.error)],
  ]);
  const rows: Array<[string, number]> = [
    ['processed', counts.processed],
    ['succeeded', counts.succeeded],
    ['already revoked', counts.alreadyRevoked],
    ['failed', counts.failed],
    ['skipped', counts.skipped],
  ];
  const labelWidth = Math.max(...rows.map(([k]) => k.length));
  const numberWidth = Math.max(...rows.map(([, n]) => String(n).length));
  const countLines = rows.map(([k, n], i) => {
    const of = i === 0 && total !== undefined ? ` of ${total}` : '';
    return `  ${k.padEnd(labelWidth)}  ${String(n).padStart(numberWidth)}${of}`;
  });
  // Colour after alignment, so the escape codes do not shift the columns.
  const paint = paintOutcome(style, op.done, op.error !== undefined || failedTargets);
  const statusLine = head.split('\n').findIndex((l) => l.startsWith('status ') && l.endsWith(state));
  const painted = head
    .split('\n')
    .map((l, i) => (i === statusLine ? `${l.slice(0, l.length - state.length)}${paint(state)}` : l))
    .join('\n');
  const out = [painted, `${report ? 'report' : 'progress'}\n${countLines.join('\n')}\n`];
  const failures = report?.failures ?? [];
  if (failures.length > 0) {
    const shown = failures.slice(0, FAILURES_SHOWN);
    const posWidth = Math.max(...shown.map((f) => String(f.position).length)) + 1;
    const more =
      counts.failed > shown.length
        ? ` (first ${shown.length} of ${counts.failed}${failures.length > shown.length ? '; --json lists ' + failures.length : ''})`
        : '';
    out.push(
      `failures${more}\n${shown
        .map((f) => `  ${`#${f.position}`.padEnd(posWidth)}  ${f.fingerprint}  ${statusText(f.error)}`)
        .join('\n')}\n`,
    );
  }
  const would = report?.wouldRevoke ?? [];
  if (would.length > 0) {
    const shown = would.slice(0, FAILURES_SHOWN);
    const more = counts.skipped > shown.length ? ` (first ${shown.length} of ${counts.skipped})` : '';
    out.push(`would revoke${more}\n${shown.map((w) => `  ${w}`).join('\n')}\n`);
  }
  return out.join('\n');
}

/**
 * Prints the job (human or `--json`). A done job with an error (cancelled, invalid) or with failed
 * targets also gets one line on stderr saying which, and exit 1; otherwise 0.
 */
export function printBulkJob(io: CliIo, op: BulkJobOperation, asJson: boolean): ExitCodeNumber {
  io.stdout.write(
    asJson ? json(op) : formatBulkOperation(op, createStyler(colourEnabled(io.stdout, io.env))),
  );
  if (!op.done) return ExitCode.ok;
  const report = bulkReportOf(op);
  if (op.error) {
    const done = report ? `; ${report.processed} targets were processed before it stopped` : '';
    io.stderr.write(`error: job ${op.id} ended with ${statusText(op.error)}${done}\n`);
    return ExitCode.operationFailed;
  }
  const failed = report?.failed ?? op.metadata.failed;
  if (failed > 0) {
    io.stderr.write(
      `error: job ${op.id} finished with ${failed} failed target${failed === 1 ? '' : 's'} of ${report?.processed ?? op.metadata.processed} (see the failures in the report)\n`,
    );
    return ExitCode.operationFailed;
  }
  return ExitCode.ok;
}

/**
 * Watches the job until it is done, with a live bar on a TTY stderr and plain lines otherwise, then
 * prints the report; exit 4 when still running at the timeout (the job keeps running). `revoke wait`
 * on a job can call this too.
 */
export async function waitForBulkJob(
  ctx: CliContext,
  id: string,
  options: { timeout: number; asJson: boolean; progress?: boolean; intervalMs?: number },
): Promise<ExitCodeNumber> {
  const client = await ctx.client();
  const tty = ctx.io.stderr.isTTY === true;
  const intervalMs = options.intervalMs ?? (tty ? 1_000 : 2_000);
  const progress =
    options.progress === false
      ? undefined
      : createBulkProgress(ctx.io.stderr, id, { lineIntervalMs: intervalMs });
  let final: BulkJobOperation;
  try {
    final = await watchBulkJob(client, id, (op) => progress?.update(op), {
      intervalMs: Math.min(intervalMs, 1_000),
      timeout: options.timeout,
    });
  } catch (err) {
    progress?.stop();
    if (!(err instanceof OperationWaitTimeoutError)) throw err;
    // It may have finished since the timeout fired; then its own outcome counts.
    const now = await getBulkJob(client, id);
    const code = printBulkJob(ctx.io, now, options.asJson);
    if (now.done) return code;
    ctx.io.stderr.write(`${errorLine(err)}\n`);
    return ExitCode.waitTimeout;
  }
  progress?.stop();
  return printBulkJob(ctx.io, final, options.asJson);
}

function addWatchOptions(cmd: Command, defaultTimeout: string, waitFlag: string): Command {
  return cmd
    .addOption(
      new Option(
        '--timeout <duration>',
        `with ${waitFlag}: how long to wait (default ${defaultTimeout})`,
      ).argParser(parseDuration),
    )
    .addOption(
      new Option(
        '--progress-interval <duration>',
        `with ${waitFlag}: how often progress is shown (default 1s at a terminal, 2s otherwise)`,
      ).argParser(parseDuration),
    )
    .option('--no-progress', `with ${waitFlag}: no progress on stderr, only the report`);
}

/** A done job cannot be paused, resumed or throttled: show it, say so, exit as its outcome says. */
function printDone(ctx: CliContext, err: BulkJobDoneError, what: string, asJson: boolean): ExitCodeNumber {
  const code = printBulkJob(ctx.io, err.operation, asJson);
  ctx.io.stderr.write(`job ${err.operation.id} is already done; nothing to ${what}\n`);
  return code;
}

const throttleFlagOf: Record<string, string> = {
  ratePerSecond: '--rate/--no-rate (ratePerSecond)',
  concurrency: '--concurrency (concurrency)',
  throttle: '--rate/--no-rate/--concurrency',
};

function addStart(bulk: Command, ctx: CliContext): void {
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
      ctx.exitCode = await waitForBulkJob(ctx, started.id, {
        timeout: flags.timeout ?? durationMs(DEFAULT_BULK_WAIT),
        asJson,
        ...(flags.progress === false ? { progress: false } : {}),
        ...(flags.progressInterval !== undefined ? { intervalMs: flags.progressInterval } : {}),
      });
    });
}

function addStatus(bulk: Command, ctx: CliContext): void {
  const cmd = bulk
    .command('status')
    .summary('show a job: counts, rate, phase; the report once done')
    .description(
      'Show a bulk job as it is now; with --watch, follow it until done and print the report (exit 1 if it ' +
        'ended cancelled, invalid or with failed targets)',
    )
    .argument('<id>', 'job id, as printed when it started')
    .option('--watch', 'follow the job with live progress until it is done');
  addWatchOptions(cmd, DEFAULT_BULK_WAIT, '--watch')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke bulk status bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41\n  $ revoke bulk status bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --watch --timeout 2h',
    )
    .action(async (id: string, flags: WatchFlags & { watch?: boolean }) => {
      if (!flags.watch && (flags.timeout !== undefined || flags.progressInterval !== undefined)) {
        throw badInput(
          flags.timeout !== undefined ? '--timeout' : '--progress-interval',
          'only applies with --watch',
        );
      }
      const asJson = flags.json === true;
      if (!flags.watch) {
        const client = await ctx.client();
        ctx.exitCode = printBulkJob(ctx.io, await getBulkJob(client, id), asJson);
        return;
      }
      ctx.exitCode = await waitForBulkJob(ctx, id, {
        timeout: flags.timeout ?? durationMs(DEFAULT_BULK_WAIT),
        asJson,
        ...(flags.progress === false ? { progress: false } : {}),
        ...(flags.progressInterval !== undefined ? { intervalMs: flags.progressInterval } : {}),
      });
    });
}

function addSignalCommand(
  bulk: Command,
  ctx: CliContext,
  name: 'pause' | 'resume',
  describe: { summary: string; description: string },
  run: typeof pauseBulkJob,
): void {
  bulk
    .command(name)
    .summary(describe.summary)
    .description(describe.description)
    .argument('<id>', 'job id')
    .addOption(jsonOption())
    .addHelpText('after', `\nExamples:\n  $ revoke bulk ${name} bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41`)
    .action(async (id: string, flags: { json?: boolean }) => {
      const client = await ctx.client();
      try {
        ctx.exitCode = printBulkJob(ctx.io, await run(client, id), flags.json === true);
      } catch (err) {
        if (!(err instanceof BulkJobDoneError)) throw err;
        ctx.exitCode = printDone(ctx, err, name, flags.json === true);
      }
    });
}

function addThrottle(bulk: Command, ctx: CliContext): void {
  bulk
    .command('throttle')
    .summary("change a running job's rate or concurrency")
    .description("Change a running job's rate limit and/or concurrency; applies from the next page")
    .argument('<id>', 'job id')
    .addOption(
      new Option('--rate <per-second>', 'provider calls per second for the whole job').argParser(parseNumber),
    )
    .option('--no-rate', 'remove the rate limit')
    .addOption(
      new Option('--concurrency <n>', 'provider calls in flight within a page, 1-100').argParser(parseNumber),
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke bulk throttle bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --rate 5\n  $ revoke bulk throttle bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --no-rate --concurrency 20',
    )
    .action(async (id: string, flags: { rate?: number | false; concurrency?: number; json?: boolean }) => {
      const change: BulkThrottle = {
        ...(flags.rate === false
          ? { ratePerSecond: null }
          : flags.rate !== undefined
            ? { ratePerSecond: flags.rate }
            : {}),
        ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      };
      if (change.ratePerSecond === undefined && change.concurrency === undefined) {
        throw badInput(
          '--rate/--no-rate/--concurrency',
          'nothing to change: give --rate, --no-rate or --concurrency',
        );
      }
      const client = await ctx.client();
      try {
        ctx.exitCode = printBulkJob(ctx.io, await setBulkThrottle(client, id, change), flags.json === true);
      } catch (err) {
        if (err instanceof BulkJobDoneError) {
          ctx.exitCode = printDone(ctx, err, 'throttle', flags.json === true);
          return;
        }
        if (!(err instanceof InvalidArgumentError)) throw err;
        throw new InvalidArgumentError(
          err.violations.map((v) => ({
            field: throttleFlagOf[v.field] ?? v.field,
            description: v.description,
          })),
        );
      }
    });
}

function addCancel(bulk: Command, ctx: CliContext): void {
  const cmd = bulk
    .command('cancel')
    .summary('cancel a job; it stops after the page in flight and reports what was done')
    .description(
      'Cancel a bulk job: the page in flight finishes, no new page starts, and the job ends CANCELLED with ' +
        'the report of what was done. Waits for that and prints the report (exit 1: the job ended cancelled)',
    )
    .argument('<id>', 'job id')
    .option('--no-wait', 'return once cancellation is requested, without waiting for the report');
  addWatchOptions(cmd, DEFAULT_CANCEL_WAIT, 'waiting')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ revoke bulk cancel bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41\n  $ revoke bulk cancel bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --no-wait --json',
    )
    .action(async (id: string, flags: WatchFlags & { wait: boolean }) => {
      const asJson = flags.json === true;
      const client = await ctx.client();
      const op = await cancelBulkJob(client, id);
      if (op.done) {
        ctx.exitCode = printBulkJob(ctx.io, op, asJson);
        if (op.error?.code !== Code.CANCELLED) {
          ctx.io.stderr.write(`job ${id} was already done; nothing to cancel\n`);
        }
        return;
      }
      if (!flags.wait) {
        ctx.exitCode = printBulkJob(ctx.io, op, asJson);
        ctx.io.stderr.write(`cancellation of ${id} requested; it stops after the page in flight\n`);
        return;
      }
      ctx.exitCode = await waitForBulkJob(ctx, id, {
        timeout: flags.timeout ?? durationMs(DEFAULT_CANCEL_WAIT),
        asJson,
        ...(flags.progress === false ? { progress: false } : {}),
        ...(flags.progressInterval !== undefined ? { intervalMs: flags.progressInterval } : {}),
      });
    });
}

/** `revoke bulk start|status|pause|resume|throttle|cancel`. */
export function addBulkCommand(program: Command, ctx: CliContext): void {
  const bulk = program
    .command('bulk')
    .summary('bulk revocation jobs: start, status, pause, resume, throttle, cancel')
    .description(
      'Bulk revocation jobs: revoke every target of a source (an NDJSON file, a Yandex Cloud or Authlete ' +
        'listing, inline requests) as one durable, pausable, rate-limited operation with exact counts',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ revoke bulk start --name offboarding --ndjson /data/tokens.ndjson --rate 50 --wait
  $ revoke bulk status bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --watch
  $ revoke bulk pause bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41
  $ revoke bulk throttle bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41 --rate 10
  $ revoke bulk resume bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41
  $ revoke bulk cancel bulk-0f6e0c2a-1d6b-4a8e-9c53-1b2f0e9a7d41`,
    );
  addStart(bulk, ctx);
  addStatus(bulk, ctx);
  addSignalCommand(
    bulk,
    ctx,
    'pause',
    {
      summary: 'pause a job after the page in flight',
      description: 'Pause a bulk job: the page in flight finishes, no new page starts until resume',
    },
    pauseBulkJob,
  );
  addSignalCommand(
    bulk,
    ctx,
    'resume',
    {
      summary: 'resume a paused job from its cursor',
      description: 'Resume a paused bulk job from where it stopped (its cursor)',
    },
    resumeBulkJob,
  );
  addThrottle(bulk, ctx);
  addCancel(bulk, ctx);
}
