import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { SearchAttributePair, Workflow } from '@temporalio/common';
import {
  BULK_ID_PREFIX,
  bulkScheduleId,
  defaultJobDescription,
  describeBulkSource,
  InvalidArgumentError,
  parseOrThrow,
  SearchAttributes,
  WorkflowTypes,
  type BulkRevocationJob,
  type BulkRevocationJobInput,
  type BulkScheduleSpecInput,
} from '../../api';
import { bulkJobDetails, bulkJobSummary } from '../../api/operation-summary';
import type { RevocationClient } from '../revocation-client';
import { BulkScheduleAlreadyExistsError, BulkScheduleNotFoundError } from './errors';

/** Strips a caller's `scheduleId`: the schedule sets it, so every run's Operation names it. */
export function jobWithoutScheduleId(job: BulkRevocationJobInput): BulkRevocationJobInput {
  const { scheduleId: _ignored, ...rest } = job;
  return rest;
}

function jobAttributes(job: BulkRevocationJob): SearchAttributePair[] {
  return [
    { key: SearchAttributes.jobName, value: job.name },
    ...(job.createdBy ? [{ key: SearchAttributes.createdBy, value: job.createdBy }] : []),
  ];
}

/**
 * The action: start `bulkRevocation` with the job and the schedule id in its input, so the run's
 * Operation names its schedule (metadata.scheduleId). The server appends the action time to the
 * workflow id, so runs are `bulk-<scheduleId>-2026-01-01T03:00:00Z`.
 */
export function startAction(
  client: RevocationClient,
  scheduleId: string,
  input: BulkRevocationJobInput,
  job: BulkRevocationJob,
): ScheduleOptionsStartWorkflowAction<Workflow> {
  const source = describeBulkSource(job);
  // The same text the workflow uses for a job without a description, so the Web UI and `get` agree.
  const description = job.description || defaultJobDescription(job);
  // Every run records who made the schedule: the job's createdBy, else this client's (its identity).
  const createdBy = job.createdBy ?? client.createdBy;
  const listing =
    job.source.kind === 'yandex-list'
      ? { provider: 'yandex-cloud', connection: job.source.connection }
      : job.source.kind === 'authlete-list'
        ? { provider: 'authlete', connection: job.source.connection }
        : { provider: 'bulk', connection: '-' };
  return {
    type: 'startWorkflow',
    workflowType: WorkflowTypes.bulkRevocation,
    taskQueue: client.taskQueue,
    workflowId: `${BULK_ID_PREFIX}${scheduleId}`,
    args: [{ ...jobWithoutScheduleId(input), scheduleId, createdBy } satisfies BulkRevocationJobInput],
    // The memo `bulk status`/`get` fall back on when no worker answers (client/bulk-jobs.ts shape); no secrets.
    memo: {
      description,
      createdBy,
      ...listing,
      target: source,
      name: job.name,
      source,
      dryRun: job.dryRun,
      concurrency: job.concurrency,
      ...(job.ratePerSecond !== undefined ? { ratePerSecond: job.ratePerSecond } : {}),
      scheduleId,
    },
    typedSearchAttributes: jobAttributes({ ...job, createdBy }),
    staticSummary: bulkJobSummary({ job, scheduleId }),
    staticDetails: bulkJobDetails({ job, scheduleId }),
  };
}

/** Temporal's schedule errors as ours; a spec the server rejects names the spec field. */
function mapScheduleError(err: unknown, scheduleId: string, spec?: BulkScheduleSpecInput): unknown {
  if (err instanceof ScheduleAlreadyRunning)
    return new BulkScheduleAlreadyExistsError(scheduleId, { cause: err });
  if (err instanceof ScheduleNotFoundError)
    return new BulkScheduleNotFoundError(scheduleId, 'not found', { cause: err });
  // The SDK turns the server's "Invalid schedule spec: ..." into a TypeError with the reason.
  if (err instanceof TypeError && spec) {
    const field = /time ?zone/i.test(err.message)
      ? 'spec.timezone'
      : spec.cron !== undefined
        ? 'spec.cron'
        : spec.every !== undefined
          ? /offset/i.test(err.message)
            ? 'spec.offset'
            : 'spec.every'
          : 'spec';
    return new InvalidArgumentError([{ field, description: `rejected by Temporal: ${err.message}` }]);
  }
  return err;
}

/** Runs `fn`, turning Temporal's schedule errors into ours (see mapScheduleError). */
export async function mapped<T>(
  scheduleId: string,
  fn: () => Promise<T>,
  spec?: BulkScheduleSpecInput,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapScheduleError(err, scheduleId, spec);
  }
}

/** A handle on a schedule that exists and runs bulk revocation jobs, with its description. */
export async function bulkHandle(
  client: RevocationClient,
  scheduleId: string,
): Promise<{ handle: ScheduleHandle; description: ScheduleDescription }> {
  parseOrThrow(bulkScheduleId, scheduleId, 'scheduleId');
  const handle = client.temporal.schedule.getHandle(scheduleId);
  const description = await mapped(scheduleId, () => handle.describe());
  if (description.action.workflowType !== WorkflowTypes.bulkRevocation) {
    throw new BulkScheduleNotFoundError(scheduleId, 'is not a bulk revocation schedule');
  }
  return { handle, description };
}
