import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import { requestLoggingMiddleware } from './request-logging';

export interface LoggingOptions {
  level: string;
  /** the `service` field of every line, so that lines of several apps in one stream stay apart */
  service: string;
  /** where lines go (default stdout); tests pass a stream they read */
  destination?: DestinationStream;
}

/** The app's request middleware (requestLoggingMiddleware over the app's logger): configureHttpApp installs it first. */
export const REQUEST_LOGGING = Symbol('REQUEST_LOGGING');

function createRootLogger(options: LoggingOptions): Logger {
  const o = { level: options.level, base: { service: options.service }, timestamp: pino.stdTimeFunctions.isoTime };
  return options.destination ? pino(o, options.destination) : pino(o);
}

/**
 * JSON logs with pino: one logger per app, a correlation id on every line of a request, one line per
 * request, credentials redacted (request-logging.ts). nestjs-pino is Nest's logger (and writes lines
 * outside requests with `root`); the request middleware that gives each request its logger is ours
 * (useExisting, and none of nestjs-pino's mounted: forRoutes is empty).
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    const root = createRootLogger(options);
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger: root }, useExisting: true, forRoutes: [] })],
      providers: [{ provide: REQUEST_LOGGING, useValue: requestLoggingMiddleware(root) }],
      exports: [LoggerModule, REQUEST_LOGGING],
    };
  }
}
