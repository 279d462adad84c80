/** google.rpc.Code values (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto). */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type CodeName = keyof typeof Code;
export type CodeNumber = (typeof Code)[CodeName];

const namesByNumber = new Map<number, CodeName>(
  (Object.entries(Code) as Array<[CodeName, CodeNumber]>).map(([name, value]) => [value, name]),
);

/** The name of a google.rpc code; UNKNOWN for numbers outside the enum. */
export function codeName(code: number): CodeName {
  return namesByNumber.get(code) ?? 'UNKNOWN';
}

export function isCodeName(name: string): name is CodeName {
  return Object.prototype.hasOwnProperty.call(Code, name);
}

/** HTTP status → google.rpc code, as design.md maps provider failures. */
export function codeFromHttpStatus(status: number): CodeNumber {
  switch (status) {
    case 400:
      return Code.INVALID_ARGUMENT;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.NOT_FOUND;
    case 408:
      return Code.DEADLINE_EXCEEDED;
    case 409:
      return Code.ABORTED;
    case 412:
      return Code.FAILED_PRECONDITION;
    case 429:
      return Code.RESOURCE_EXHAUSTED;
    case 499:
      return Code.CANCELLED;
    case 501:
      return Code.UNIMPLEMENTED;
    case 504:
      return Code.DEADLINE_EXCEEDED;
    default:
      if (status >= 500) return Code.UNAVAILABLE;
      if (status >= 400) return Code.FAILED_PRECONDITION;
      return Code.UNKNOWN;
  }
}

/** gRPC status codes share the google.rpc numbering; anything unknown is UNKNOWN. */
export function codeFromGrpcStatus(status: number): CodeNumber {
  return Code[codeName(status)];
}

/**
 * Codes worth retrying: the failure may go away by itself. Everything else is permanent for the
 * same request (AIP-194, and the Yandex classification in the foundation issue).
 */
const retryableCodes: ReadonlySet<number> = new Set([
  Code.UNAVAILABLE,
  Code.RESOURCE_EXHAUSTED,
  Code.INTERNAL,
  Code.UNKNOWN,
  Code.DEADLINE_EXCEEDED,
  Code.ABORTED,
]);

export function isRetryableCode(code: number): boolean {
  return retryableCodes.has(code);
}
