import {
  Code,
  codeName,
  type BulkCounts,
  type BulkRevocationMetadata,
  type RevokeSubjectMetadata,
  type RevokeTokensOperation,
  type Status,
} from '../api';

/**
 * The Web UI's "current details" of each workflow: what it is doing now, in words, as markdown
 * (paragraphs separated by blank lines). Pure functions of the state, so they are tested without
 * Temporal; the workflows call `setCurrentDetails` with their result after each change.
 */

/** `4800` → `4,800`; Intl-free, so the text is the same on every worker. */
export function thousands(n: number): string {
  const [int, frac] = String(Math.round(n * 10) / 10).split('.');
  const grouped = (int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${thousands(n)} ${n === 1 ? one : many}`;
}

/** `8000` → `8 s`, `90000` → `1 min 30 s`. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** `2026-01-01T08:02:09.123Z` → `08:02:09 UTC`. */
function clock(at: Date): string {
  return `${at.toISOString().slice(11, 19)} UTC`;
}

function statusLine(status: Status): string {
  return `${codeName(status.code)}: ${status.message}`;
}

/** What a `revokeTokens` workflow knows beyond its Operation: the next poll, the failed attempt. */
export interface RevokeProgressNote {
  /** The durable timer before poll `poll` fires at `at`. */
  nextPoll?: { poll: number; at: Date; delayMs: number };
  /** The provider call failed on attempt `attempt` (1-based) and is retried. */
  retry?: { attempt: number };
}

/** The first paragraph: the phase in words. */
function revokeHeadline(op: RevokeTokensOperation, note: RevokeProgressNote): string {
  const md = op.metadata;
  if (op.done) {
    if (op.error) return `**failed: ${codeName(op.error.code)}**`;
    const n = typeof op.response?.revokedCount === 'number' ? op.response.revokedCount : 0;
    return `**done: revoked ${plural(n, 'token')}**`;
  }
  if (op.error) {
    const attempt = note.retry ? ` (attempt ${note.retry.attempt} failed)` : '';
    return `**retrying after ${codeName(op.error.code)}${attempt}**`;
  }
  switch (md.phase) {
    case 'VALIDATING':
      return '**validating the request**';
    case 'REVOKING':
      return '**calling provider**';
    case 'POLLING': {
      const id = md.providerOperationId ?? 'unknown';
      const next = note.nextPoll;
      if (!next) return `**polling provider operation ${id}** (poll ${md.polls + 1})`;
      return `**polling provider operation ${id}** (poll ${next.poll} at ${clock(next.at)}, waiting ${shortDuration(next.delayMs)})`;
    }
    case 'VERIFYING':
      return '**asking the provider whether the token still works**';
    case 'CANCELLING':
      return `**cancelling${md.providerOperationId ? ` provider operation ${md.providerOperationId}` : ''}**`;
    case 'DONE':
      return '**done**';
  }
}

/** Current details of a `revokeTokens` operation. */
export function revokeCurrentDetails(op: RevokeTokensOperation, note: RevokeProgressNote = {}): string {
  const md = op.metadata;
  const lines = [revokeHeadline(op, note)];
  // The error right under the headline: the UI shows only the first few lines without scrolling.
  if (op.error) lines.push(`${op.done ? 'error' : 'last failure'}: ${statusLine(op.error)}`);
  lines.push(
    `${md.provider} / ${md.connection}: ${md.target}`,
    `provider calls: ${thousands(md.attempts)} (retries included), polls: ${thousands(md.polls)}`,
  );
  if (md.providerOperationId) lines.push(`provider operation: ${md.providerOperationId}`);
  const verification = op.response?.verification;
  if (verification)
    lines.push(`verification: ${verification.state} (${verification.method}): ${verification.detail}`);
  return lines.join('\n\n');
}

export interface BulkProgress {
  phase: BulkRevocationMetadata['phase'];
  name: string;
  dryRun: boolean;
  counts: BulkCounts;
  /** Targets in the source, when it can tell. */
  total?: number | undefined;
  pageSize: number;
  pages: number;
  currentRate?: number | undefined;
  ratePerSecond?: number | undefined;
  concurrency: number;
  /** Set when the job ended with an error (a source that failed, a cancel). */
  error?: Status | undefined;
}

/** "page 12 of 40, 4,800 revoked, 3 failed, 0 skipped, rate 40/s" and the phase. */
export function bulkCurrentDetails(p: BulkProgress): string {
  const c = p.counts;
  const totalPages = p.total !== undefined ? Math.max(1, Math.ceil(p.total / p.pageSize)) : undefined;
  const page = `page ${thousands(p.pages)}${totalPages !== undefined ? ` of ${thousands(totalPages)}` : ''}`;
  const headline =
    p.phase === 'DONE'
      ? p.error
        ? `**ended: ${codeName(p.error.code)}**`
        : `**done: ${thousands(c.succeeded)} revoked${p.dryRun ? ' (dry run)' : ''}**`
      : p.phase === 'PAUSED'
        ? '**paused** (resume to continue from the cursor)'
        : p.phase === 'CANCELLING'
          ? '**cancelling** (the page in flight finishes first)'
          : '**running**';
  const processed = `${thousands(c.processed)}${p.total !== undefined ? ` of ${thousands(p.total)}` : ''} processed`;
  const rate = p.currentRate !== undefined ? `rate ${thousands(p.currentRate)}/s` : 'rate -';
  const limit = p.ratePerSecond !== undefined ? `limit ${thousands(p.ratePerSecond)}/s` : 'no rate limit';
  const lines = [
    `${headline} · job ${p.name}${p.dryRun ? ' (dry run)' : ''}`,
    `${page}, ${thousands(c.succeeded)} revoked, ${thousands(c.failed)} failed, ${thousands(c.skipped)} skipped, ${thousands(c.alreadyRevoked)} already revoked${c.notFound ? `, ${thousands(c.notFound)} not found` : ''} (${processed})`,
    `${rate} (${limit}), concurrency ${p.concurrency}${p.phase === 'PAUSED' ? ', paused' : ''}`,
  ];
  if (p.error) lines.splice(1, 0, `error: ${statusLine(p.error)}`);
  return lines.join('\n\n');
}

/** Current details of a `revokeSubject` operation: children by state, each failed one named. */
export function subjectCurrentDetails(
  md: Pick<RevokeSubjectMetadata, 'subject' | 'total' | 'succeeded' | 'failed' | 'running' | 'children'>,
  end: { done: boolean; error?: Status | undefined },
): string {
  const headline = !end.done
    ? '**running**'
    : !end.error
      ? `**done: ${plural(md.succeeded, 'revocation')} succeeded**`
      : `**${end.error.code === Code.CANCELLED ? 'cancelled' : `failed: ${codeName(end.error.code)}`}**`;
  const lines = [
    `${headline} · subject ${md.subject}`,
    `children: ${md.succeeded} succeeded, ${md.failed} failed, ${md.running} running of ${md.total}`,
  ];
  for (const c of md.children) {
    if (c.state === 'FAILED' || c.state === 'CANCELLED') {
      lines.push(
        `${c.id} (${c.provider}/${c.connection}): ${c.state}${c.error ? ` ${statusLine(c.error)}` : ''}`,
      );
    }
  }
  if (end.error) lines.push(`error: ${end.error.message}`);
  return lines.join('\n\n');
}
