import { randomBytes, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { refreshTokenService } from '@yandex-cloud/nodejs-sdk/iam-v1';
import { type operation, operationService } from '@yandex-cloud/nodejs-sdk/operation';
import type { FaultQueue } from '../fault-queue';
import type { AccessPolicy } from './access';
import { listRefreshTokens } from './list-refresh-tokens';
import type { OperationStore } from './operations';
import type {
  YandexEmulatedMethod,
  YandexEmulatorBehaviour,
  YandexEmulatorCall,
  YandexFault,
  YandexFaultPolicy,
} from './public-types';
import { selectTokensToRevoke } from './revoke-selection';
import { RpcError, statusDetailsBin, statusName } from './rpc-error';
import type { TokenStore } from './store';

export interface EmulatorState {
  tokens: TokenStore;
  operations: OperationStore;
  faults: FaultQueue<YandexFault>;
  behaviour: YandexEmulatorBehaviour;
  calls: YandexEmulatorCall[];
  /** IAM token -> subject id. */
  iamTokens: ReadonlyMap<string, string>;
  /** Who may List and Revoke another subject's tokens. */
  access: AccessPolicy;
  /** Calls waiting out latencyMs, so close() can drop them. */
  pendingTimers: Set<NodeJS.Timeout>;
  /** Consulted when no queued fault applies. */
  faultPolicy: YandexFaultPolicy | undefined;
  /** Replies to keep back, first match per method (see YandexEmulator.hold). */
  holds: HeldReply[];
}

export interface HeldReply {
  method: YandexEmulatedMethod;
  /** Gets the answer kept back; the call answers once the returned promise resolves. */
  held(answer: unknown): Promise<void>;
}

/** Runs `fn` after `ms` on a timer that close() can drop. */
function later(state: EmulatorState, ms: number, fn: () => void): void {
  if (ms <= 0) return fn();
  const timer = setTimeout(() => {
    state.pendingTimers.delete(timer);
    fn();
  }, ms);
  state.pendingTimers.add(timer);
}

type Handler<Req, Res> = (request: Req, callerSubjectId: string) => Res;

function callerOf(metadata: grpc.Metadata, iamTokens: ReadonlyMap<string, string>): string | undefined {
  const [header] = metadata.get('authorization');
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1] ? iamTokens.get(match[1]) : undefined;
}

// The real API answers with these ids as header metadata; the SDK's ApiError exposes them.
function requestMetadata(requestId: string = randomUUID()): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('x-request-id', requestId);
  metadata.set('x-server-trace-id', randomBytes(8).toString('hex'));
  return metadata;
}

/**
 * Runs every call through the same steps: record, latency, injected faults, random failures,
 * authentication, then the method itself.
 */
function unary<Req, Res>(
  state: EmulatorState,
  method: YandexEmulatedMethod,
  handle: Handler<Req, Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const callerSubjectId = callerOf(call.metadata, state.iamTokens);
    const record: YandexEmulatorCall = { method, request: call.request, at: new Date() };
    if (callerSubjectId !== undefined) record.callerSubjectId = callerSubjectId;
    state.calls.push(record);

    const fail = (code: number, message: string, afterHeaders = false): void => {
      record.failedWith = code;
      const requestId = randomUUID();
      record.requestId = requestId;
      const metadata = requestMetadata(requestId);
      const trailers = new grpc.Metadata();
      trailers.set('grpc-status-details-bin', statusDetailsBin(code, message, requestId));
      if (afterHeaders) {
        call.sendMetadata(metadata);
        callback({ code, details: message, metadata: trailers });
      } else {
        // Trailers-only: the SDK surfaces this as a nice-grpc ClientError carrying .code.
        metadata.merge(trailers);
        callback({ code, details: message, metadata });
      }
    };

    const faultMessage = (fault: YandexFault) => fault.message ?? `emulated ${statusName(fault.code)}`;

    const run = (): void => {
      const fault =
        state.faults.take((f) => f.method === method || f.method === '*') ?? state.faultPolicy?.(record);
      if (fault && !fault.afterHandling)
        return later(state, fault.delayMs ?? 0, () =>
          fail(fault.code, faultMessage(fault), fault.afterHeaders),
        );
      if (!fault && state.behaviour.errorRate > 0 && Math.random() < state.behaviour.errorRate) {
        return fail(grpc.status.UNAVAILABLE, 'service is temporarily unavailable');
      }
      if (callerSubjectId === undefined) {
        return fail(grpc.status.UNAUTHENTICATED, 'the request has no valid IAM token');
      }
      let response: Res;
      try {
        state.operations.settleDue();
        response = handle(call.request, callerSubjectId);
      } catch (err) {
        if (err instanceof RpcError) return fail(err.code, err.message);
        return fail(grpc.status.INTERNAL, 'internal error');
      }
      const answer = (): void => {
        // afterHandling: the effect happened; the answer is lost.
        if (fault)
          return later(state, fault.delayMs ?? 0, () =>
            fail(fault.code, faultMessage(fault), fault.afterHeaders),
          );
        call.sendMetadata(requestMetadata());
        callback(null, response);
      };
      const held = state.holds.findIndex((h) => h.method === method);
      if (held < 0) return answer();
      const [hold] = state.holds.splice(held, 1);
      void hold?.held(response).then(answer);
    };

    later(state, state.behaviour.latencyMs, run);
  };
}

export function createEmulatorServer(state: EmulatorState): grpc.Server {
  const server = new grpc.Server();

  server.addService(refreshTokenService.RefreshTokenServiceService, {
    list: unary<refreshTokenService.ListRefreshTokensRequest, refreshTokenService.ListRefreshTokensResponse>(
      state,
      'List',
      (request, caller) => listRefreshTokens(state.tokens, state.access, request, caller),
    ),
    revoke: unary<refreshTokenService.RevokeRefreshTokenRequest, operation.Operation>(
      state,
      'Revoke',
      (request, caller) => {
        const selection = selectTokensToRevoke(state.tokens, state.access, request, caller);
        return state.operations.startRevoke(selection, caller, state.behaviour);
      },
    ),
  } satisfies refreshTokenService.RefreshTokenServiceServer);

  server.addService(operationService.OperationServiceService, {
    get: unary<operationService.GetOperationRequest, operation.Operation>(state, 'Get', (request, caller) =>
      state.operations.get(request.operationId, caller),
    ),
    cancel: unary<operationService.CancelOperationRequest, operation.Operation>(
      state,
      'Cancel',
      (request, caller) => state.operations.cancel(request.operationId, caller),
    ),
  } satisfies operationService.OperationServiceServer);

  return server;
}
