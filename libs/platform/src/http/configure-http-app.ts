import { Logger as NestLogger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { LumbungConfig } from '../config';
import { REQUEST_LOGGING } from '../logging/logging.module';
import { HttpErrorFilter } from './http-error.filter';
import { createValidationPipe, malformedJsonHandler } from './validation';

export interface HttpAppOptions {
  /** parse JSON bodies up to this size (commands); reads take no body */
  jsonBodyLimit?: string;
  /** listen to SIGTERM/SIGINT (default true; off for apps started inside tests) */
  shutdownHooks?: boolean;
  /** the app's OpenAPI document at /docs */
  swagger: (app: NestExpressApplication) => void;
}

/**
 * What every lumbung HTTP app sets up the same way: pino as Nest's logger, the correlation id and the
 * request's log line before anything else (so a body refused by the parser has them too), validation,
 * the error filter, graceful shutdown, OpenAPI, and the config's warnings. Create the app with
 * `bufferLogs: true, bodyParser: false`, and import LoggingModule.
 */
export async function configureHttpApp(app: NestExpressApplication, config: LumbungConfig, o: HttpAppOptions): Promise<NestExpressApplication> {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use(app.get(REQUEST_LOGGING));
  if (o.jsonBodyLimit) {
    app.useBodyParser('json', { limit: o.jsonBodyLimit });
    app.use(malformedJsonHandler);
  }
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // process.exit (not re-raising the signal) lets pino flush its last lines, "event store closed" included.
  if (o.shutdownHooks !== false) app.enableShutdownHooks([], { useProcessExit: true });
  o.swagger(app);
  const logger = new NestLogger('Config');
  for (const warning of config.warnings) logger.warn(warning);
  await app.init();
  return app;
}
