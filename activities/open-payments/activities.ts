import { Context, log } from '@temporalio/activity';
import { fingerprint } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import type { GnapDeleteResult, OpenPaymentsAdapter } from './adapter';
import { openPaymentsFailure } from './errors';

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
