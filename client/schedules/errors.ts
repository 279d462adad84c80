/** Thrown by `createBulkSchedule` when a schedule with the id exists (google.rpc ALREADY_EXISTS). */
export class BulkScheduleAlreadyExistsError extends Error {
  override readonly name = 'BulkScheduleAlreadyExistsError';
  readonly code = 6;
  constructor(
    readonly scheduleId: string,
    options?: { cause: unknown },
  ) {
    super(`scheduleId: a schedule ${scheduleId} already exists; choose another id, or update it`, options);
  }
}

/** Thrown when no schedule has the id, or the schedule with it does not run bulk revocation jobs. */
export class BulkScheduleNotFoundError extends Error {
  override readonly name = 'BulkScheduleNotFoundError';
  readonly code = 5;
  constructor(
    readonly scheduleId: string,
    reason = 'not found',
    options?: { cause: unknown },
  ) {
    super(`schedule ${scheduleId} ${reason}`, options);
  }
}
