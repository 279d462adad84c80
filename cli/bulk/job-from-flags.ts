import {
  InvalidArgumentError,
  parseBulkRevocationJob,
  parseRevocationRequest,
  secretsOf,
  type BulkRevocationJob,
  type BulkRevocationJobInput,
  type FieldViolation,
} from '../../api';
import { checkRequestId } from '../../client/idempotent-start';
import type { CliContext } from '../context';
import { badInput, parseJsonInput, readInputFile } from '../flags';
import type { CliIo } from '../io';
import type { StartFlags } from '../requests';
import { revokeOptions } from '../start-commands';

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

/** The source flags, which a job document (--file/--json) replaces. */
const sourceFlagsOfDocument: Array<[keyof BulkStartFlags, string]> = [
  ['ndjson', '--ndjson'],
  ['yandexList', '--yandex-list'],
  ['authleteList', '--authlete-list'],
  ['connection', '--connection'],
  ['subjectId', '--subject-id'],
  ['filter', '--filter'],
  ['serviceId', '--service-id'],
  ['clientIdentifier', '--client-identifier'],
  ['subject', '--subject'],
];

/** The job document's fields and the flag it came with; refused with a source flag beside it. */
async function documentBase(
  flags: BulkStartFlags,
  io: CliIo,
): Promise<{ base: Record<string, unknown>; documentFlag: string }> {
  const stray = sourceFlagsOfDocument.filter(([key]) => flags[key] !== undefined);
  if (stray.length > 0) {
    throw new InvalidArgumentError(
      stray.map(([, flag]) => ({
        field: flag,
        description: 'the source comes from the job document (--file/--json); give one or the other',
      })),
    );
  }
  const doc = await jobDocument(flags, io);
  if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
    throw badInput(doc.flag, 'must be a JSON object: {"name": ..., "source": {...}}');
  }
  return { base: { ...(doc.value as Record<string, unknown>) }, documentFlag: doc.flag };
}

/** `base` with the fields the flags set on top; `createdBy` is --created-by, else the document's, else user@host. */
function withFlagFields(
  base: Record<string, unknown>,
  flags: BulkStartFlags,
  defaultCreatedBy: string | undefined,
): Record<string, unknown> {
  return {
    ...base,
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.pageSize !== undefined ? { pageSize: flags.pageSize } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.rate !== undefined ? { ratePerSecond: flags.rate } : {}),
    ...(flags.dryRun ? { dryRun: true } : {}),
    ...(flags.description !== undefined ? { description: flags.description } : {}),
    ...(flags.createdBy !== undefined
      ? { createdBy: flags.createdBy }
      : base.createdBy === undefined && defaultCreatedBy !== undefined
        ? { createdBy: defaultCreatedBy }
        : {}),
  };
}

/** Fields a flag set (overriding the document's); a violation there names the flag, not the document. */
function fieldsSetByFlags(flags: BulkStartFlags): Set<string> {
  return new Set(
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
}

/** The job validated; each violation names the flag (or the document) it came from next to the field. */
function parseJob(
  job: Record<string, unknown>,
  documentFlag: string | undefined,
  fromFlags: Set<string>,
): BulkRevocationJob {
  try {
    return parseBulkRevocationJob(job);
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
}

/** The command line is visible in `ps` and shell history: a token in `--json` must come from a file or stdin. */
function refuseSecretsInJsonFlag(requests: unknown[]): void {
  const violations = requests.flatMap((r, i): FieldViolation[] => {
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

/**
 * The job of `bulk start` from a document or the shorthand flags, validated before connecting (so
 * bad input exits 2 even with Temporal down), with each violation naming the flag and the field.
 */
export async function jobFromFlags(flags: BulkStartFlags, ctx: CliContext): Promise<BulkRevocationJobInput> {
  const fromDocument = flags.file !== undefined || typeof flags.json === 'string';
  const { base, documentFlag } = fromDocument
    ? await documentBase(flags, ctx.io)
    : { base: { name: flags.name, source: sourceFromFlags(flags) }, documentFlag: undefined };
  const options = revokeOptions(flags, ctx);
  const job = withFlagFields(base, flags, options.createdBy);
  const parsed = parseJob(job, documentFlag, fieldsSetByFlags(flags));
  if (documentFlag === '--json' && parsed.source.kind === 'inline')
    refuseSecretsInJsonFlag(parsed.source.requests);
  checkRequestId(options.requestId, '--request-id (requestId)');
  return job as BulkRevocationJobInput;
}
