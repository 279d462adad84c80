import {
  parseBackfillOptions,
  parseBulkScheduleChanges,
  parseCreateBulkSchedule,
  type BackfillOptions,
  type CheckedBackfillOptions,
  type CheckedBulkSchedule,
  type CheckedBulkScheduleChanges,
  type CreateBulkScheduleOptions,
  type UpdateBulkScheduleOptions,
} from '../../api';

// The schemas live in api/schedule.ts; these names are what the CLI calls before it connects.

/**
 * Validates create options without any network call (the CLI runs it before connecting).
 * Thrown: InvalidArgumentError naming each bad field (`scheduleId`, `spec.every`, `job.source.path`, ...).
 */
export function checkBulkScheduleOptions(options: CreateBulkScheduleOptions): CheckedBulkSchedule {
  return parseCreateBulkSchedule(options);
}

/** Validates update changes without any network call. Thrown: InvalidArgumentError naming each bad field. */
export function checkBulkScheduleChanges(
  scheduleId: string,
  changes: UpdateBulkScheduleOptions,
): CheckedBulkScheduleChanges {
  return parseBulkScheduleChanges(scheduleId, changes);
}

/** Validates backfill options without any network call. Thrown: InvalidArgumentError naming `start`, `end`, `overlap`. */
export function checkBackfillOptions(options: BackfillOptions): CheckedBackfillOptions {
  return parseBackfillOptions(options);
}
