import type {
  YandexCloudAdapter,
  YandexOperationSnapshot,
  YandexRefreshTokenInfo,
  YandexRevokeTarget,
} from './adapter';
import { Code, type Verification } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import { activityAttemptLog, goneOnRetryNote, type AttemptLog } from '../delivery-evidence';
import { yandexDelivery } from './delivery';
import { classifyYandexError, yandexFailure } from './errors';
import { verifyYandexRevocation, type YandexVerifyInput } from './verify';

export type { YandexVerifyInput } from './verify';

export interface YandexRevokeInput {
  connection: string;
  target: YandexRevokeTarget;
}

export interface YandexOperationInput {
  connection: string;
  operationId: string;
}

export interface YandexListInput {
  connection: string;
  subjectId?: string;
  filter?: string;
  pageSize?: number;
  pageToken?: string;
}

export function createYandexCloudActivities(registry: ConnectionRegistry) {
  async function call<T>(
    connection: string,
    rpc: string,
    secrets: ReadonlyArray<string | undefined>,
    fn: (a: YandexCloudAdapter) => Promise<T>,
    log?: AttemptLog,
  ): Promise<T> {
    const a = requireAdapter(registry, 'yandex-cloud', connection);
    try {
      return await fn(a);
    } catch (err) {
      log?.failed(yandexDelivery(err));
      throw yandexFailure(err, { connection, rpc, secrets });
    }
  }

  return {
    /**
     * RefreshTokenService.Revoke; returns the provider operation, usually not done yet. Each failed
     * attempt is recorded in `log` (by default the activity's heartbeat details, so the next attempt
     * reads it); a bulk page passes the log of its target.
     */
    async yandexRevokeRefreshTokens(
      input: YandexRevokeInput,
      log: AttemptLog = activityAttemptLog(),
    ): Promise<YandexOperationSnapshot> {
      const secret = 'refreshToken' in input.target ? input.target.refreshToken : undefined;
      const oneToken = 'refreshTokenId' in input.target || secret !== undefined;
      return call(
        input.connection,
        'RefreshTokenService.Revoke',
        [secret],
        async (a) => {
          try {
            return await a.revoke(input.target);
          } catch (err) {
            const earlier = oneToken ? goneAfterEarlierAttempt(err, log) : undefined;
            if (!earlier) throw err;
            return {
              id: '',
              done: true,
              notFoundOnRetry: true,
              mayHaveRevokedOnAttempt: earlier.attempt,
              note: goneOnRetryNote(log.attempt, earlier),
            };
          }
        },
        log,
      );
    },
    /** OperationService.Get, one poll. */
    async yandexGetOperation(input: YandexOperationInput): Promise<YandexOperationSnapshot> {
      return call(input.connection, 'OperationService.Get', [], (a) => a.getOperation(input.operationId));
    },
    /** OperationService.Cancel; its answer (done with a response or an error, or still running) decides how the workflow ends. */
    async yandexCancelOperation(input: YandexOperationInput): Promise<YandexOperationSnapshot> {
      return call(input.connection, 'OperationService.Cancel', [], (a) =>
        a.cancelOperation(input.operationId),
      );
    },
    /**
     * After the revoke's operation is done: RefreshTokenService.List of the subject (every page),
     * none of the revoked ids, and after a filter revoke no matching token, may remain.
     */
    async yandexVerifyRevocation(input: YandexVerifyInput): Promise<Verification> {
      const secret = 'refreshToken' in input.target ? input.target.refreshToken : undefined;
      return call(input.connection, 'RefreshTokenService.List', [secret], (a) =>
        verifyYandexRevocation(a, input),
      );
    },
    /** RefreshTokenService.List, one page. */
    async yandexListRefreshTokens(
      input: YandexListInput,
    ): Promise<{ refreshTokens: YandexRefreshTokenInfo[]; nextPageToken: string }> {
      const { connection, ...query } = input;
      return call(connection, 'RefreshTokenService.List', [], (a) => a.list(query));
    },
  };
}

/**
 * A Revoke of one token that finds no such token after an earlier attempt that may have taken
 * effect (a lost reply, a deadline passed while the call was in flight): Yandex revokes for good,
 * so that attempt most likely revoked it, and ending NOT_FOUND would report a revocation that
 * happened as a failure. When every earlier attempt provably never reached Yandex (no connection,
 * refused before handling), or on the first attempt, NOT_FOUND stays an error: most likely a wrong id.
 */
function goneAfterEarlierAttempt(err: unknown, log: AttemptLog) {
  if (classifyYandexError(err).code !== Code.NOT_FOUND) return undefined;
  return log.mayHaveTakenEffect();
}
