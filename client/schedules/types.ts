import type { BulkRevocationJobInput, BulkScheduleOverlap } from '../../api';

/** The timing of a schedule as people write it. */
export interface BulkScheduleSpecText {
  /** Cron expressions (the server stores calendars; these are rendered back from them). */
  cron: string[];
  /** Intervals such as `2s` or `1h` (with `+offset` when there is one). */
  every: string[];
  timezone?: string;
}

/** One run a schedule started. */
export interface BulkScheduleAction {
  /** The slot the run belongs to (for a trigger: when it was triggered). */
  scheduledAt: Date;
  takenAt: Date;
  /** The run's Operation id: `bulk-<scheduleId>-<scheduledAt>`. */
  workflowId: string;
  runId: string;
}

export interface BulkScheduleSummary {
  scheduleId: string;
  jobName?: string;
  spec: BulkScheduleSpecText;
  paused: boolean;
  note?: string;
  nextActionTimes: Date[];
  recentActions: BulkScheduleAction[];
}

export interface BulkScheduleDescription extends BulkScheduleSummary {
  /** The job as given (without `scheduleId`, which each run gets from the schedule). May hold inline secrets. */
  job: BulkRevocationJobInput;
  taskQueue: string;
  overlap: BulkScheduleOverlap;
  catchupWindowMs: number;
  pauseOnFailure: boolean;
  /** Runs still running. */
  running: Array<{ workflowId: string; runId: string }>;
  numActionsTaken: number;
  numActionsSkippedOverlap: number;
  numActionsMissedCatchupWindow: number;
  createdAt: Date;
  updatedAt?: Date;
}
