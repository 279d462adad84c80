import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ms } from './job-profile';
import { round } from './harness';

const E = temporal.api.enums.v1.EventType;

/** Where one short operation's time went, from its history's event times (milliseconds). */
export interface LatencyPhases {
  /** Client start → close, minus the server's start → close: the client's round trips. */
  client: number;
  /** Started → first workflow task completed (dispatch to the worker, the workflow code). */
  firstTask: number;
  /** Activity scheduled → started. */
  activityDispatch: number;
  /** Activity started → completed: the activity body (for revokeTokens, the provider call). */
  activityBody: number;
  /** Activity completed → workflow completed (the closing workflow task). */
  closing: number;
  events: number;
}

export async function latencyPhases(
  client: Client,
  workflowId: string,
  totalMs: number,
): Promise<LatencyPhases> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const at = new Map<number, number>();
  for (const e of history.events ?? []) {
    if (e.eventType !== null && e.eventType !== undefined && !at.has(e.eventType))
      at.set(e.eventType, ms(e.eventTime));
  }
  const t = (type: number) => at.get(type) ?? 0;
  const started = t(E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  const closed = Math.max(
    t(E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED),
    t(E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED),
  );
  return {
    client: round(totalMs - (closed - started), 1),
    firstTask: round(t(E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) - started, 1),
    activityDispatch: round(
      t(E.EVENT_TYPE_ACTIVITY_TASK_STARTED) - t(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
      1,
    ),
    activityBody: round(t(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) - t(E.EVENT_TYPE_ACTIVITY_TASK_STARTED), 1),
    closing: round(closed - t(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED), 1),
    events: history.events?.length ?? 0,
  };
}

/** The mean phases of the slowest `n` runs: what the tail is made of. */
export async function tailProfile(
  client: Client,
  runs: ReadonlyArray<{ id: string; ms: number }>,
  n: number,
): Promise<LatencyPhases> {
  const slowest = [...runs].sort((a, b) => b.ms - a.ms).slice(0, n);
  const phases = await Promise.all(slowest.map((r) => latencyPhases(client, r.id, r.ms)));
  const keys = ['client', 'firstTask', 'activityDispatch', 'activityBody', 'closing', 'events'] as const;
  const out = {} as LatencyPhases;
  for (const k of keys) out[k] = round(phases.reduce((a, p) => a + p[k], 0) / Math.max(1, phases.length), 1);
  return out;
}
