import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { correlationIdMiddleware, createValidationPipe, HttpErrorFilter, type LumbungConfig } from '@lumbung/platform';
import { Logger } from 'nestjs-pino';
import { setupSwagger } from './infra/swagger';
import { QueryApiModule, type QueryApiOptions } from './query-api.module';

export interface CreateQueryApiOptions extends QueryApiOptions {
  /** listen to SIGTERM/SIGINT (default true; off for apps started inside tests) */
  shutdownHooks?: boolean;
}

/** The query API, configured and initialised but not listening (main.ts listens; tests `listen(0)`). */
export async function createQueryApi(config: LumbungConfig, options: CreateQueryApiOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(QueryApiModule.register(config, options), {
    bufferLogs: true,
    abortOnError: false,
    // Reads take no body.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use(correlationIdMiddleware);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  if (options.shutdownHooks !== false) app.enableShutdownHooks([], { useProcessExit: true });
  setupSwagger(app);
  const logger = new NestLogger('Config');
  for (const warning of config.warnings) logger.warn(warning);
  await app.init();
  return app;
}
