import type { EvidenceRecord, EvidenceReference, EvidenceSink } from '../../api';

export interface RecordEvidenceInput {
  records: EvidenceRecord[];
}

/**
 * The evidence activities over the worker's ledger (worker/ledger.ts builds it; none when the worker
 * runs with LEDGER=off). Writes are idempotent by record id, so a retried activity or a replayed
 * workflow never duplicates a record.
 */
export function createEvidenceActivities(sink: EvidenceSink | undefined) {
  return {
    async recordEvidence(input: RecordEvidenceInput): Promise<EvidenceReference> {
      if (!sink) return { recorded: false };
      await sink.append(input.records);
      return { recorded: true, recordIds: input.records.map((r) => r.recordId) };
    },
    /** A signed checkpoint of every chain's head (the end of a job calls it); says whether a ledger is on. */
    async checkpointEvidence(input: { reason: string }): Promise<{ recorded: boolean }> {
      if (!sink) return { recorded: false };
      await sink.checkpoint(input.reason);
      return { recorded: true };
    },
  };
}
