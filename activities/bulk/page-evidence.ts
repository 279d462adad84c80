import {
  bulkTargetKey,
  InvalidArgumentError,
  parseRevocationRequest,
  type BulkRevocationJob,
  type EvidenceRecord,
  type EvidenceSink,
} from '../../api';
import {
  bulkRecord,
  bulkRecordId,
  invalidFields,
  requestFields,
  type BulkEvidenceContext,
  type SettledTarget,
  type TargetFields,
} from './evidence';
import type { SourceEntry, SourcePage } from './sources';

/**
 * The position a target's record key names (`target/<position>`): its place in the source, except
 * in an Authlete listing, whose offsets repeat from page to page (revoked tokens leave the list), so
 * there it is the job's running count of targets.
 */
export function keyPositionOf(
  job: BulkRevocationJob,
  page: SourcePage,
  index: number,
  ordinalBase: number,
): number {
  if (job.source.kind === 'authlete-list') return ordinalBase + index;
  return page.entries[index]?.position ?? ordinalBase + index;
}

/** The record fields of a source entry (never the entry itself: it may hold a token). */
export function entryFields(entry: SourceEntry): TargetFields {
  if ('unreadable' in entry) return invalidFields(undefined, entry.position);
  try {
    return requestFields(parseRevocationRequest(entry.request));
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    return invalidFields(entry.request, entry.position);
  }
}

/**
 * The records an earlier attempt of this page wrote, by page index. A page appends all its records
 * in one transaction at its end, so after a crash either none or all of the targets it had settled
 * are there; a retried page takes their outcomes instead of revoking those targets again.
 */
export async function findRecorded(
  sink: EvidenceSink,
  ctx: BulkEvidenceContext,
  page: SourcePage,
  keyOf: (index: number) => number | undefined,
): Promise<Map<number, EvidenceRecord>> {
  const indexOfKey = new Map<string, number>();
  page.entries.forEach((_, i) => {
    const key = keyOf(i);
    if (key !== undefined) indexOfKey.set(bulkTargetKey(key), i);
  });
  const ids = [...indexOfKey.keys()].map((k) => `${ctx.operationId}/${k}`);
  const found = new Map<number, EvidenceRecord>();
  if (ids.length === 0) return found;
  for (const r of await sink.find(ids)) {
    const i = indexOfKey.get(r.targetKey);
    if (i !== undefined && r.operationId === ctx.operationId) found.set(i, r);
  }
  return found;
}

/** The records of a page's settled targets (the key position is each one's `position`). */
export function pageRecords(
  ctx: BulkEvidenceContext,
  page: SourcePage,
  keyOf: (index: number) => number | undefined,
  settled: readonly SettledTarget[],
): EvidenceRecord[] {
  const entryOfKey = new Map<number, SourceEntry>();
  page.entries.forEach((e, i) => entryOfKey.set(keyOf(i) ?? e.position, e));
  return settled.map((t) => {
    const entry = entryOfKey.get(t.position);
    const fields = entry ? entryFields(entry) : invalidFields(undefined, t.position);
    return bulkRecord(ctx, fields, t);
  });
}

export { bulkRecordId };
