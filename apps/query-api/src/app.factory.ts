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
  // Express hashes every body it sends (res.send/res.json) for a weak ETag. The reads are not
  // conditional (no If-None-Match contract; the lists and figures write their JSON on the bare
  // response and never had one), so the hash of the values returned through Nest (as-of replays,
  // up to tens of KB) is work for nobody. The command API keeps its ETags: it sets them itself.
  app.set('etag', false);
  return configureHttpApp(app, config, { shutdownHooks: options.shutdownHooks, swagger: setupSwagger });
}
