import type { BulkRevocationJobInput } from '../../api';
import {
  formatDuration,
  type BulkScheduleDescription,
  type BulkScheduleSpecText,
  type BulkScheduleSummary,
} from '../../client/schedules';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { json, keyValueLines } from '../format';

export function specLine(spec: BulkScheduleSpecText): string {
  const parts = [...spec.cron.map((c) => `cron "${c}"`), ...spec.every.map((e) => `every ${e}`)];
  return `${parts.join(', ') || 'no timing'}${spec.cron.length > 0 ? ` (${spec.timezone ?? 'UTC'})` : ''}`;
}

/** The job without inline requests, which may hold tokens: they are counted, never printed. */
export function redactJob(job: BulkRevocationJobInput): BulkRevocationJobInput {
  const source = job.source as { kind?: string; requests?: unknown[] } | undefined;
  if (source?.kind !== 'inline' || !Array.isArray(source.requests)) return job;
  return {
    ...job,
    source: {
      kind: 'inline',
      requestCount: source.requests.length,
    } as unknown as BulkRevocationJobInput['source'],
  };
}

function jobLine(job: BulkRevocationJobInput): string {
  const s = job.source as { kind?: string; requests?: unknown[]; path?: string; connection?: string };
  const source =
    s?.kind === 'inline'
      ? `${s.requests?.length ?? 0} inline requests`
      : s?.kind === 'ndjson'
        ? `ndjson ${s.path ?? ''}`
        : `${s?.kind ?? '?'}${s?.connection ? ` (${s.connection})` : ''}`;
  return `${job.name}: ${source}${job.dryRun ? ', dry run' : ''}${job.ratePerSecond ? `, ${job.ratePerSecond}/s` : ''}`;
}

export function formatSchedule(d: BulkScheduleDescription): string {
  return keyValueLines([
    ['schedule', d.scheduleId],
    ['job', jobLine(d.job)],
    ['spec', specLine(d.spec)],
    ['overlap', d.overlap],
    ['state', d.paused ? `PAUSED${d.note ? `: ${d.note}` : ''}` : 'ACTIVE'],
    [
      'next runs',
      d.paused
        ? undefined
        : d.nextActionTimes
            .slice(0, 3)
            .map((t) => t.toISOString())
            .join(', '),
    ],
    [
      'runs',
      `${d.numActionsTaken} started, ${d.numActionsSkippedOverlap} skipped (overlap), ${d.numActionsMissedCatchupWindow} missed (catch-up window ${formatDuration(d.catchupWindowMs)})`,
    ],
    ['running', d.running.map((r) => r.workflowId).join(', ')],
    ...d.recentActions
      .slice(-5)
      .reverse()
      .map((a, i): [string, string] => [
        i === 0 ? 'recent runs' : '',
        `${a.scheduledAt.toISOString()}  ${a.workflowId}`,
      ]),
    ['task queue', d.taskQueue],
    ['created', d.createdAt.toISOString()],
    ['updated', d.updatedAt?.toISOString()],
  ]);
}

export function formatScheduleList(list: BulkScheduleSummary[]): string {
  if (list.length === 0) return 'no bulk revocation schedules\n';
  const header = ['SCHEDULE', 'JOB', 'SPEC', 'STATE', 'NEXT RUN', 'LAST RUN'];
  const rows = list.map((s) => [
    s.scheduleId,
    s.jobName ?? '-',
    specLine(s.spec),
    s.paused ? 'PAUSED' : 'ACTIVE',
    s.paused ? '-' : (s.nextActionTimes[0]?.toISOString() ?? '-'),
    s.recentActions.at(-1)?.workflowId ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n') + '\n';
}

export function printSchedule(ctx: CliContext, d: BulkScheduleDescription, asJson: boolean): void {
  ctx.io.stdout.write(asJson ? json({ ...d, job: redactJob(d.job) }) : formatSchedule(d));
  ctx.exitCode = ExitCode.ok;
}
