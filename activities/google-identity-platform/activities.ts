import { Context } from '@temporalio/activity';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import type { GoogleRevokeTokenRequest, GoogleRevokeTokenResult } from './adapter';
import { GoogleIdentityPlatformError, googleIdentityPlatformFailure, type Reached } from './errors';

/** The activity's input; `token` and `idToken` reach history only through the payload codec. */
export interface GoogleIdentityPlatformRevokeInput extends GoogleRevokeTokenRequest {
  connection: string;
}

/** What one attempt's request did, as far as the attempt saw. Kept in the heartbeat details. */
export interface GoogleAttemptRecord {
  attempt: number;
  reached: Reached | 'sent';
  /** The failure's reason (`CONNECTION_LOST`, `TIMEOUT`, `INTERNAL`), when it failed. */
  reason?: string;
}

/**
 * The result, and whether it repeats an earlier attempt of this operation that may have reached
 * Google. Google ignores a repeat after a successful revocation and answers it as it answers a
 * revocation (`{}`), so this is the only duplicate the engine can know of: its own earlier request.
 */
export interface GoogleRevokeTokenActivityResult extends GoogleRevokeTokenResult {
  duplicate?: {
    /** The earliest earlier attempt that may have revoked the token. */
    attempt: number;
    /** What that attempt saw: its failure reason, `SENT` (no outcome recorded) or `UNRECORDED`. */
    evidence: string;
  };
}

const ACTIVITY_TYPE = 'googleIdentityPlatformRevokeToken';

function recordsOf(details: unknown): GoogleAttemptRecord[] {
  const list = (details as { attempts?: unknown } | undefined)?.attempts;
  return Array.isArray(list)
    ? list.filter(
        (r): r is GoogleAttemptRecord =>
          typeof (r as GoogleAttemptRecord)?.attempt === 'number' &&
          ['no', 'maybe', 'sent'].includes((r as GoogleAttemptRecord).reached),
      )
    : [];
}

/** The earliest earlier attempt that may have reached Google; an attempt with no record may have. */
export function earlierDelivery(
  records: readonly GoogleAttemptRecord[],
  attempt: number,
): GoogleRevokeTokenActivityResult['duplicate'] {
  for (let n = 1; n < attempt; n++) {
    const r = records.find((x) => x.attempt === n);
    if (!r) return { attempt: n, evidence: 'UNRECORDED' };
    if (r.reached !== 'no') return { attempt: n, evidence: r.reason ?? 'SENT' };
  }
  return undefined;
}

/**
 * Durable memory of earlier attempts: heartbeat details survive a retry (and a worker's crash), so
 * each attempt records "sent" right before its request leaves and its failure's verdict before it
 * throws. Only when this activity runs as itself: a bulk page calls it in-process and keeps its own
 * heartbeat details.
 */
class AttemptLog {
  private readonly records: GoogleAttemptRecord[];
  constructor(
    private readonly ctx: Context | undefined,
    readonly attempt: number,
  ) {
    this.records = ctx ? recordsOf(ctx.info.heartbeatDetails).filter((r) => r.attempt < attempt) : [];
  }

  static current(): AttemptLog {
    let ctx: Context | undefined;
    try {
      ctx = Context.current();
    } catch {
      ctx = undefined;
    }
    const own = ctx?.info.activityType === ACTIVITY_TYPE ? ctx : undefined;
    return new AttemptLog(own, own?.info.attempt ?? 1);
  }

  note(reached: GoogleAttemptRecord['reached'], reason?: string): void {
    if (!this.ctx) return;
    const mine: GoogleAttemptRecord = { attempt: this.attempt, reached, ...(reason ? { reason } : {}) };
    this.ctx.heartbeat({ attempts: [...this.records, mine] });
  }

  earlier(): GoogleRevokeTokenActivityResult['duplicate'] {
    return this.ctx ? earlierDelivery(this.records, this.attempt) : undefined;
  }
}

export function createGoogleIdentityPlatformActivities(registry: ConnectionRegistry) {
  return {
    /**
     * Identity Toolkit v2 `accounts:revokeToken`, one attempt; failures are classified for the retry
     * policy. A success on a retry says which earlier attempt's request may have revoked the token.
     */
    async googleIdentityPlatformRevokeToken(
      input: GoogleIdentityPlatformRevokeInput,
    ): Promise<GoogleRevokeTokenActivityResult> {
      const { connection, ...req } = input;
      const adapter = requireAdapter(registry, 'google-identity-platform', connection);
      const log = AttemptLog.current();
      try {
        const result = await adapter.revokeToken(req, () => log.note('sent'));
        const duplicate = log.earlier();
        return { ...result, ...(duplicate ? { duplicate } : {}) };
      } catch (err) {
        const reached = err instanceof GoogleIdentityPlatformError ? err.reached : 'maybe';
        log.note(reached, err instanceof GoogleIdentityPlatformError ? err.reason : 'UNKNOWN');
        throw googleIdentityPlatformFailure(err, {
          connection,
          scrub: adapter.scrubber([req.token, req.idToken]),
        });
      }
    },
  };
}
