import { HttpException } from '@nestjs/common';
import {
  ConcurrencyRetriesExhaustedError,
  DuplicateEventIdError,
  EventStoreClosedError,
  InvalidAppendError,
  WrongExpectedRevisionError,
  type JsonObject,
} from '@lumbung/event-store';
import { ApiError, type FieldError } from './api-error';

/** How a command ended, for metrics: the same classification the error responses use. */
export type CommandOutcome = 'ok' | 'refused' | 'invalid' | 'conflict' | 'error';

export interface ErrorBody {
  statusCode: number;
  /** stable, kebab-case: clients branch on it */
  error: string;
  /** for people: says the numbers ("requested 120, available 40") */
  message: string;
  details?: JsonObject;
  errors?: FieldError[];
  correlationId: string;
}

export interface MappedError {
  status: number;
  code: string;
  message: string;
  details?: JsonObject;
  errors?: FieldError[];
  outcome: CommandOutcome;
  /** true for failures the caller did not cause: logged in full, answered without internals */
  internal: boolean;
}

/** What the mapping needs of the request: only whether it carried If-Match. */
export interface RequestLike {
  headers?: Record<string, string | string[] | undefined>;
}

const DOMAIN_KINDS: Record<string, { status: number; outcome: CommandOutcome }> = {
  rule: { status: 409, outcome: 'refused' },
  'not-found': { status: 404, outcome: 'refused' },
  forbidden: { status: 403, outcome: 'refused' },
  invalid: { status: 400, outcome: 'invalid' },
};

const CODE_OF_STATUS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  409: 'conflict',
  410: 'gone',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable-content',
  428: 'precondition-required',
  429: 'too-many-requests',
  500: 'internal-error',
  501: 'not-implemented',
  503: 'unavailable',
  504: 'timeout',
};

export const codeOfStatus = (status: number): string => CODE_OF_STATUS[status] ?? `http-${status}`;

const OUTCOME = Symbol('lumbung:outcome');

/** Notes on a response how its request ended, when an error answered it (HttpErrorFilter does). */
export function noteOutcome(res: object, outcome: CommandOutcome): void {
  (res as { [OUTCOME]?: CommandOutcome })[OUTCOME] = outcome;
}

/** How the request of a finished response ended: the error's outcome noted on it, else by its status. */
export function outcomeOfResponse(res: { statusCode: number }): CommandOutcome {
  return (res as { [OUTCOME]?: CommandOutcome })[OUTCOME] ?? outcomeOfStatus(res.statusCode);
}

export function outcomeOfStatus(status: number): CommandOutcome {
  if (status < 400) return 'ok';
  if (status === 400 || status === 413 || status === 415 || status === 422) return 'invalid';
  if (status === 409 || status === 412) return 'conflict';
  if (status < 500) return 'refused';
  return 'error';
}

interface DomainErrorLike {
  kind: string;
  code: string;
  message: string;
  details?: JsonObject;
}

/**
 * libs/domain's DomainError, recognised by its shape rather than its class, so that the platform
 * does not depend on which copy of the domain library threw it (and any library can raise one).
 */
export function isDomainErrorLike(err: unknown): err is DomainErrorLike {
  if (!(err instanceof Error)) return false;
  const e = err as Error & Partial<DomainErrorLike>;
  return typeof e.kind === 'string' && e.kind in DOMAIN_KINDS && typeof e.code === 'string';
}

const isPlainObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Errors of body-parser and friends (http-errors): a status and a message meant for the client. */
interface ExposedHttpError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message: string;
}

const EXPOSED_TYPES: Record<string, string> = {
  'entity.parse.failed': 'malformed-json',
  'entity.too.large': 'payload-too-large',
  'encoding.unsupported': 'unsupported-encoding',
  'charset.unsupported': 'unsupported-charset',
  'request.aborted': 'request-aborted',
};

export function mapError(err: unknown, req: RequestLike = {}): MappedError {
  const m = (status: number, code: string, message: string, extra: Partial<MappedError> = {}): MappedError => ({
    status,
    code,
    message,
    outcome: outcomeOfStatus(status),
    internal: status >= 500,
    ...extra,
  });

  if (err instanceof ApiError) {
    return m(err.status, err.code, err.message, { details: err.details, errors: err.errors });
  }

  if (isDomainErrorLike(err)) {
    const k = DOMAIN_KINDS[err.kind];
    const details = isPlainObject(err.details) && Object.keys(err.details).length > 0 ? err.details : undefined;
    const field = details?.['field'];
    const reason = details?.['reason'];
    const errors = err.kind === 'invalid' && typeof field === 'string' ? [{ field, reason: typeof reason === 'string' ? reason : err.message }] : undefined;
    return m(k.status, err.code, err.message, { details, errors, outcome: k.outcome });
  }

  if (err instanceof InvalidAppendError) {
    return m(400, 'invalid-append', err.message, { errors: [{ field: err.field, reason: err.reason }] });
  }

  if (err instanceof WrongExpectedRevisionError) {
    const details: JsonObject = { streamId: err.streamId, expected: String(err.expected), actual: err.actual };
    // With If-Match the client insisted on the state it saw; without it the store's retries lost.
    if (req.headers?.['if-match'] !== undefined) {
      return m(412, 'precondition-failed', `stream ${err.streamId} is at revision ${String(err.actual)}, not ${String(err.expected)}: read it again`, { details });
    }
    return m(409, 'conflict', 'conflict: stream changed, retry', { details });
  }

  if (err instanceof ConcurrencyRetriesExhaustedError) {
    return m(409, 'conflict', 'conflict: stream changed, retry', { details: { streamId: err.streamId, attempts: err.attempts } });
  }

  if (err instanceof DuplicateEventIdError) {
    return m(409, 'duplicate-event-id', err.message, { details: { eventId: err.eventId } });
  }

  if (err instanceof EventStoreClosedError) {
    return m(503, 'unavailable', 'the service is shutting down; retry shortly', { internal: false });
  }

  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    let message = err.message;
    let details: JsonObject | undefined;
    if (isPlainObject(response)) {
      const msg = response['message'];
      if (typeof msg === 'string') message = msg;
      else if (Array.isArray(msg)) message = msg.join('; ');
      // Terminus puts the state of each check in its 503: worth passing on as it is.
      if (response['status'] === 'error' || response['info'] !== undefined) details = response;
    } else if (typeof response === 'string') {
      message = response;
    }
    return m(status, codeOfStatus(status), message, { details, internal: status >= 500 && status !== 503 });
  }

  const exposed = err as ExposedHttpError | null;
  const exposedStatus = exposed?.status ?? exposed?.statusCode;
  if (exposed && exposed.expose === true && typeof exposedStatus === 'number' && exposedStatus >= 400 && exposedStatus < 500) {
    return m(exposedStatus, (exposed.type && EXPOSED_TYPES[exposed.type]) ?? codeOfStatus(exposedStatus), exposed.message);
  }

  return m(500, 'internal-error', 'internal error; quote the correlation id when you report it');
}
