import { defaultJobDescription, describeBulkSource, type BulkRevocationJob } from './bulk-job';
import { fingerprint, scrubSecrets } from './fingerprint';
import { describeTarget, providerTitle, secretsOf, type RevocationRequest } from './requests';
import type { RevokeSubjectInput } from './revoke-subject-input';

/**
 * The Web UI's static summary (one line) and static details (markdown) of every operation, built
 * from what is safe to show: provider keys, connection names, targets as `describeTarget` words them
 * (tokens only as `sha256:` fingerprints), the caller's name and description. A request id is an
 * idempotency key the caller chose, so it appears only as a fingerprint too.
 */

/** Longest summary written; the UI shows one line, and the server bounds user metadata. */
export const MAX_SUMMARY_LENGTH = 240;
/** Longest details written. */
export const MAX_DETAILS_LENGTH = 8_000;

/** One line: whitespace runs (newlines included) become one space, and long text ends in `…`. */
export function oneLine(text: string, max = MAX_SUMMARY_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Caller text inside markdown: one line, with markdown and HTML punctuation escaped. */
function plain(text: string, max = 512): string {
  return oneLine(text, max).replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`);
}

function details(lines: Array<string | undefined>): string {
  const text = lines.filter((l): l is string => l !== undefined).join('\n\n');
  return text.length > MAX_DETAILS_LENGTH ? `${text.slice(0, MAX_DETAILS_LENGTH - 1)}…` : text;
}

const requestIdLine = (requestId: string | undefined) =>
  requestId ? `**Request id:** \`${fingerprint(requestId)}\` (fingerprint)` : undefined;

/** Who asked, as every summary ends. */
const by = (createdBy: string | undefined) => createdBy || 'unknown';

export interface RevokeTokensSummaryInput {
  request: RevocationRequest;
  description?: string | undefined;
  createdBy?: string | undefined;
  requestId?: string | undefined;
  /** The operation this one is a child of, e.g. a `revokeSubject` incident. */
  partOf?: { id: string; what: string } | undefined;
}

/** "Revoke refresh token id rt-123 at yandex-cloud/default, by alice". */
export function revokeTokensSummary(i: RevokeTokensSummaryInput): string {
  const r = i.request;
  const tail = ` at ${r.provider}/${r.connection}, by ${oneLine(by(i.createdBy), 64)}`;
  const target = oneLine(describeTarget(r), MAX_SUMMARY_LENGTH - tail.length - 'Revoke '.length);
  return oneLine(`Revoke ${target}${tail}`);
}

/** Provider, connection, target, who, why, and the request id's fingerprint, as markdown. */
export function revokeTokensDetails(i: RevokeTokensSummaryInput): string {
  const r = i.request;
  const description = i.description ? scrubSecrets(i.description, secretsOf(r)) : undefined;
  // The Web UI shows the first five lines or so without scrolling: the most telling ones first.
  return details([
    `**Target:** ${plain(describeTarget(r))}`,
    `**Provider:** ${providerTitle(r)} (\`${r.provider}\`), connection \`${plain(r.connection)}\``,
    `**Created by:** ${plain(by(i.createdBy))}`,
    description ? `**Description:** ${plain(description)}` : undefined,
    requestIdLine(i.requestId),
    i.partOf ? `**Part of:** ${plain(i.partOf.what)} (\`${i.partOf.id}\`)` : undefined,
  ]);
}

export interface BulkJobSummaryInput {
  job: BulkRevocationJob;
  requestId?: string | undefined;
  /** The schedule that starts the job, when a schedule does. */
  scheduleId?: string | undefined;
}

/** Secrets of inline requests, which a caller's description might quote. */
function bulkSecrets(job: BulkRevocationJob): string[] {
  if (job.source.kind !== 'inline') return [];
  return job.source.requests.flatMap((r) => {
    try {
      return secretsOf(r as RevocationRequest);
    } catch {
      return [];
    }
  });
}

/** "Bulk job offboarding-7: NDJSON file /data/x.ndjson (by alice)"; scheduled: "(schedule nightly, by alice)". */
export function bulkJobSummary(i: BulkJobSummaryInput): string {
  const { job } = i;
  const who = oneLine(by(job.createdBy), 64);
  const tail = i.scheduleId ? ` (schedule ${i.scheduleId}, by ${who})` : ` (by ${who})`;
  const head = `Bulk job ${job.name}${job.dryRun ? ' (dry run)' : ''}: `;
  const source = oneLine(describeBulkSource(job), MAX_SUMMARY_LENGTH - head.length - tail.length);
  return oneLine(`${head}${source}${tail}`);
}

/** Job name, source, limits, schedule, who, why and the request id's fingerprint, as markdown. */
export function bulkJobDetails(i: BulkJobSummaryInput): string {
  const { job } = i;
  const limits = [
    `${job.pageSize} targets per page`,
    `concurrency ${job.concurrency}`,
    job.ratePerSecond !== undefined ? `at most ${job.ratePerSecond}/s` : 'no rate limit',
  ].join(', ');
  const description = scrubSecrets(job.description || defaultJobDescription(job), bulkSecrets(job));
  return details([
    `**Job:** ${plain(job.name)}${job.dryRun ? ' (dry run: nothing is revoked)' : ''}`,
    `**Source:** ${plain(describeBulkSource(job))} (\`${job.source.kind}\`)`,
    `**Created by:** ${plain(by(job.createdBy))}`,
    `**Description:** ${plain(description)}`,
    `**Limits:** ${limits}`,
    i.scheduleId ? `**Schedule:** ${plain(i.scheduleId)}` : undefined,
    requestIdLine(i.requestId),
  ]);
}

export interface RevokeSubjectSummaryInput {
  input: RevokeSubjectInput;
  /** The child requests (`childRequestsOf(input)`). */
  requests: RevocationRequest[];
  /** The operation's id, to name its children. */
  id: string;
  requestId?: string | undefined;
}

const connectionsOf = (requests: RevocationRequest[]) => [
  ...new Set(requests.map((r) => `${r.provider}/${r.connection}`)),
];

/** "Revoke everything aje123 holds at yandex-cloud/default, authlete/default (3 revocations), by alice". */
export function revokeSubjectSummary(i: RevokeSubjectSummaryInput): string {
  const n = i.requests.length;
  const where = connectionsOf(i.requests).join(', ');
  const tail = ` (${n} revocation${n === 1 ? '' : 's'}), by ${oneLine(by(i.input.createdBy), 64)}`;
  const head = `Revoke everything ${oneLine(i.input.subject, 80)} holds at `;
  return oneLine(`${head}${oneLine(where, MAX_SUMMARY_LENGTH - head.length - tail.length)}${tail}`);
}

/** Subject, connections, children, who, why and the request id's fingerprint, as markdown. */
export function revokeSubjectDetails(i: RevokeSubjectSummaryInput): string {
  const secrets = i.requests.flatMap(secretsOf);
  return details([
    `**Subject:** ${plain(i.input.subject)}`,
    `**Connections:** ${plain(connectionsOf(i.requests).join(', '))}`,
    `**Created by:** ${plain(by(i.input.createdBy))}`,
    i.input.description ? `**Description:** ${plain(scrubSecrets(i.input.description, secrets))}` : undefined,
    `**Children:** ${i.requests.length} \`revokeTokens\` operations (\`${i.id}/0-…\`)`,
    requestIdLine(i.requestId),
  ]);
}
