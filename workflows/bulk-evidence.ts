import { CancellationScope, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Status } from '../api';
import type { BulkJobState } from './bulk-job-state';

/**
 * Patch: the job's pages (and its polls of handed-over targets) write one evidence record per
 * target, the job's end writes a signed checkpoint, and the report names its records. Runs before it
 * wrote none.
 */
export const BULK_EVIDENCE_PATCH = 'bulk-evidence';

const { bulkRecordUnsettled, checkpointEvidence } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** Whether this run records evidence (once per run, at its start). */
export function recordsEvidence(): boolean {
  return patched(BULK_EVIDENCE_PATCH);
}

/**
 * The end of a job that records evidence: the handed-over targets it ends without (a cancel, a
 * source that failed) are recorded FAILED like the report counts them, then a signed checkpoint
 * closes the job's records. Runs even when the job is being cancelled.
 */
export function endJobEvidence(state: BulkJobState, end: { cancelled: boolean; aborted?: Status }) {
  return CancellationScope.nonCancellable(async () => {
    const left = state.carry.pending ?? [];
    if (left.length > 0) {
      const written = await bulkRecordUnsettled.executeWithOptions(
        { summary: `evidence of ${left.length} unsettled target${left.length === 1 ? '' : 's'}` },
        [
          {
            evidence: state.evidenceContext(),
            pending: left,
            errorCode: end.cancelled ? 'CANCELLED' : 'ABORTED',
          },
        ],
      );
      state.evidenceWritten(written);
    }
    const { recorded } = await checkpointEvidence.executeWithOptions(
      { summary: 'evidence checkpoint at the end of the job' },
      [{ reason: `end of bulk job ${state.evidenceContext().operationId}` }],
    );
    state.evidenceChecked(recorded);
  });
}
