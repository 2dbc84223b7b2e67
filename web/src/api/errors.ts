/** Every failure the client can meet, as one error type with the API's stable `code`. */
export interface ErrorDetail {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const BY_STATUS: Record<number, string> = {
  400: "VALIDATION_ERROR",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "INVALID_STATE",
  429: "RATE_LIMITED",
  503: "SERVICE_UNAVAILABLE",
};

/** Builds an ApiError from a failed response's body (the contract's shape, or anything else). */
export function toApiError(status: number, body: unknown, requestId?: string): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error && typeof error.code === "string") {
    const details = Array.isArray(error.details) ? (error.details as ErrorDetail[]) : [];
    return new ApiError(status, error.code, String(error.message ?? error.code), details, requestId);
  }
  const code = BY_STATUS[status] ?? (status >= 500 ? "INTERNAL_ERROR" : "UNKNOWN_ERROR");
  return new ApiError(status, code, code, [], requestId);
}

export function networkError(): ApiError {
  return new ApiError(0, "NETWORK_ERROR", "NETWORK_ERROR");
}
