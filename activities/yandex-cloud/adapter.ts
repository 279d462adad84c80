import { Session } from '@yandex-cloud/nodejs-sdk';
import { refreshTokenService } from '@yandex-cloud/nodejs-sdk/iam-v1';
import { operationService } from '@yandex-cloud/nodejs-sdk/operation';
import { codeFromGrpcStatus } from '../../api';
import type { Status, YandexRevokeTarget } from '../../api';
import { withTrailer, type TrailerMetadata } from './errors';
import { statusDetailsJson } from './status-details';

export type { YandexRevokeTarget } from '../../api';

const {
  RevokeRefreshTokenMetadata,
  RevokeRefreshTokenResponse,
  RevokeRefreshTokenRequest,
  ListRefreshTokensRequest,
} = refreshTokenService;

export type YandexCredentials =
  | { iamToken: string }
  | { serviceAccountJson: { serviceAccountId: string; accessKeyId: string; privateKey: string } }
  | { oauthToken: string };

/** How to reach one Yandex Cloud account. */
export interface YandexCloudConnection {
  credentials: YandexCredentials;
  /** RefreshTokenService endpoint. @default 'iam.api.cloud.yandex.net:443' */
  endpoint?: string;
  /** OperationService endpoint. @default the `endpoint` if set, else 'operation.api.cloud.yandex.net:443' */
  operationEndpoint?: string;
  /** PEM CA roots for a private endpoint (the emulator's self-signed CA). */
  rootCerts?: Buffer;
  /** Deadline of each RPC. @default 15000 */
  callTimeoutMs?: number;
  /** List the subject's refresh tokens after each revoke to check they are gone. @default true */
  verify?: boolean;
}

/** A Yandex Operation reduced to what the engine needs; safe to put in workflow history. */
export interface YandexOperationSnapshot {
  id: string;
  done: boolean;
  subjectId?: string;
  refreshTokenIds?: string[];
  error?: Status;
  /**
   * Set instead of calling the provider's result: a Revoke of one token (by id or by value) found
   * no such token on a retry, after an earlier attempt that may have taken effect (its reply lost).
   */
  notFoundOnRetry?: true;
  /** With notFoundOnRetry: the first earlier attempt that may have revoked it. */
  mayHaveRevokedOnAttempt?: number;
  /** With notFoundOnRetry: which attempt found it gone, which may have revoked it, and why. */
  note?: string;
}

export interface YandexRefreshTokenInfo {
  id: string;
  clientId: string;
  subjectId: string;
  clientInstanceInfo: string;
  protectionLevel: number;
  createdAt?: string;
  expiresAt?: string;
  lastUsedAt?: string;
}

const metadataType = 'type.googleapis.com/yandex.cloud.iam.v1.RevokeRefreshTokenMetadata';
const responseType = 'type.googleapis.com/yandex.cloud.iam.v1.RevokeRefreshTokenResponse';

interface SdkOperation {
  id: string;
  done: boolean;
  metadata?: { typeUrl: string; value: Uint8Array };
  response?: { typeUrl: string; value: Uint8Array };
  error?: { code: number; message: string; details?: Array<{ typeUrl: string; value: Buffer }> };
}

function snapshot(op: SdkOperation): YandexOperationSnapshot {
  const out: YandexOperationSnapshot = { id: op.id, done: op.done };
  if (op.metadata?.typeUrl === metadataType) {
    const md = RevokeRefreshTokenMetadata.decode(op.metadata.value);
    out.subjectId = md.subjectId;
    out.refreshTokenIds = md.refreshTokenIds;
  }
  if (op.response?.typeUrl === responseType) {
    out.refreshTokenIds = RevokeRefreshTokenResponse.decode(op.response.value).refreshTokenIds;
  }
  if (op.error) {
    out.error = {
      code: codeFromGrpcStatus(op.error.code),
      message: op.error.message,
      details: statusDetailsJson(op.error.details),
    };
  }
  return out;
}

/**
 * Yandex Cloud IAM refresh tokens over the SDK's gRPC clients. Deliberately no `waitForOperation`:
 * it rejects with a non-Error and can hang forever; the workflow polls on durable timers instead.
 */
export class YandexCloudAdapter {
  private readonly session: Session;
  private readonly tokens;
  private readonly operations;
  private readonly callTimeoutMs: number;
  /** Whether revocations through this connection are verified afterwards. */
  readonly verify: boolean;

  constructor(conn: YandexCloudConnection) {
    this.session = new Session({
      ...conn.credentials,
      ...(conn.rootCerts ? { ssl: { rootCerts: conn.rootCerts } } : {}),
    });
    const endpoint = conn.endpoint ?? 'iam.api.cloud.yandex.net:443';
    this.tokens = this.session.client(refreshTokenService.RefreshTokenServiceClient, endpoint);
    this.operations = this.session.client(
      operationService.OperationServiceClient,
      conn.operationEndpoint ?? conn.endpoint ?? 'operation.api.cloud.yandex.net:443',
    );
    this.callTimeoutMs = conn.callTimeoutMs ?? 15_000;
    this.verify = conn.verify ?? true;
  }

  /**
   * One RPC with its deadline. Neither SDK error class keeps the trailers, where Yandex sends the
   * google.rpc.Status with its details (`grpc-status-details-bin`); errors.ts keeps them with the error.
   */
  private async rpc<T>(
    fn: (options: { deadline: Date; onTrailer: (t: TrailerMetadata) => void }) => Promise<T>,
  ): Promise<T> {
    let trailer: TrailerMetadata | undefined;
    try {
      return await fn({
        deadline: new Date(Date.now() + this.callTimeoutMs),
        onTrailer: (t) => (trailer = t),
      });
    } catch (err) {
      throw withTrailer(err, trailer);
    }
  }

  async revoke(target: YandexRevokeTarget): Promise<YandexOperationSnapshot> {
    // The SDK needs full messages (fromPartial); a plain object fails serialization.
    const req = RevokeRefreshTokenRequest.fromPartial(target);
    return snapshot(await this.rpc((o) => this.tokens.revoke(req, o)));
  }

  async getOperation(operationId: string): Promise<YandexOperationSnapshot> {
    const req = operationService.GetOperationRequest.fromPartial({ operationId });
    return snapshot(await this.rpc((o) => this.operations.get(req, o)));
  }

  async cancelOperation(operationId: string): Promise<YandexOperationSnapshot> {
    const req = operationService.CancelOperationRequest.fromPartial({ operationId });
    return snapshot(await this.rpc((o) => this.operations.cancel(req, o)));
  }

  async list(query: {
    subjectId?: string;
    filter?: string;
    pageSize?: number;
    pageToken?: string;
  }): Promise<{ refreshTokens: YandexRefreshTokenInfo[]; nextPageToken: string }> {
    const req = ListRefreshTokensRequest.fromPartial(query);
    const res = await this.rpc((o) => this.tokens.list(req, o));
    return {
      refreshTokens: res.refreshTokens.map((t) => ({
        id: t.id,
        clientId: t.clientId,
        subjectId: t.subjectId,
        clientInstanceInfo: t.clientInstanceInfo,
        protectionLevel: t.protectionLevel,
        createdAt: t.createdAt?.toISOString(),
        expiresAt: t.expiresAt?.toISOString(),
        lastUsedAt: t.lastUsedAt?.toISOString(),
      })),
      nextPageToken: res.nextPageToken,
    };
  }
}
