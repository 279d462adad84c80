/**
 * How a bulk page activity shows it is alive, in one place because two layers depend on it: the
 * workflow sets the page's heartbeat timeout, the activity heartbeats well inside it. The numbers
 * are quoted in docs/bulk-jobs.md ("Heartbeats"), and test/bulk-page-heartbeat.test.ts fails when
 * the docs and these constants disagree.
 */

/**
 * The page activity's `heartbeatTimeout`: a page whose worker died is retried, on any worker, this
 * long after its last heartbeat reached the server. Short, so a crash costs seconds of a job; the
 * Temporal SDK forwards at most one heartbeat per 0.8 x this (8 s), still inside it.
 */
export const BULK_PAGE_HEARTBEAT_TIMEOUT_MS = 10_000;

/**
 * A page heartbeats its checkpoint when a target finishes, but at most this often: encoding one
 * checkpoint per target (copy, JSON, AES-GCM, native call) cost a quarter of a page's CPU, and the
 * SDK would drop all but one per 8 s anyway.
 */
export const BULK_PAGE_CHECKPOINT_MIN_INTERVAL_MS = 1_000;

/**
 * A page also heartbeats on this clock whatever its targets do, so one slow target (a long
 * Retry-After) never looks like a dead worker: at most half the timeout, two beats per timeout.
 */
export const BULK_PAGE_HEARTBEAT_CLOCK_MS = 5_000;
