import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { correlationIdMiddleware, createValidationPipe, HttpErrorFilter, malformedJsonHandler, type LumbungConfig } from '@lumbung/platform';
import { Logger } from 'nestjs-pino';
import { AppModule, type CommandApiOptions } from './app.module';
import { setupSwagger } from './infra/swagger';

/** Commands are small; the store refuses events over 1 MiB anyway. */
const JSON_BODY_LIMIT = '1mb';

/**
 * The command API, configured and initialised but not listening: main.ts listens on the configured
 * port, the embedded mode and the e2e tests start it in-process (`listen(0)` in tests).
 */
export async function createCommandApi(config: LumbungConfig, options: CommandApiOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, options), {
    bufferLogs: true,
    // Fail with an exception (the caller decides) instead of Nest exiting the process.
    abortOnError: false,
    // Registered below, after the correlation id, so that a body refused by the parser has one too.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use(correlationIdMiddleware);
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.use(malformedJsonHandler);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());
  // process.exit (not re-raising the signal) lets pino flush its last lines, "event store closed" included.
  if (options.shutdownHooks !== false) app.enableShutdownHooks([], { useProcessExit: true });
  setupSwagger(app);
  const logger = new NestLogger('Config');
  for (const warning of config.warnings) logger.warn(warning);
  await app.init();
  return app;
}
