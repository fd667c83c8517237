import { Logger } from '@nestjs/common';
import { ConfigError, describeStore, loadConfig, type LumbungConfig } from '@lumbung/platform';
import { createCommandApi } from './app.factory';

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
  // Embedded mode (the default of `npm start`): projections run in this process, no Kafka.
  const app = await createCommandApi(config, { projections: config.mode === 'embedded' });
  await app.listen(config.port);
  new Logger('CommandApi').log(
    `lumbung command API listening on http://localhost:${config.port} (docs at /docs); store: ${describeStore(config.store)}; data: ${config.dataDir}; mode: ${config.mode}`,
  );
}

main().catch((e: unknown) => {
  // The logger may not be up yet (a store that cannot be reached fails the start): plain stderr.
  // Nest has already logged the stack; one line says what to fix.
  console.error(`lumbung: the command API failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
