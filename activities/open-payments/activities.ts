import { VERIFY_OFF_DETAIL } from '../../api/verification';
import { Context, log } from '@temporalio/activity';
import { fingerprint, type Verification } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import type { GnapDeleteResult, GnapIntrospectResult, OpenPaymentsAdapter } from './adapter';
import { openPaymentsFailure } from './errors';

export type { GnapIntrospectResult } from './adapter';

/** The method every Open Payments verification by introspection names. */
export const OPEN_PAYMENTS_VERIFY_METHOD = 'GNAP token introspection (RFC 9767)';

export interface OpenPaymentsIntrospectInput {
  connection: string;
  /** The revoked access token; activity payloads are encrypted by the worker's codec. */
  accessToken: string;
}

/** What `openPaymentsIntrospectToken` reports: the verification, and where it asked (no secrets). */
export interface OpenPaymentsIntrospectOutcome {
  verification: Verification;
  introspectionEndpoint?: string;
}

/** The Verification for what the adapter found; checkedAt is when the answer arrived. */
export function openPaymentsVerification(
  result: GnapIntrospectResult,
  checkedAt: Date,
): OpenPaymentsIntrospectOutcome {
  const at = checkedAt.toISOString();
  if ('skipped' in result) {
    const detail =
      result.skipped === 'verify-off'
        ? VERIFY_OFF_DETAIL
        : 'no introspection endpoint configured (set introspectionEndpoint on the connection to verify)';
    return { verification: { state: 'UNVERIFIABLE', method: 'none', checkedAt: at, detail } };
  }
  return {
    introspectionEndpoint: result.introspectionEndpoint,
    verification: {
      state: result.active ? 'STILL_ACTIVE' : 'VERIFIED',
      method: OPEN_PAYMENTS_VERIFY_METHOD,
      checkedAt: at,
      detail: result.active
        ? `active: true${result.grant !== undefined ? ` (grant ${result.grant})` : ''}`
        : 'active: false',
    },
  };
}

export interface OpenPaymentsRevokeTokenInput {
  connection: string;
  manageUrl: string;
  accessToken: string;
}

export interface OpenPaymentsCancelGrantInput {
  connection: string;
  continueUri: string;
  continueToken: string;
}

/** What one successful DELETE reports; no secrets (it lands in history). */
export interface OpenPaymentsDeleteOutcome extends GnapDeleteResult {
  /** The Temporal attempt that ended the call. */
  attempt: number;
}

export function createOpenPaymentsActivities(registry: ConnectionRegistry) {
  async function call(
    connection: string,
    what: string,
    secret: string,
    fn: (a: OpenPaymentsAdapter, attempt: number) => Promise<GnapDeleteResult>,
  ): Promise<OpenPaymentsDeleteOutcome> {
    const adapter = requireAdapter(registry, 'open-payments', connection);
    const { attempt } = Context.current().info;
    let result: GnapDeleteResult;
    try {
      result = await fn(adapter, attempt);
    } catch (err) {
      throw openPaymentsFailure(err, { connection, what, secrets: [secret] });
    }
    if (result.alreadyRevoked) {
      log.warn('Open Payments: the auth server no longer knows it; an earlier attempt revoked it', {
        what,
        attempt,
        httpStatus: result.httpStatus,
        keyPublicationChecked: result.keyPublicationChecked ?? false,
        secretFingerprint: fingerprint(secret),
      });
    } else {
      log.info('Open Payments: revoked', { what, attempt, secretFingerprint: fingerprint(secret) });
    }
    return { ...result, attempt };
  }

  return {
    /** `DELETE {manageUrl}`: revokes one access token. Signed afresh on every attempt. */
    async openPaymentsRevokeToken(input: OpenPaymentsRevokeTokenInput): Promise<OpenPaymentsDeleteOutcome> {
      return call(input.connection, `revoke token at ${input.manageUrl}`, input.accessToken, (a, attempt) =>
        a.revokeToken({ manageUrl: input.manageUrl, accessToken: input.accessToken }, { attempt }),
      );
    },
    /**
     * Whether a revoked access token still works: one signed GNAP introspection request (RFC 9767).
     * VERIFIED on `active: false`, STILL_ACTIVE on `active: true`; UNVERIFIABLE (no request) with
     * `verify: false` or no `introspectionEndpoint`. Failures are classified as the DELETE's are.
     */
    async openPaymentsIntrospectToken(
      input: OpenPaymentsIntrospectInput,
    ): Promise<OpenPaymentsIntrospectOutcome> {
      const adapter = requireAdapter(registry, 'open-payments', input.connection);
      try {
        return openPaymentsVerification(await adapter.introspect(input.accessToken), new Date());
      } catch (err) {
        throw openPaymentsFailure(err, {
          connection: input.connection,
          what: 'introspect token',
          secrets: [input.accessToken],
        });
      }
    },
    /** `DELETE {continueUri}`: cancels a grant (and its tokens). Signed afresh on every attempt. */
    async openPaymentsCancelGrant(input: OpenPaymentsCancelGrantInput): Promise<OpenPaymentsDeleteOutcome> {
      return call(
        input.connection,
        `cancel grant at ${input.continueUri}`,
        input.continueToken,
        (a, attempt) =>
          a.cancelGrant({ continueUri: input.continueUri, continueToken: input.continueToken }, { attempt }),
      );
    },
  };
}
