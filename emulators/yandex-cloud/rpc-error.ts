import { status } from '@grpc/grpc-js';
import { Status } from '@yandex-cloud/nodejs-sdk/google/rpc/status';

/** A failure the emulator reports as a gRPC status; messages must never contain token values. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export const invalidArgument = (message: string): RpcError => new RpcError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string): RpcError => new RpcError(status.NOT_FOUND, message);
/** Yandex Cloud says only this, whatever permission is missing on whichever resource. */
export const permissionDenied = (): RpcError => new RpcError(status.PERMISSION_DENIED, 'Permission denied');

export function statusName(code: number): string {
  return (status as unknown as Record<number, string | undefined>)[code] ?? `STATUS_${code}`;
}

/** Enforces the proto `(length) = "<=N"` annotations the real API validates. */
export function checkMaxLength(field: string, value: string, max: number): void {
  if (value.length > max)
    throw invalidArgument(`${field}: length must be at most ${max}, got ${value.length}`);
}

export const REQUEST_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RequestInfo';

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** google.rpc.RequestInfo{request_id = 1}, by hand: the SDK ships google.rpc.Status but no error_details codecs. */
function encodeRequestInfo(requestId: string): Buffer {
  const id = Buffer.from(requestId, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), varint(id.length), id]);
}

/**
 * The `grpc-status-details-bin` trailer Yandex Cloud sends with an error: the google.rpc.Status
 * again, with a RequestInfo detail carrying the same id as the `x-request-id` header.
 */
export function statusDetailsBin(code: number, message: string, requestId: string): Buffer {
  const details = [{ typeUrl: REQUEST_INFO_TYPE_URL, value: encodeRequestInfo(requestId) }];
  return Buffer.from(Status.encode({ code, message, details }).finish());
}
