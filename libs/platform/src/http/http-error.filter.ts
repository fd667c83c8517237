import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { correlationIdOf } from '../logging/correlation-id';
import { mapError, noteOutcome, type ErrorBody } from './error-mapping';

/**
 * Every error leaves as `{ statusCode, error, message, details?, errors?, correlationId }`.
 * Failures the caller did not cause are logged in full and answered without internals.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(err: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw err;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<IncomingMessage & { originalUrl?: string }>();
    const res = ctx.getResponse<ServerResponse>();
    const mapped = mapError(err, req);
    const correlationId = correlationIdOf(req);
    // For the command metrics (CommandMetricsGuard), which record when the response is done.
    noteOutcome(res, mapped.outcome);

    if (mapped.internal) {
      this.logger.error({ err, correlationId, method: req.method, url: req.originalUrl ?? req.url }, 'request failed');
      // The request's completion line (logging/request-logging.ts) picks this up, so the error is on the request's own line too.
      res.err = err instanceof Error ? err : new Error(String(err));
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body: ErrorBody = {
      statusCode: mapped.status,
      error: mapped.code,
      message: mapped.message,
      ...(mapped.details ? { details: mapped.details } : {}),
      ...(mapped.errors ? { errors: mapped.errors } : {}),
      correlationId,
    };
    if (mapped.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="lumbung"');
    if (mapped.status === 503) res.setHeader('Retry-After', '5');
    // Written on the bare node response so that the filter does not depend on the HTTP adapter.
    res.statusCode = mapped.status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }
}
