import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Code, fingerprint } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import { providerFailure } from '../provider-failure';
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

/**
 * The adapter of a connection. Building it loads and checks the private key; a broken key is a
 * configuration problem that no retry fixes, so it ends the operation FAILED_PRECONDITION.
 */
function adapterFor(registry: ConnectionRegistry, connection: string): OpenPaymentsAdapter {
  try {
    return requireAdapter(registry, 'open-payments', connection);
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    // ConfigError names the field and file; it never carries key material (worker/connections/open-payments.ts).
    throw providerFailure({
      provider: 'open-payments',
      connection,
      code: Code.FAILED_PRECONDITION,
      reason: 'CONNECTION_CONFIG',
      message: err instanceof Error ? err.message : 'invalid connection configuration',
    });
  }
}

export function createOpenPaymentsActivities(registry: ConnectionRegistry) {
  async function call(
    connection: string,
    what: string,
    secret: string,
    fn: (a: OpenPaymentsAdapter, attempt: number) => Promise<GnapDeleteResult>,
  ): Promise<OpenPaymentsDeleteOutcome> {
    const adapter = adapterFor(registry, connection);
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
