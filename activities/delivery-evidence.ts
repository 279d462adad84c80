import { Context } from '@temporalio/activity';

/**
 * What one failed attempt of a provider call tells about its effect. `mayHaveTakenEffect` is false
 * only when the request provably never reached the provider (no connection: refused, DNS, TLS) or
 * the provider refused it before handling it (429, 503, RESOURCE_EXHAUSTED); a timeout, a reset
 * after the request was written, a lost reply or any other failure may have taken effect.
 */
export interface AttemptRecord {
  attempt: number;
  mayHaveTakenEffect: boolean;
  /** Why, in fixed words (never the provider's or transport's text: that may quote a secret). */
  reason: string;
}

/** What a provider's classifier says about one failure; the log adds the attempt number. */
export type DeliveryEvidence = Omit<AttemptRecord, 'attempt'>;

/** The heartbeat details a provider activity keeps across its attempts. */
interface AttemptLogDetails {
  deliveryLog: AttemptRecord[];
}

function isRecord(v: unknown): v is AttemptRecord {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.attempt === 'number' && typeof r.mayHaveTakenEffect === 'boolean' && typeof r.reason === 'string'
  );
}

/**
 * The attempts of one provider call so far: which failed and whether each may have taken effect.
 * A NOT_FOUND answer means "gone after our own earlier call" only when `mayHaveTakenEffect()` names
 * an earlier attempt; an attempt without a record (its activity timed out, its worker died) counts
 * as one that may have, since nothing shows that it did not.
 */
export class AttemptLog {
  private readonly records: AttemptRecord[];

  constructor(
    /** The attempt now running (1-based). */
    private current: number,
    records: readonly AttemptRecord[] = [],
    private readonly persist?: (records: AttemptRecord[]) => void,
  ) {
    this.records = records.filter((r) => r.attempt < current);
  }

  get attempt(): number {
    return this.current;
  }

  /** The first earlier attempt that may have taken effect, with why; undefined when none may have. */
  mayHaveTakenEffect(): AttemptRecord | undefined {
    for (let attempt = 1; attempt < this.current; attempt++) {
      const record = this.records.find((r) => r.attempt === attempt);
      if (!record) {
        return {
          attempt,
          mayHaveTakenEffect: true,
          reason: 'no record of how it ended (it timed out or its worker stopped)',
        };
      }
      if (record.mayHaveTakenEffect) return record;
    }
    return undefined;
  }

  /** Records the current attempt's failure (durably, for an activity's log). */
  failed(evidence: DeliveryEvidence): void {
    this.records.push({ attempt: this.current, ...evidence });
    this.persist?.([...this.records]);
  }

  /** Moves to the next attempt of an in-process retry. */
  next(): void {
    this.current += 1;
  }

  /** A copy of what is known, e.g. for a bulk page's checkpoint. */
  toJSON(): AttemptRecord[] {
    return [...this.records];
  }
}

/**
 * The log of the provider activity now running, read from its heartbeat details: a failed attempt
 * records itself with a heartbeat, which the SDK flushes with the failure and Temporal hands to the
 * next attempt (`activityInfo().heartbeatDetails`). Outside an activity: attempt 1, not persisted.
 */
export function activityAttemptLog(): AttemptLog {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return new AttemptLog(1);
  }
  const details = ctx.info.heartbeatDetails as Partial<AttemptLogDetails> | undefined;
  const records = Array.isArray(details?.deliveryLog) ? details.deliveryLog.filter(isRecord) : [];
  return new AttemptLog(ctx.info.attempt, records, (deliveryLog) =>
    ctx.heartbeat({ deliveryLog } satisfies AttemptLogDetails),
  );
}

/** The note an Operation carries when a NOT_FOUND is read as "an earlier attempt revoked it". */
export function goneOnRetryNote(now: number, earlier: AttemptRecord): string {
  return `the token was gone on attempt ${now}; attempt ${earlier.attempt} may have revoked it (${earlier.reason})`;
}
