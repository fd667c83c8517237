import { Logger } from '@nestjs/common';
import { ConfigError, describeStore, loadConfig, type LumbungConfig } from '@lumbung/platform';
import { createQueryApi } from './app.factory';

// The query API as its own process (distributed mode): reads the read models the projector writes
// (PostgreSQL, beside the store's schema) and the event store for the audit endpoints.
// QUERY_API_PORT (default 3001) keeps it apart from the command API's PORT when both run on one machine.
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
  const port = process.env.QUERY_API_PORT ? Number(process.env.QUERY_API_PORT) : config.port === 3000 ? 3001 : config.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`lumbung: QUERY_API_PORT must be a port number, got ${JSON.stringify(process.env.QUERY_API_PORT)}`);
    process.exit(1);
  }
  const app = await createQueryApi(config);
  await app.listen(port);
  new Logger('QueryApi').log(`lumbung query API listening on http://localhost:${port} (docs at /docs); store: ${describeStore(config.store)}; mode: ${config.mode}`);
}

main().catch((e: unknown) => {
  console.error(`lumbung: the query API failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
