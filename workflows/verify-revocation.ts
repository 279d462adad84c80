import { sleep } from '@temporalio/workflow';
import {
  Code,
  MAX_REVOKES_WHILE_STILL_ACTIVE,
  STILL_ACTIVE_REASON,
  TypeUrl,
  type RevocationRequest,
  type Status,
  type Verification,
} from '../api';
import { ProviderOperationFailed } from './failures';
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
    const verification = await verifyAtProvider(request, result, ctx);
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
