import { status } from '@grpc/grpc-js';

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
export const permissionDenied = (message: string): RpcError =>
  new RpcError(status.PERMISSION_DENIED, message);

export function statusName(code: number): string {
  return (status as unknown as Record<number, string | undefined>)[code] ?? `STATUS_${code}`;
}

/** Enforces the proto `(length) = "<=N"` annotations the real API validates. */
export function checkMaxLength(field: string, value: string, max: number): void {
  if (value.length > max)
    throw invalidArgument(`${field}: length must be at most ${max}, got ${value.length}`);
}
