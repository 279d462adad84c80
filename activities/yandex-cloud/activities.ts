import type {
  YandexCloudAdapter,
  YandexOperationSnapshot,
  YandexRefreshTokenInfo,
  YandexRevokeTarget,
} from './adapter';
import { activityInfo } from '@temporalio/activity';
import { Code } from '../../api';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import { classifyYandexError, yandexFailure } from './errors';

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
  ): Promise<T> {
    const a = requireAdapter(registry, 'yandex-cloud', connection);
    try {
      return await fn(a);
    } catch (err) {
      throw yandexFailure(err, { connection, rpc, secrets });
    }
  }

  return {
    /** RefreshTokenService.Revoke; returns the provider operation, usually not done yet. */
    async yandexRevokeRefreshTokens(input: YandexRevokeInput): Promise<YandexOperationSnapshot> {
      const secret = 'refreshToken' in input.target ? input.target.refreshToken : undefined;
      const oneToken = 'refreshTokenId' in input.target || secret !== undefined;
      return call(input.connection, 'RefreshTokenService.Revoke', [secret], async (a) => {
        try {
          return await a.revoke(input.target);
        } catch (err) {
          if (oneToken && notFoundOnRetry(err)) return { id: '', done: true, notFoundOnRetry: true };
          throw err;
        }
      });
    },
    /** OperationService.Get, one poll. */
    async yandexGetOperation(input: YandexOperationInput): Promise<YandexOperationSnapshot> {
      return call(input.connection, 'OperationService.Get', [], (a) => a.getOperation(input.operationId));
    },
    /** OperationService.Cancel, best effort from the workflow's point of view. */
    async yandexCancelOperation(input: YandexOperationInput): Promise<YandexOperationSnapshot> {
      return call(input.connection, 'OperationService.Cancel', [], (a) =>
        a.cancelOperation(input.operationId),
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
 * A Revoke of one token that finds no such token on a retry. Yandex revokes for good, so when an
 * earlier attempt failed after it may have reached Yandex (a lost reply, a deadline passed while
 * the call was in flight), the token is gone because that attempt revoked it. Ending NOT_FOUND
 * would report a revocation that happened as a failure; the state the caller asked for (no such
 * live token) holds. On the first attempt NOT_FOUND stays an error: most likely a wrong id.
 */
function notFoundOnRetry(err: unknown): boolean {
  return activityInfo().attempt > 1 && classifyYandexError(err).code === Code.NOT_FOUND;
}
