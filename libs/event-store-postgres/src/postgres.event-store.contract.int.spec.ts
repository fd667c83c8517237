import type { EventStore } from '@lumbung/event-store';
import { describeEventStoreContract } from '@lumbung/event-store/contract/event-store.contract';
import { createTestSchema, describeWithPostgres, withClient, type TestSchema } from '../../../test/support/postgres';
import { PostgresEventStore } from './postgres.event-store';

/** Each store gets its own schema, dropped when the file is done. */
const schemas: TestSchema[] = [];
afterAll(async () => {
  await Promise.all(schemas.map((s) => s.drop()));
});

const connect = (t: { connectionString: string; schema: string }) =>
  PostgresEventStore.connect({ connectionString: t.connectionString, schema: t.schema, poolSize: 10 });

/** Raw SQL behind the store's back, as someone with database access would write it. */
const behindTheStore = (store: EventStore, sql: string, values: unknown[]) =>
  withClient(async (c) => {
    const pg = store as PostgresEventStore;
    await c.query(`SET search_path TO "${pg.schema}"`);
    return c.query(sql, values);
  });

describeWithPostgres('PostgresEventStore', () => {
  describeEventStoreContract('postgres', {
    create: async () => {
      const t = await createTestSchema('contract');
      schemas.push(t);
      return connect(t);
    },
    reopen: async (store) => {
      const pg = store as PostgresEventStore;
      await pg.close();
      return connect({ connectionString: schemas.find((s) => s.schema === pg.schema)!.connectionString, schema: pg.schema });
    },
    tamperData: async (store, position, newData) => {
      const r = await behindTheStore(store, 'UPDATE events SET data = $2 WHERE seq = (SELECT seq FROM log WHERE position = $1)', [position, JSON.stringify(newData)]);
      if (r.rowCount !== 1) throw new Error(`no event at position ${position}`);
    },
    removeStream: async (store, streamId) => {
      await behindTheStore(store, 'DELETE FROM log WHERE seq IN (SELECT seq FROM events WHERE stream_id = $1)', [streamId]);
      const r = await behindTheStore(store, 'DELETE FROM events WHERE stream_id = $1', [streamId]);
      if (!r.rowCount) throw new Error(`no events in stream ${streamId}`);
    },
    settle: (store) => (store as PostgresEventStore).settle(),
    readAllForProjection: true,
  });
});
