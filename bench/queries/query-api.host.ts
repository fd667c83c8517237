import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { EventStore } from '@lumbung/event-store';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { issueToken, loadConfig, readModelOptionsFor } from '@lumbung/platform';
import { openReadModel } from '@lumbung/read-model';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSource } from 'typeorm';
import { createQueryApi } from '../../apps/query-api/src/app.factory';

export interface QueryApiHost {
  baseUrl: string;
  app: NestExpressApplication;
  store: EventStore;
  readModel: DataSource;
  tokens: { commander: string; auditor: string };
  close(): Promise<void>;
}

/**
 * The query API in this process, as main.ts starts it in distributed mode on PostgreSQL (the store and
 * the read models opened with the app's own options, read models beside the store), listening on a
 * loopback port. Logs at warn, as bench:commands runs its API: a request log line each would measure
 * the terminal.
 */
export async function startQueryApi(url: string, schema: string): Promise<QueryApiHost> {
  const secret = randomBytes(32).toString('hex');
  const config = loadConfig({
    LUMBUNG_STORE: 'postgres',
    LUMBUNG_MODE: 'distributed',
    DATABASE_URL: url,
    DATABASE_SCHEMA: schema,
    LUMBUNG_TOKEN_SECRET: secret,
    LUMBUNG_DATA: tmpdir(),
    LOG_LEVEL: 'warn',
  });
  if (config.store.kind !== 'postgres') throw new Error('the benchmark runs on PostgreSQL');
  const store = await PostgresEventStore.connect({ connectionString: config.store.url, schema: config.store.schema });
  const readModel = await openReadModel(readModelOptionsFor(config.store));
  const app = await createQueryApi(config, { store, readModel, shutdownHooks: false, logDestination: { write: () => true } });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    store,
    readModel,
    tokens: {
      commander: issueToken(secret, { sub: 'bench-commander', role: 'commander' }, '12h'),
      auditor: issueToken(secret, { sub: 'bench-auditor', role: 'auditor' }, '12h'),
    },
    close: async () => {
      await app.close();
      await store.close();
      await readModel.destroy();
    },
  };
}
