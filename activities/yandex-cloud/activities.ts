import type {
  YandexCloudAdapter,
  YandexOperationSnapshot,
  YandexRefreshTokenInfo,
  YandexRevokeTarget,
} from './adapter';
import { requireAdapter, type ConnectionRegistry } from '../connection-registry';
import { yandexFailure } from './errors';

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
      return call(input.connection, 'RefreshTokenService.Revoke', [secret], (a) => a.revoke(input.target));
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
