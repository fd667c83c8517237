import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Store, storage } from 'nestjs-pino/storage';
import type { Logger } from 'pino';
import { CORRELATION_ID_HEADER, newCorrelationId } from './correlation-id';

/** Liveness probes and scrapes every few seconds would drown the lines that matter. */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/** Request headers whose values never reach the logs (a bearer token in a log is a stolen token). */
const REDACTED_REQUEST_HEADERS = ['authorization', 'cookie'];
/** Response headers whose values never reach the logs. */
const REDACTED_RESPONSE_HEADERS = ['set-cookie'];
const REDACTED = '[redacted]';

type LoggedRequest = IncomingMessage & { id?: unknown; log?: Logger; originalUrl?: string };
type LoggedResponse = ServerResponse & { err?: Error };

/** The headers with the named ones' values replaced; the same object when none is present (nothing to copy). */
function redacted<H extends IncomingHttpHeaders | OutgoingHttpHeaders>(headers: H, names: readonly string[]): H {
  let out: H | undefined;
  for (const name of names) {
    if (headers[name] === undefined) continue;
    out ??= { ...headers };
    (out as Record<string, unknown>)[name] = REDACTED;
  }
  return out ?? headers;
}

/** The request as its completion line shows it (the fields pino's standard serializer gave, less the parsed query and route params). */
function requestForLog(req: LoggedRequest): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: req.originalUrl ?? req.url,
    headers: redacted(req.headers, REDACTED_REQUEST_HEADERS),
    remoteAddress: req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}

function responseForLog(res: ServerResponse): Record<string, unknown> {
  return { statusCode: res.headersSent ? res.statusCode : null, headers: redacted(res.getHeaders(), REDACTED_RESPONSE_HEADERS) };
}

function logCompletion(log: Logger, req: LoggedRequest, res: LoggedResponse, startedAt: number, err: Error | undefined): void {
  const status = res.statusCode;
  const level = err || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  // At a level that writes no request lines (LOG_LEVEL=warn and a 2xx), nothing is built at all.
  if (!log.isLevelEnabled(level)) return;
  const failure = err ?? res.err ?? (status >= 500 ? new Error(`failed with status code ${status}`) : undefined);
  const line = { req: requestForLog(req), res: responseForLog(res), ...(failure ? { err: failure } : {}), responseTime: Date.now() - startedAt };
  log[level](line, failure ? 'request errored' : 'request completed');
}

/**
 * The first middleware of every lumbung HTTP app (before body parsing, so that a body the parser
 * refuses has an id and a line too):
 * - the correlation id: the caller's X-Correlation-Id when it looks like an id, else a new UUID, on
 *   req.id and echoed in the response, so a client can quote it when it reports a problem;
 * - a child of `root` carrying only `correlationId` (req.log), bound to the request's async context
 *   the way nestjs-pino's own middleware binds it (its `storage`), so that every line logged while
 *   handling the request (Nest's Logger is nestjs-pino's) has the id. Bound here, in the one
 *   middleware every request passes anyway, rather than by nestjs-pino's middleware, which Nest mounts
 *   as one more route for every path and method (a wildcard match, its path split and decoded);
 * - one line when the response is done: `request completed` (info, warn for 4xx) or `request errored`
 *   (error, with the error), with the request (credentials redacted), the response and its time in ms.
 *
 * What pino-http did, without its per-request cost: it built a second child logger per request with
 * the whole request serialised (and passed through pino's redaction) into its bindings, whether or
 * not the line would be written, and kept several arrays and closures per request.
 */
export function requestLoggingMiddleware(root: Logger): (req: LoggedRequest, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    if (typeof req.id !== 'string' || req.id === '') req.id = newCorrelationId(req.headers[CORRELATION_ID_HEADER]);
    const id = req.id as string;
    res.setHeader('X-Correlation-Id', id);
    const log = root.child({ correlationId: id });
    req.log = log;
    if (!QUIET_PATHS.test(req.url ?? '')) {
      const startedAt = Date.now();
      const done = (err?: Error): void => {
        res.removeListener('finish', done);
        res.removeListener('close', done);
        res.removeListener('error', done);
        logCompletion(log, req, res, startedAt, err);
      };
      res.on('finish', done);
      res.on('close', done);
      res.on('error', done);
    }
    storage.run(new Store(log), next);
  };
}
