import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';

const E = temporal.api.enums.v1.EventType;

type Timestamp = temporal.api.history.v1.IHistoryEvent['eventTime'];

export function ms(ts: Timestamp): number {
  if (!ts) return 0;
  const seconds = ts.seconds;
  const s = typeof seconds === 'number' ? seconds : (seconds?.toNumber() ?? 0);
  return s * 1000 + (ts.nanos ?? 0) / 1e6;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : 0);
function percentile(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Where a bulk job's wall-clock time went, from its histories (every continue-as-new run). */
export interface JobProfile {
  runs: number;
  pages: number;
  events: number;
  /** Events of the longest run (bounded by continue-as-new). */
  maxEventsPerRun: number;
  wallMs: number;
  /** Page activities, started → completed (reading the page and revoking its targets). */
  activityMs: { total: number; mean: number; p50: number; p95: number; max: number };
  /** Page activities, scheduled → started (task queue dispatch). */
  dispatchMs: { total: number; mean: number; max: number };
  /** Page k completed → page k+1 scheduled: the workflow task that decides the next page. */
  betweenPagesMs: { total: number; mean: number; p95: number; max: number };
  /** Execution start → first page scheduled, plus last page completed → execution closed. */
  edgesMs: number;
  /** Workflow tasks, scheduled → completed. */
  workflowTasks: { count: number; totalMs: number; meanMs: number };
  /** Per page: what the workflow adds around the activity, as a share of the wall clock. */
  orchestrationShare: number;
}

/** Reads every run of a workflow (first run to the last, across continue-as-new) and profiles it. */
export async function profileJob(client: Client, workflowId: string): Promise<JobProfile> {
  const first = await client.workflow.getHandle(workflowId).describe();
  let runId: string | undefined = first.raw.workflowExecutionInfo?.firstRunId ?? first.runId;
  const events: temporal.api.history.v1.IHistoryEvent[][] = [];
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory();
    const list: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    events.push(list);
    const last: temporal.api.history.v1.IHistoryEvent | undefined = list[list.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }

  const activity: number[] = [];
  const dispatch: number[] = [];
  const between: number[] = [];
  const wft: number[] = [];
  let lastCompleted: number | undefined;
  let edges = 0;
  const flat = events.flat();
  const scheduledAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  let wftScheduled: number | undefined;
  for (const e of flat) {
    const at = ms(e.eventTime);
    const id = String(e.eventId);
    switch (e.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        if (lastCompleted === undefined) lastCompleted = at; // the first edge counts from here
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        scheduledAt.set(id, at);
        if (lastCompleted !== undefined) {
          if (activity.length === 0) edges += at - lastCompleted;
          else between.push(at - lastCompleted);
        }
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const sid = String(e.activityTaskStartedEventAttributes?.scheduledEventId);
        startedAt.set(sid, at);
        dispatch.push(at - (scheduledAt.get(sid) ?? at));
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const sid = String(e.activityTaskCompletedEventAttributes?.scheduledEventId);
        activity.push(at - (startedAt.get(sid) ?? at));
        lastCompleted = at;
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        wftScheduled = at;
        break;
      case E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        if (wftScheduled !== undefined) wft.push(at - wftScheduled);
        wftScheduled = undefined;
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        if (lastCompleted !== undefined) edges += at - lastCompleted;
        break;
    }
  }
  const wallMs = ms(flat[flat.length - 1]?.eventTime) - ms(flat[0]?.eventTime);
  const orchestration = sum(between) + sum(dispatch) + edges;
  return {
    runs: events.length,
    pages: activity.length,
    events: flat.length,
    maxEventsPerRun: Math.max(...events.map((e) => e.length)),
    wallMs,
    activityMs: {
      total: sum(activity),
      mean: mean(activity),
      p50: percentile(activity, 50),
      p95: percentile(activity, 95),
      max: Math.max(0, ...activity),
    },
    dispatchMs: { total: sum(dispatch), mean: mean(dispatch), max: Math.max(0, ...dispatch) },
    betweenPagesMs: {
      total: sum(between),
      mean: mean(between),
      p95: percentile(between, 95),
      max: Math.max(0, ...between),
    },
    edgesMs: edges,
    workflowTasks: { count: wft.length, totalMs: sum(wft), meanMs: mean(wft) },
    orchestrationShare: wallMs > 0 ? orchestration / wallMs : 0,
  };
}
