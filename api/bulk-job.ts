import type { EvidenceReference } from './evidence';
import { z } from 'zod';
import { revocationRequest, secretsOf } from './requests';
import {
  boundedString,
  connectionName,
  isSafeIdentifier,
  plainText,
  unsafeIdentifierMessage,
} from './requests/common';
import { duration } from './revoke-tokens-input';
import { describeIssue, parseOrThrow } from './validation';
import type { Status } from './operation';

/** Invalid inline requests named in full in one error; the rest are counted. */
const MAX_INVALID_INLINE_NAMED = 10;

/**
 * Inline requests, each checked as a RevocationRequest at start, so a bad one is refused with its
 * index and field (`job.source.requests.3.refreshTokenId`) instead of becoming a failed target.
 * The elements stay as given: the page activity parses each again.
 */
const inlineRequests = z
  .array(z.unknown())
  .min(1)
  .max(1000)
  .superRefine((requests, ctx) => {
    let invalid = 0;
    requests.forEach((request, index) => {
      const result = revocationRequest.safeParse(request);
      if (result.success) return;
      invalid += 1;
      if (invalid > MAX_INVALID_INLINE_NAMED) return;
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: 'custom', path: [index, ...issue.path], message: describeIssue(issue) });
      }
    });
    if (invalid > MAX_INVALID_INLINE_NAMED) {
      ctx.addIssue({
        code: 'custom',
        message: `${invalid - MAX_INVALID_INLINE_NAMED} more invalid requests not listed`,
      });
    }
  });

/** Where a bulk job's targets come from. */
export const bulkSource = z.discriminatedUnion('kind', [
  /** Small lists only: the requests travel in the job input, so in workflow history (encrypted). */
  z.strictObject({ kind: z.literal('inline'), requests: inlineRequests }),
  /**
   * A file of RevocationRequest JSON lines that the workers can read. Only the path enters history;
   * the lines (and their secrets) are read by the page activity.
   */
  z.strictObject({
    kind: z.literal('ndjson'),
    path: z
      .string()
      .min(1)
      .max(4096)
      .refine(
        (p) => p.startsWith('/') || p.startsWith('file:///'),
        'must be an absolute path or a file:/// URL',
      )
      .refine(isSafeIdentifier, unsafeIdentifierMessage),
  }),
  /** Authlete's token list, filtered; each listed token is revoked by its access token hash. */
  z.strictObject({
    kind: z.literal('authlete-list'),
    connection: connectionName.default('default'),
    serviceId: z.string().regex(/^[1-9]\d{0,18}$/, 'must be a numeric Authlete service id'),
    clientIdentifier: boundedString(256).optional(),
    subject: boundedString(100)
      .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII (Authlete subjects are ASCII)')
      .optional(),
  }),
  /** Yandex Cloud `RefreshTokenService.List` of a subject, with its filter syntax; revoked by id. */
  z.strictObject({
    kind: z.literal('yandex-list'),
    connection: connectionName.default('default'),
    subjectId: boundedString(50).optional(),
    filter: plainText(1000).min(1, 'must not be empty').optional(),
  }),
]);

export const bulkRevocationJob = z
  .strictObject({
    /** Shown in the Web UI and searchable (RevocationJobName); letters, digits, `.`, `_`, `-`. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, ".", "_" or "-"'),
    source: bulkSource,
    /** Targets per page (one activity). @default 100 */
    pageSize: z.number().int().min(1).max(1000).default(100),
    /** Provider calls in flight at once within a page. @default 10 */
    concurrency: z.number().int().min(1).max(100).default(10),
    /** Provider calls per second for the job, across all workers. Unlimited when absent. */
    ratePerSecond: z.number().positive().max(10_000).optional(),
    /** List what would be revoked (counts, fingerprints) and touch nothing. @default false */
    dryRun: z.boolean().default(false),
    /**
     * How long one target may take. A Yandex provider operation still running after a few seconds is
     * handed from the page to the workflow, which polls it on durable timers until this deadline;
     * past it the target fails DEADLINE_EXCEEDED. @default '1h'
     */
    targetDeadline: duration.default('1h'),
    /** How many failures the report keeps in full. @default 50 */
    maxReportedFailures: z.number().int().min(0).max(1000).default(50),
    description: plainText(256).optional(),
    createdBy: plainText(256).min(1, 'must not be empty').optional(),
    /** Set by a schedule's action: the schedule that started this run. */
    scheduleId: boundedString(200).optional(),
  })
  .superRefine((job, ctx) => {
    // Shown in the Web UI in plain text: refuse a description that quotes an inline request's token.
    if (job.source.kind !== 'inline') return;
    const secrets = job.source.requests.flatMap((r) => {
      const parsed = revocationRequest.safeParse(r);
      return parsed.success ? secretsOf(parsed.data) : [];
    });
    for (const field of ['description', 'createdBy'] as const) {
      const text = job[field];
      if (text !== undefined && secrets.some((s) => text.includes(s))) {
        ctx.addIssue({ code: 'custom', path: [field], message: 'must not contain a token being revoked' });
      }
    }
  });

export type BulkRevocationJob = z.output<typeof bulkRevocationJob>;
export type BulkRevocationJobInput = z.input<typeof bulkRevocationJob>;
export type BulkSource = BulkRevocationJob['source'];

/** Thrown when invalid: InvalidArgumentError naming each bad field (`job.source.path`, ...). */
export function parseBulkRevocationJob(value: unknown): BulkRevocationJob {
  return parseOrThrow(bulkRevocationJob, value, 'job');
}

/** What a job's source is, in words (no secrets: paths, ids and filters only). */
export function describeBulkSource(job: BulkRevocationJob): string {
  const s = job.source;
  switch (s.kind) {
    case 'inline':
      return `${s.requests.length} inline requests`;
    case 'ndjson':
      return `NDJSON file ${s.path}`;
    case 'authlete-list':
      return `Authlete tokens of service ${s.serviceId} (${s.connection})${s.clientIdentifier ? ` client ${s.clientIdentifier}` : ''}${s.subject ? ` subject ${s.subject}` : ''}`;
    case 'yandex-list':
      return `Yandex Cloud refresh tokens (${s.connection})${s.subjectId ? ` of ${s.subjectId}` : ''}${s.filter ? ` matching ${s.filter}` : ''}`;
  }
}

/** The description of a job that has none; the workflow and the client use the same text. */
export function defaultJobDescription(job: BulkRevocationJob): string {
  return `Bulk revocation ${job.name}: ${describeBulkSource(job)}${job.dryRun ? ' (dry run)' : ''}`;
}

/**
 * Outcome counts of a job; `processed` = succeeded + alreadyRevoked + notFound + failed + skipped.
 * `alreadyRevoked`: the provider no longer knew the target after an earlier attempt of ours may have
 * revoked it. `notFound`: it did not know it, and no earlier attempt of ours can have removed it.
 */
export interface BulkCounts {
  processed: number;
  succeeded: number;
  alreadyRevoked: number;
  /** Absent in the counts of jobs that ran before it was counted (they said alreadyRevoked). */
  notFound?: number;
  failed: number;
  skipped: number;
}

export const zeroCounts = (): BulkCounts => ({
  processed: 0,
  succeeded: 0,
  alreadyRevoked: 0,
  notFound: 0,
  failed: 0,
  skipped: 0,
});

export function addCounts(a: BulkCounts, b: BulkCounts): BulkCounts {
  return {
    processed: a.processed + b.processed,
    succeeded: a.succeeded + b.succeeded,
    alreadyRevoked: a.alreadyRevoked + b.alreadyRevoked,
    notFound: (a.notFound ?? 0) + (b.notFound ?? 0),
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
  };
}

/** One failed target in a report: where it was, its fingerprint (never the token), and why. */
export interface BulkFailure {
  /** Position in the source (0-based line or list index). */
  position: number;
  fingerprint: string;
  provider?: string;
  error: Status;
}

const typePrefix = 'type.googleapis.com/tokenrevocation.v1.';
export const BulkTypeUrl = {
  metadata: `${typePrefix}BulkRevocationMetadata`,
  response: `${typePrefix}BulkRevocationReport`,
} as const;

export interface BulkRevocationMetadata extends BulkCounts {
  '@type': typeof BulkTypeUrl.metadata;
  name: string;
  source: string;
  phase: 'RUNNING' | 'PAUSED' | 'CANCELLING' | 'DONE';
  dryRun: boolean;
  /** Targets in the source, when the source can tell. */
  total?: number;
  pages: number;
  /** Achieved provider calls per second over the last page. */
  currentRate?: number;
  ratePerSecond?: number;
  concurrency: number;
  /** Opaque position of the next page. */
  cursor?: string;
  /** Runs so far (continue-as-new starts a new run). */
  runs: number;
  scheduleId?: string;
  /** Targets whose provider operations the workflow follows up (not yet in the counts). */
  pending?: number;
}

export interface BulkRevocationReport extends BulkCounts {
  '@type': typeof BulkTypeUrl.response;
  name: string;
  dryRun: boolean;
  total?: number;
  pages: number;
  runs: number;
  cancelled: boolean;
  failures: BulkFailure[];
  /** Dry run: fingerprints of the first targets that would be revoked. */
  wouldRevoke?: string[];
  startedAt: string;
  finishedAt: string;
  /** The job's evidence records (api/evidence.ts): every record with jobId = this job's id. Absent in runs before it. */
  evidence?: EvidenceReference;
}
