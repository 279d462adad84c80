import type {
  ScheduleExecutionResult,
  ScheduleOptionsStartWorkflowAction,
  ScheduleSpec,
  ScheduleSummary,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import {
  bulkScheduleNote,
  bulkScheduleOverlap,
  parseOrThrow,
  SearchAttributes,
  WorkflowTypes,
  type BackfillOptions,
  type BulkRevocationJobInput,
  type BulkScheduleOverlap,
  type CreateBulkScheduleOptions,
  type UpdateBulkScheduleOptions,
} from '../../api';
import type { RevocationClient } from '../revocation-client';
import { checkBackfillOptions, checkBulkScheduleChanges, checkBulkScheduleOptions } from './checks';
import { specText } from './spec-text';
import { bulkHandle, jobWithoutScheduleId, mapped, startAction } from './temporal';
import type { BulkScheduleAction, BulkScheduleDescription, BulkScheduleSummary } from './types';

/**
 * Creates a schedule whose action starts a `bulkRevocation` job; returns it as described.
 * Thrown: InvalidArgumentError (see `checkBulkScheduleOptions`) before anything is sent;
 * BulkScheduleAlreadyExistsError when the id is taken.
 */
export async function createBulkSchedule(
  client: RevocationClient,
  options: CreateBulkScheduleOptions,
): Promise<BulkScheduleDescription> {
  const { scheduleId, job, spec, overlap, catchupWindow, paused, note, pauseOnFailure } =
    checkBulkScheduleOptions(options);
  await mapped(
    scheduleId,
    () =>
      client.temporal.schedule.create({
        scheduleId,
        spec,
        // The job as given, not as parsed: defaults are applied by each run, like `bulk start`.
        action: startAction(client, scheduleId, options.job, job),
        policies: {
          overlap,
          ...(catchupWindow !== undefined ? { catchupWindow } : {}),
          pauseOnFailure,
        },
        // Schedules are searchable by job name too (Web UI Schedules page, `schedule list`).
        typedSearchAttributes: [{ key: SearchAttributes.jobName, value: job.name }],
        state: { paused, ...(note !== undefined ? { note } : {}) },
      }),
    options.spec,
  );
  return describeBulkSchedule(client, scheduleId);
}

/**
 * Schedules whose action is a bulk revocation job. From the visibility store, so eventually
 * consistent: a schedule created a moment ago may be missing for a second or two.
 */
export async function listBulkSchedules(client: RevocationClient): Promise<BulkScheduleSummary[]> {
  const out: BulkScheduleSummary[] = [];
  for await (const s of client.temporal.schedule.list()) {
    if (s.action?.workflowType !== WorkflowTypes.bulkRevocation) continue;
    out.push(summaryOf(s));
  }
  return out.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
}

function summaryOf(s: ScheduleSummary): BulkScheduleSummary {
  const jobName = s.typedSearchAttributes?.get(SearchAttributes.jobName);
  return {
    scheduleId: s.scheduleId,
    ...(jobName ? { jobName } : {}),
    spec: specText(s.spec),
    paused: s.state.paused,
    ...(s.state.note ? { note: s.state.note } : {}),
    nextActionTimes: s.info.nextActionTimes,
    recentActions: s.info.recentActions.map(actionOf),
  };
}

function actionOf(a: ScheduleExecutionResult): BulkScheduleAction {
  return {
    scheduledAt: a.scheduledAt,
    takenAt: a.takenAt,
    workflowId: a.action.workflow.workflowId,
    runId: a.action.workflow.firstExecutionRunId,
  };
}

/**
 * The schedule as it is now (strongly consistent): timing, policies, paused/note, next action
 * times, recent runs with their workflow ids, runs still running, and counters.
 * Thrown: BulkScheduleNotFoundError.
 */
export async function describeBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
): Promise<BulkScheduleDescription> {
  const { description: d } = await bulkHandle(client, scheduleId);
  const stored = (d.action.args?.[0] ?? {}) as BulkRevocationJobInput;
  // The job itself is current at once; the search attribute follows an update a moment later.
  const jobName = stored.name ?? d.typedSearchAttributes.get(SearchAttributes.jobName);
  return {
    scheduleId,
    ...(jobName ? { jobName } : {}),
    job: jobWithoutScheduleId(stored),
    taskQueue: d.action.taskQueue,
    spec: specText(d.spec),
    overlap: d.policies.overlap ?? 'SKIP',
    catchupWindowMs: d.policies.catchupWindow,
    pauseOnFailure: d.policies.pauseOnFailure,
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    nextActionTimes: d.info.nextActionTimes,
    recentActions: d.info.recentActions.map(actionOf),
    running: d.info.runningActions.map((a) => ({
      workflowId: a.workflow.workflowId,
      runId: a.workflow.firstExecutionRunId,
    })),
    numActionsTaken: d.info.numActionsTaken,
    numActionsSkippedOverlap: d.info.numActionsSkippedOverlap,
    numActionsMissedCatchupWindow: d.info.numActionsMissedCatchupWindow,
    createdAt: d.info.createdAt,
    ...(d.info.lastUpdatedAt ? { updatedAt: d.info.lastUpdatedAt } : {}),
  };
}

/**
 * Changes the job, timing or policies of future runs; running ones are not touched.
 * Thrown: InvalidArgumentError (nothing sent), BulkScheduleNotFoundError.
 */
export async function updateBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  changes: UpdateBulkScheduleOptions,
): Promise<BulkScheduleDescription> {
  const {
    job,
    spec: timing,
    overlap,
    catchupWindow,
    pauseOnFailure,
  } = checkBulkScheduleChanges(scheduleId, changes);
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(
    scheduleId,
    () =>
      handle.update((prev) => {
        const spec: ScheduleSpec = { ...prev.spec };
        if (timing?.cronExpressions) {
          spec.cronExpressions = timing.cronExpressions;
          spec.calendars = [];
          spec.intervals = [];
        } else if (timing?.intervals) {
          spec.intervals = timing.intervals;
          spec.calendars = [];
          delete spec.cronExpressions;
        }
        if (timing?.timezone !== undefined) spec.timezone = timing.timezone;
        return {
          ...prev,
          spec,
          action:
            job && changes.job
              ? startAction(client, scheduleId, changes.job, job)
              : (prev.action as ScheduleOptionsStartWorkflowAction<Workflow>),
          policies: {
            ...prev.policies,
            ...(overlap !== undefined ? { overlap } : {}),
            ...(catchupWindow !== undefined ? { catchupWindow } : {}),
            ...(pauseOnFailure !== undefined ? { pauseOnFailure } : {}),
          },
          typedSearchAttributes: job
            ? [{ key: SearchAttributes.jobName, value: job.name }]
            : prev.typedSearchAttributes,
        };
      }),
    changes.spec,
  );
  return describeBulkSchedule(client, scheduleId);
}

/** Stops new runs (running ones continue); trigger and backfill still work while paused. */
export async function pauseBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  note?: string,
): Promise<void> {
  parseOrThrow(bulkScheduleNote.optional(), note, 'note');
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(scheduleId, () => handle.pause(note ?? 'paused'));
}

export async function unpauseBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  note?: string,
): Promise<void> {
  parseOrThrow(bulkScheduleNote.optional(), note, 'note');
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(scheduleId, () => handle.unpause(note ?? 'unpaused'));
}

/**
 * Runs the job now. The overlap policy defaults to the schedule's own (SKIP unless set), unlike the
 * SDK's `trigger()`, which defaults to ALLOW_ALL. Returns the policy used.
 */
export async function triggerBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  overlap?: BulkScheduleOverlap,
): Promise<BulkScheduleOverlap> {
  parseOrThrow(bulkScheduleOverlap.optional(), overlap, 'overlap');
  const { handle, description } = await bulkHandle(client, scheduleId);
  const policy = overlap ?? description.policies.overlap ?? 'SKIP';
  await mapped(scheduleId, () => handle.trigger(policy));
  return policy;
}

/**
 * Runs the slots the schedule's spec has between `start` and `end` (both inclusive) as if they had
 * happened, e.g. after an outage; works while paused, and the catch-up window does not apply.
 */
export async function backfillBulkSchedule(
  client: RevocationClient,
  scheduleId: string,
  options: BackfillOptions,
): Promise<void> {
  const { start, end, overlap } = checkBackfillOptions(options);
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(scheduleId, () => handle.backfill({ start, end, overlap }));
}

/** Deletes the schedule; runs it started keep running and stay listed. Thrown: BulkScheduleNotFoundError. */
export async function deleteBulkSchedule(client: RevocationClient, scheduleId: string): Promise<void> {
  const { handle } = await bulkHandle(client, scheduleId);
  await mapped(scheduleId, () => handle.delete());
}
