/**
 * Bulk revocation schedules: create, read, change and run Temporal schedules whose action starts a
 * `bulkRevocation` job. Their inputs are validated by the zod schemas in api/schedule.ts.
 */
export {
  bulkScheduleOverlaps,
  formatDuration,
  timeZoneProblem,
  type BackfillOptions,
  type BulkScheduleOverlap,
  type BulkScheduleSpecInput,
  type CreateBulkScheduleOptions,
  type UpdateBulkScheduleOptions,
} from '../../api';
export { checkBackfillOptions, checkBulkScheduleChanges, checkBulkScheduleOptions } from './checks';
export { BulkScheduleAlreadyExistsError, BulkScheduleNotFoundError } from './errors';
export {
  backfillBulkSchedule,
  createBulkSchedule,
  deleteBulkSchedule,
  describeBulkSchedule,
  listBulkSchedules,
  pauseBulkSchedule,
  triggerBulkSchedule,
  unpauseBulkSchedule,
  updateBulkSchedule,
} from './lifecycle';
export { calendarToCron, specText } from './spec-text';
export type {
  BulkScheduleAction,
  BulkScheduleDescription,
  BulkScheduleSpecText,
  BulkScheduleSummary,
} from './types';
