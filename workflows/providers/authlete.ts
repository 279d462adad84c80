import { proxyActivities } from '@temporalio/workflow';
import type { Activities, AuthleteRevokeInput, AuthleteRevokeResult } from '../../activities';
import { authleteSelector, type AuthleteRequest } from '../../api';
import { callSummary, type ProviderContext, type ProviderResult } from './types';

/** The response fields of a call that found its token gone after an earlier attempt may have removed it. */
function goneOnRetry(res: {
  notFoundOnRetry?: true;
  mayHaveRevokedOnAttempt?: number;
  note?: string;
}): Record<string, unknown> {
  if (!res.notFoundOnRetry) return {};
  return {
    notFoundOnRetry: true,
    ...(res.mayHaveRevokedOnAttempt !== undefined
      ? { mayHaveRevokedOnAttempt: res.mayHaveRevokedOnAttempt }
      : {}),
    ...(res.note !== undefined ? { note: res.note } : {}),
  };
}

function revokeInput(r: AuthleteRequest): AuthleteRevokeInput {
  return {
    connection: r.connection,
    serviceId: r.serviceId,
    ...(r.accessTokenIdentifier !== undefined ? { accessTokenIdentifier: r.accessTokenIdentifier } : {}),
    ...(r.refreshTokenIdentifier !== undefined ? { refreshTokenIdentifier: r.refreshTokenIdentifier } : {}),
    ...(r.clientIdentifier !== undefined ? { clientIdentifier: r.clientIdentifier } : {}),
    ...(r.subject !== undefined ? { subject: r.subject } : {}),
  };
}

/**
 * `revoke`: one call for a token identifier. The bulk modes (client and/or subject) revoke at most
 * `token.revoke.count.max` tokens per call (20 by default, authlete-java-common TokenRevokeRequest),
 * leaving the rest, so they repeat the call until it revokes nothing; each call is its own activity,
 * so a crash mid-way resumes after the last completed one. `delete`: one DELETE, 204.
 */
export async function revokeAtAuthlete(r: AuthleteRequest, ctx: ProviderContext): Promise<ProviderResult> {
  const { state, timing } = ctx;
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: timing.retryInitialMs, backoffCoefficient: 2, maximumInterval: '30s' },
  });
  const common = {
    provider: 'authlete',
    connection: r.connection,
    serviceId: r.serviceId,
    action: r.action,
    ...(r.subject !== undefined ? { subjectId: r.subject } : {}),
  };
  const summary = (call: string) => callSummary('authlete', call, `${r.connection}, service ${r.serviceId}`);
  state.phase('REVOKING');

  if (r.action === 'delete') {
    const res = await acts.authleteDelete.executeWithOptions(
      { summary: summary('DELETE /auth/token/delete/{accessTokenIdentifier}') },
      [
        {
          connection: r.connection,
          serviceId: r.serviceId,
          accessTokenIdentifier: r.accessTokenIdentifier ?? '',
        },
      ],
    );
    state.callSucceeded({ deleted: res.deleted });
    return {
      ...common,
      revokedCount: res.deleted ? 1 : 0,
      deleted: res.deleted,
      ...goneOnRetry(res),
    };
  }

  const selector = authleteSelector(r);
  const bulk = selector !== 'accessToken' && selector !== 'refreshToken';
  const input = revokeInput(r);
  let first: AuthleteRevokeResult | undefined;
  let count = 0;
  let calls = 0;
  for (;;) {
    const res = await acts.authleteRevoke.executeWithOptions(
      { summary: summary(`POST /auth/token/revoke${bulk ? ` #${calls + 1}` : ''}`) },
      [input],
    );
    calls += 1;
    count += res.count;
    first ??= res;
    state.callSucceeded({ revokeCalls: calls, count });
    if (!bulk || res.count === 0) break;
  }
  return {
    ...common,
    revokedCount: count,
    selector,
    count,
    resultCode: first.resultCode,
    resultMessage: first.resultMessage,
    revokeCalls: calls,
    ...goneOnRetry(first),
  };
}
