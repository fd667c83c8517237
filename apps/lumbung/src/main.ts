import { Logger } from '@nestjs/common';
import { ConfigError, describeStore, loadConfig, type LumbungConfig } from '@lumbung/platform';
import { createCommandApi } from '../../command-api/src/app.factory';
import { QueryApiModule } from '../../query-api/src/query-api.module';

/**
 * Embedded mode, the default of `npm start`: every app in one process and on one port, with the SQLite
 * store in LUMBUNG_DATA and no Kafka. The command API's app hosts the projections (from the store's own
 * subscription, into read models in the same SQLite file) and the query API's routes.
 *
 * This is the one composition root allowed to import other apps (.dependency-cruiser.js): the apps stay
 * independent of each other, and distributed mode runs each of them as its own process.
 */
async function main(): Promise<void> {
  let config: LumbungConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`lumbung: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  const app = await createCommandApi(config, { projections: true, extraModules: [QueryApiModule.routes()] });
  await app.listen(config.port);
  new Logger('Lumbung').log(
    `lumbung (embedded) listening on http://localhost:${config.port}: commands, /query, /audit; docs at /docs; store: ${describeStore(config.store)}; data: ${config.dataDir}`,
  );
}

main().catch((e: unknown) => {
  console.error(`lumbung: failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
