import type { JsonObject } from '@lumbung/event-store';

export interface FieldError {
  field: string;
  reason: string;
}

/**
 * An HTTP refusal raised by the platform itself (authentication, idempotency keys, preconditions):
 * it carries its status and stable code, and the exception filter writes it as it is.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: JsonObject,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badRequest(code: string, message: string, details?: JsonObject): ApiError {
    return new ApiError(400, code, message, details);
  }

  static unauthorized(message: string): ApiError {
    return new ApiError(401, 'unauthorized', message);
  }

  static forbidden(code: string, message: string, details?: JsonObject): ApiError {
    return new ApiError(403, code, message, details);
  }
}
