import { ActivityFailure, isCancellation, sleep } from '@temporalio/workflow';
import {
  Code,
  codeName,
  MAX_REVOKES_WHILE_STILL_ACTIVE,
  STILL_ACTIVE_REASON,
  TypeUrl,
  type RevocationRequest,
  type Status,
  type Verification,
} from '../api';
import { ProviderOperationFailed, statusOf } from './failures';
import { revokeAtProvider, verifyAtProvider, type ProviderContext, type ProviderResult } from './providers';

/** The ErrorInfo domain of the engine's own reasons. */
const DOMAIN = 'tokenrevocation.v1';

/**
 * The Status of an operation whose provider acknowledged every revoke but still accepts the token.
 * INTERNAL (docs/contract.md, "STILL_ACTIVE"): the provider broke its own invariant; the caller did
 * nothing wrong (not INVALID_ARGUMENT / FAILED_PRECONDITION) and a blind retry is not the answer
 * (not UNAVAILABLE): the token may still work, which is an incident to escalate.
 */
export function stillActiveStatus(request: RevocationRequest, v: Verification, revokes: number): Status {
  return {
    code: Code.INTERNAL,
    message: `the provider acknowledged ${revokes} revokes but ${v.method} still reports the token active: ${v.detail}`,
    details: [
      {
        '@type': TypeUrl.errorInfo,
        reason: STILL_ACTIVE_REASON,
        domain: DOMAIN,
        metadata: {
          provider: request.provider,
          connection: request.connection,
          method: v.method,
          revokes: String(revokes),
          checkedAt: v.checkedAt,
        },
      },
    ],
  };
}

/**
 * The provider's verify step, where a check that failed for good (the client may not introspect: 401,
 * 403; retries exhausted) is UNVERIFIABLE with the reason: the revoke was acknowledged, and a failed
 * check is not evidence that the token still works, nor that it is dead.
 */
async function verifyOnce(
  request: RevocationRequest,
  result: ProviderResult,
  ctx: ProviderContext,
): Promise<Verification> {
  try {
    return await verifyAtProvider(request, result, ctx);
  } catch (err) {
    if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
    const status = statusOf(err);
    return {
      state: 'UNVERIFIABLE',
      method: 'provider check',
      checkedAt: new Date().toISOString(),
      detail: `the check failed for good, so nothing is known: ${codeName(status.code)}: ${status.message}`,
    };
  }
}

/**
 * Revokes, then asks the provider whether the token still works. STILL_ACTIVE revokes again (after
 * a backoff that gives a lagging provider time) up to MAX_REVOKES_WHILE_STILL_ACTIVE revokes in all,
 * then fails with stillActiveStatus: never a success while the token works.
 */
export async function revokeAndVerify(
  request: RevocationRequest,
  ctx: ProviderContext,
): Promise<ProviderResult & { verification: Verification }> {
  let result = await revokeAtProvider(request, ctx);
  for (let revokes = 1; ; revokes++) {
    ctx.state.phase('VERIFYING');
    const verification = await verifyOnce(request, result, ctx);
    ctx.state.update({ verification: verification.state, verificationDetail: verification.detail });
    if (verification.state !== 'STILL_ACTIVE') return { ...result, verification };
    if (revokes >= MAX_REVOKES_WHILE_STILL_ACTIVE) {
      throw new ProviderOperationFailed(stillActiveStatus(request, verification, revokes));
    }
    ctx.state.update({ revokesWhileStillActive: revokes });
    await sleep(ctx.timing.retryInitialMs * 2 ** (revokes - 1), {
      summary: `token still active after revoke ${revokes}: revoking again`,
    });
    result = await revokeAtProvider(request, ctx);
  }
}
