import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApp, type LumbungConfig } from '@lumbung/platform';
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
  return configureHttpApp(app, config, { shutdownHooks: options.shutdownHooks, swagger: setupSwagger });
}
