/** google.rpc status names Google's HTTP front end pairs with each HTTP status. */
const statusOfHttp: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const defaultMessage: Record<string, string> = {
  UNAUTHENTICATED:
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  PERMISSION_DENIED: 'The caller does not have permission',
  RESOURCE_EXHAUSTED: "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute'.",
  INTERNAL: 'Internal error encountered.',
  UNAVAILABLE: 'The service is currently unavailable.',
  DEADLINE_EXCEEDED: 'The request timed out.',
};

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    errors: Array<{ message: string; domain: string; reason: string }>;
    status: string;
    details?: Array<Record<string, unknown>>;
  };
}

/** `{"error":{"code","message","errors":[...],"status","details"?}}`, Google's JSON error shape. */
export function googleError(
  httpStatus: number,
  message?: string,
  details?: Array<Record<string, unknown>>,
  reason?: string,
): GoogleErrorBody {
  const status = statusOfHttp[httpStatus] ?? (httpStatus >= 500 ? 'UNAVAILABLE' : 'UNKNOWN');
  const text = message ?? defaultMessage[status] ?? status;
  return {
    error: {
      code: httpStatus,
      message: text,
      errors: [
        {
          message: text,
          domain: 'global',
          reason: reason ?? (httpStatus === 400 ? 'invalid' : 'backendError'),
        },
      ],
      status,
      ...(details ? { details } : {}),
    },
  };
}

/** The real Identity Toolkit answer to a bad key (providers.md §3). */
export function apiKeyInvalid(): GoogleErrorBody {
  return googleError(
    400,
    'API key not valid. Please pass a valid API key.',
    [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'identitytoolkit.googleapis.com' },
      },
    ],
    'badRequest',
  );
}

export function apiKeyMissing(): GoogleErrorBody {
  return googleError(
    403,
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    undefined,
    'forbidden',
  );
}

/** An Identity Toolkit error: `CODE` or `CODE : detail` in `message`, HTTP 400 INVALID_ARGUMENT. */
export function identityToolkitError(code: string, detail?: string, field?: string): GoogleErrorBody {
  return googleError(
    400,
    detail ? `${code} : ${detail}` : code,
    field
      ? [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field, description: detail ?? code }],
          },
        ]
      : undefined,
  );
}
