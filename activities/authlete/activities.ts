import { Context } from '@temporalio/activity';
import { scrubSecrets, type Verification } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import { activityAttemptLog, goneOnRetryNote, type AttemptLog } from '../delivery-evidence';
import type { AuthleteAdapter } from './adapter';
import { authleteDelivery } from './delivery';
import { AuthleteApiError, authleteFailure } from './errors';
import { verifyAuthleteRevocation, type AuthleteVerifySelector } from './verify';
import type {
  AuthleteIdTokenReissueRequest,
  AuthleteIdTokenReissueResponse,
  AuthleteListQuery,
  AuthleteOperationName,
  AuthleteTokenCreateRequest,
  AuthleteTokenCreateResponse,
  AuthleteTokenList,
  AuthleteTokenUpdateRequest,
  AuthleteTokenUpdateResponse,
} from './types';

export type * from './types';

/** Every Authlete activity names its connection and the service. */
export interface AuthleteServiceInput {
  connection: string;
  /** Numeric service ID, as a string. */
  serviceId: string;
}

export interface AuthleteRevokeInput extends AuthleteServiceInput {
  accessTokenIdentifier?: string;
  refreshTokenIdentifier?: string;
  clientIdentifier?: string;
  subject?: string;
}

export interface AuthleteRevokeResult {
  count: number;
  resultCode: string;
  /** Scrubbed of the request's token identifiers. */
  resultMessage: string;
  /**
   * The token was not found on a retry, after an earlier attempt of this call failed in a way
   * that may have taken effect at Authlete. Nothing is left to revoke; it may have been this operation.
   */
  notFoundOnRetry?: true;
  /** With notFoundOnRetry: the first earlier attempt that may have revoked it. */
  mayHaveRevokedOnAttempt?: number;
  /** With notFoundOnRetry: which attempt found it gone, which may have removed it, and why. */
  note?: string;
}

export interface AuthleteDeleteInput extends AuthleteServiceInput {
  accessTokenIdentifier: string;
}

export interface AuthleteDeleteResult {
  /** Authlete answered 204. */
  deleted: boolean;
  /** As in AuthleteRevokeResult. */
  notFoundOnRetry?: true;
  mayHaveRevokedOnAttempt?: number;
  note?: string;
}

/** What a revoke or delete selected, to ask Authlete whether it is gone. */
export interface AuthleteVerifyInput extends AuthleteServiceInput, AuthleteVerifySelector {}

export interface AuthleteListInput extends AuthleteServiceInput, AuthleteListQuery {}

export interface AuthleteCreateInput extends AuthleteServiceInput {
  request: AuthleteTokenCreateRequest;
}

export interface AuthleteUpdateInput extends AuthleteServiceInput {
  request: AuthleteTokenUpdateRequest;
}

export interface AuthleteReissueInput extends AuthleteServiceInput {
  request: AuthleteIdTokenReissueRequest;
}

/** The cancellation signal when running as an activity; none otherwise. */
function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/**
 * A token identifier that is gone after an earlier attempt that may have taken effect. Authlete
 * revokes and deletes for good, so when an earlier attempt failed after it may have been handled (a
 * 500/502/504, a timeout, a connection dropped after the request was sent), its work may already be
 * done and only the reply was lost; ending NOT_FOUND would report a revocation that happened as a
 * failure. The state the caller asked for (no such token) holds, so it ends done with
 * `notFoundOnRetry` and the attempt that may have done it. When every earlier attempt provably was
 * not handled (no connection, 429, 503), or on the first attempt, a 404 stays NOT_FOUND: most
 * likely a wrong identifier.
 */
function goneAfterEarlierAttempt(err: unknown, log: AttemptLog) {
  if (!(err instanceof AuthleteApiError) || err.status !== 404) return undefined;
  const earlier = log.mayHaveTakenEffect();
  return earlier && { mayHaveRevokedOnAttempt: earlier.attempt, note: goneOnRetryNote(log.attempt, earlier) };
}

const revokeSecrets = (input: AuthleteRevokeInput) => [
  input.accessTokenIdentifier,
  input.refreshTokenIdentifier,
];

/** One `POST /auth/token/revoke`; a token identifier gone after an earlier attempt is notFoundOnRetry. */
async function revokeOnce(
  a: AuthleteAdapter,
  input: AuthleteRevokeInput,
  o: { signal?: AbortSignal },
  log: AttemptLog,
): Promise<AuthleteRevokeResult> {
  const { connection: _c, serviceId, ...selector } = input;
  const secrets = revokeSecrets(input);
  const byToken = input.accessTokenIdentifier !== undefined || input.refreshTokenIdentifier !== undefined;
  try {
    const res = await a.revoke(serviceId, selector, o);
    return { ...res, resultMessage: scrubSecrets(res.resultMessage, secrets) };
  } catch (err) {
    const gone = byToken ? goneAfterEarlierAttempt(err, log) : undefined;
    if (!gone) throw err;
    const body = (err as AuthleteApiError).body;
    return {
      count: 0,
      resultCode: body.resultCode ?? '',
      resultMessage: scrubSecrets(body.resultMessage ?? '', secrets),
      notFoundOnRetry: true,
      ...gone,
    };
  }
}

/** Authlete activities over the worker's connections. Names are `authlete`-prefixed. */
export function createAuthleteActivities(registry: ConnectionRegistry) {
  async function call<T>(
    input: AuthleteServiceInput,
    operation: AuthleteOperationName,
    secrets: ReadonlyArray<string | undefined>,
    fn: (a: AuthleteAdapter, o: { signal?: AbortSignal }) => Promise<T>,
    log?: AttemptLog,
  ): Promise<T> {
    const adapter = requireAdapter(registry, 'authlete', input.connection);
    const signal = activitySignal();
    try {
      return await fn(adapter, signal ? { signal } : {});
    } catch (err) {
      if (signal?.aborted) throw err;
      log?.failed(authleteDelivery(err));
      throw authleteFailure(err, {
        connection: input.connection,
        serviceId: input.serviceId,
        operation,
        secrets,
      });
    }
  }

  return {
    /**
     * `POST /auth/token/revoke`, once. Bulk modes (client and/or subject) revoke at most a
     * server-configured number of tokens per call (20 by default); the workflow repeats until 0.
     */
    async authleteRevoke(
      input: AuthleteRevokeInput,
      log: AttemptLog = activityAttemptLog(),
    ): Promise<AuthleteRevokeResult> {
      return call(input, 'revoke', revokeSecrets(input), (a, o) => revokeOnce(a, input, o, log), log);
    },

    /** `DELETE /auth/token/delete/{accessTokenIdentifier}` → 204. */
    async authleteDelete(
      input: AuthleteDeleteInput,
      log: AttemptLog = activityAttemptLog(),
    ): Promise<AuthleteDeleteResult> {
      return call(
        input,
        'delete',
        [input.accessTokenIdentifier],
        async (a, o) => {
          try {
            await a.destroy(input.serviceId, input.accessTokenIdentifier, o);
            return { deleted: true };
          } catch (err) {
            const gone = goneAfterEarlierAttempt(err, log);
            if (!gone) throw err;
            return { deleted: false, notFoundOnRetry: true, ...gone };
          }
        },
        log,
      );
    },

    /**
     * After a revoke or delete: introspection of the access token, or the token list for the
     * client and/or subject. Failures are classified like the revoke's; the answer is a Verification.
     */
    async authleteVerifyRevocation(input: AuthleteVerifyInput): Promise<Verification> {
      const { connection: _c, serviceId, ...selector } = input;
      const operation = selector.accessTokenIdentifier !== undefined ? 'introspection' : 'list';
      const secrets = [input.accessTokenIdentifier, input.refreshTokenIdentifier];
      return call(input, operation, secrets, (a, o) => verifyAuthleteRevocation(a, serviceId, selector, o));
    },

    /** `GET /auth/token/get/list`, one page (`start` inclusive, `end` exclusive). */
    async authleteListTokens(input: AuthleteListInput): Promise<AuthleteTokenList> {
      const { connection: _c, serviceId, ...query } = input;
      return call(input, 'list', [], (a, o) => a.list(serviceId, query, o));
    },

    /** `POST /auth/token/create`. The answer holds token values: history payloads are encrypted. */
    async authleteCreateToken(input: AuthleteCreateInput): Promise<AuthleteTokenCreateResponse> {
      const secrets = [input.request.accessToken, input.request.refreshToken];
      return call(input, 'create', secrets, (a, o) => a.create(input.serviceId, input.request, o));
    },

    /** `POST /auth/token/update`. */
    async authleteUpdateToken(input: AuthleteUpdateInput): Promise<AuthleteTokenUpdateResponse> {
      const secrets = [input.request.accessToken];
      return call(input, 'update', secrets, (a, o) => a.update(input.serviceId, input.request, o));
    },

    /** `POST /idtoken/reissue`: a new ID token for a valid access/refresh token pair. */
    async authleteReissueIdToken(input: AuthleteReissueInput): Promise<AuthleteIdTokenReissueResponse> {
      const secrets = [input.request.accessToken, input.request.refreshToken];
      return call(input, 'reissue', secrets, (a, o) => a.reissueIdToken(input.serviceId, input.request, o));
    },
  };
}
