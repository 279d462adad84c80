import { setTimeout as delay } from 'node:timers/promises';
import { requireAdapter, type ConnectionRegistry } from '../../activities/connection-registry';
import type { RevocationRequest } from '../../api';
import { buildConnectionRegistry } from '../../worker/connections';
import type { MixProviders } from './mix-providers';

/** How one operation ended, for Temporal and for the baseline alike. */
export interface BaselineOutcome {
  state: 'revoked' | 'failed' | 'not done';
  /** google.rpc code when known (the baseline does not classify errors). */
  code?: number;
  revokedCount: number;
}

const ATTEMPTS = 3;
const PAUSE_MS = 200;
const CONCURRENCY = 10;

/** One provider call with the same adapters the workers use, and nothing else. */
async function callProvider(
  registry: ConnectionRegistry,
  r: RevocationRequest,
  attempt: number,
): Promise<void> {
  switch (r.provider) {
    case 'yandex-cloud': {
      const a = requireAdapter(registry, 'yandex-cloud', r.connection);
      let op = await a.revoke({ refreshTokenId: r.refreshTokenId as string });
      while (!op.done) {
        await delay(100);
        op = await a.getOperation(op.id);
      }
      if (op.error) throw new Error(`operation failed: ${op.error.code}`);
      return;
    }
    case 'oauth2':
      await requireAdapter(registry, 'oauth2', r.connection).revoke(r.token, r.tokenTypeHint);
      return;
    case 'google-identity-platform': {
      const { provider: _p, connection, ...req } = r;
      await requireAdapter(registry, 'google-identity-platform', connection).revokeToken(req);
      return;
    }
    case 'authlete':
      await requireAdapter(registry, 'authlete', r.connection).revoke(r.serviceId, {
        accessTokenIdentifier: r.accessTokenIdentifier as string,
      });
      return;
    case 'open-payments': {
      const a = requireAdapter(registry, 'open-payments', r.connection);
      if (r.action === 'cancelGrant')
        await a.cancelGrant({ continueUri: r.continueUri, continueToken: r.continueToken }, { attempt });
      else await a.revokeToken({ manageUrl: r.manageUrl, accessToken: r.accessToken }, { attempt });
      return;
    }
  }
}

/**
 * The baseline under the fault mix: a plain loop over the same requests with the same adapters and
 * concurrency, retrying any error up to three times after a short pause (what a script does: no
 * Retry-After, no sorting of permanent from transient errors).
 */
export async function runBaselineMix(
  p: MixProviders,
): Promise<{ outcomes: BaselineOutcome[]; note: string }> {
  const registry = buildConnectionRegistry(p.connections);
  const outcomes: BaselineOutcome[] = [];
  let next = 0;
  let calls = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < p.targets.length) {
        const i = next++;
        const target = p.targets[i];
        if (!target) break;
        let outcome: BaselineOutcome = { state: 'failed', revokedCount: 0 };
        for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
          calls += 1;
          try {
            await callProvider(registry, target.request, attempt);
            outcome = { state: 'revoked', revokedCount: 1 };
            break;
          } catch {
            await delay(PAUSE_MS);
          }
        }
        outcomes[i] = outcome;
      }
    }),
  );
  return { outcomes, note: `plain loop, ${ATTEMPTS} attempts ${PAUSE_MS} ms apart, ${calls} attempts made` };
}
