import { Module, type DynamicModule } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { CORRELATION_ID_HEADER, newCorrelationId } from './correlation-id';

export interface LoggingOptions {
  level: string;
  /** the `service` field of every line, so that lines of several apps in one stream stay apart */
  service: string;
  /** where lines go (default stdout); tests pass a stream they read */
  destination?: DestinationStream;
}

/** Liveness probes and scrapes every few seconds would drown the lines that matter. */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

export function pinoHttpOptions(options: LoggingOptions): Options<IncomingMessage, ServerResponse> {
  return {
    level: options.level,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // One correlation id per request: the caller's X-Correlation-Id when it looks like an id, else a
    // new UUID; echoed in the response so a client can quote it when it reports a problem.
    genReqId: (req, res) => {
      const id = newCorrelationId(req.headers[CORRELATION_ID_HEADER]);
      res.setHeader('X-Correlation-Id', id);
      return id;
    },
    // The request logger carries only the id (not the whole request) on every line of the request;
    // named correlationId so that it reads the same in every app's logs.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'correlationId' },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
}

/** JSON logs with pino, a correlation id per request, credentials redacted. */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    const http = pinoHttpOptions(options);
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: options.destination ? [http, options.destination] : http })],
      exports: [LoggerModule],
    };
  }
}
