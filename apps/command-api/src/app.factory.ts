import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApp, type LumbungConfig } from '@lumbung/platform';
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
    // Registered by configureHttpApp after the correlation id, so that a body refused by the parser has one too.
    bodyParser: false,
  });
  return configureHttpApp(app, config, { jsonBodyLimit: JSON_BODY_LIMIT, shutdownHooks: options.shutdownHooks, swagger: setupSwagger });
}
