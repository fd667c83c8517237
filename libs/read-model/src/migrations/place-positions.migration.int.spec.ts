import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { toArray, type EventStore } from '@lumbung/event-store';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { SqliteEventStore } from '@lumbung/event-store-sqlite';
import { normalizeRow, projectAll, projections, sitesTable, warehousesTable, type Row } from '@lumbung/projections';
import { ScenarioSimulator } from '../../../projections/src/testing/scenario';
import { createTestSchema, describeWithPostgres } from '../../../../test/support/postgres';
import { openReadModel } from '../data-source';
import { queryMapPlaces } from '../queries';
import { ReadModelWriter } from '../read-model.writer';
import { withExecutor } from '../sql-executor';
import { dumpReadModel, feed, runSteps } from '../testing/read-model-testing';
import { READ_MODEL_MIGRATIONS } from './1717200000000-read-model-init.migration';
import { PlacePositions1733700000000 } from './1733700000000-place-positions.migration';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A cluster whose places moved: a warehouse given a new latitude alone, a site a new longitude alone,
 * one renamed without a position (keeps it), one moved on both.
 */
function movedPlaces(): ScenarioSimulator {
  const sim = new ScenarioSimulator({ seed: 3, warehouses: 4, sites: 5 }).setup().run(150);
  const moves: Array<[Parameters<ScenarioSimulator['exec']>[0], string, string, Record<string, unknown>]> = [
    ['warehouse', 'wh-1', 'UpdateWarehouse', { warehouseId: 'wh-1', lat: -2.0512 }],
    ['warehouse', 'wh-2', 'UpdateWarehouse', { warehouseId: 'wh-2', name: 'Gudang Dua' }],
    ['warehouse', 'wh-3', 'UpdateWarehouse', { warehouseId: 'wh-3', lat: -1.23456789, lon: 102.000001 }],
    ['site', 'site-2', 'UpdateSite', { siteId: 'site-2', lon: 102.75 }],
  ];
  for (const [aggregate, id, type, data] of moves) expect([type, id, sim.exec(aggregate, id, type, data)]).toEqual([type, id, true]);
  return sim;
}

/** rm_warehouses and rm_sites as the reference projection makes them of these events (what a rebuild writes), in key order. */
function projectedPlaces(events: Parameters<typeof projectAll>[1]): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  const reference = projectAll(projections, events).find((s) => s.projection.name === 'reference')!;
  for (const t of [warehousesTable, sitesTable]) {
    const key = t.primaryKey[0];
    out[t.name] = [...reference.rows.get(t.name)!.values()].map((r) => normalizeRow(t, r)).sort((a, b) => (String(a[key]) < String(b[key]) ? -1 : 1));
  }
  return out;
}

/** Undoes the migrations from this one on (the columns gone, the rows kept), then runs them again. */
async function migrateAgain(ds: DataSource, between?: () => Promise<void>): Promise<void> {
  const from = READ_MODEL_MIGRATIONS.indexOf(PlacePositions1733700000000);
  for (let i = from; i < READ_MODEL_MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'all' });
  await between?.();
  await ds.runMigrations({ transaction: 'all' });
}

const columnsOf = (ds: DataSource, table: string) =>
  withExecutor(ds, async (sql) =>
    sql.dialect === 'postgres'
      ? (await sql.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?`, [sql.schema, table])).map((c) => c.name)
      : (await sql.query<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [table])).map((c) => c.name));

function positionsSuite(name: string, open: () => Promise<{ store: EventStore; ds: DataSource; eventsBeside: boolean; close(): Promise<void> }>) {
  describe(`the places' positions migration on ${name}`, () => {
    let store: EventStore;
    let ds: DataSource;
    let eventsBeside: boolean;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, ds, eventsBeside, close } = await open()));
    afterEach(async () => close());

    it('adds lat and lon to an older read model, filled from the places’ streams as the projection fills them where the events are in the same database, else left empty', async () => {
      const sim = movedPlaces();
      await runSteps(store, sim.steps);
      for (let i = 0; i < 500 && (await store.headPosition()) < sim.events.length; i++) await sleep(20);
      await feed(store, new ReadModelWriter(ds), 200);
      const expected = projectedPlaces(await toArray(store.readAll()));
      const place = (table: string, id: string) => expected[table].find((r) => r.warehouse_id === id || r.site_id === id)!;
      expect(place('rm_warehouses', 'wh-1')).toMatchObject({ lat: '-2.0512', lon: '103.6' });
      expect(place('rm_warehouses', 'wh-2')).toMatchObject({ name: 'Gudang Dua', lat: '-1.6', lon: '103.6' });
      expect(place('rm_warehouses', 'wh-3')).toMatchObject({ lat: '-1.23456789', lon: '102.000001' });
      expect(place('rm_sites', 'site-2')).toMatchObject({ lat: '-1.7', lon: '102.75' });
      const live = await dumpReadModel(ds, ['reference']);
      for (const t of [warehousesTable.name, sitesTable.name]) expect(live[t]).toEqual(expected[t]);

      await migrateAgain(ds, async () => {
        for (const t of [warehousesTable.name, sitesTable.name]) {
          const columns = await columnsOf(ds, t);
          expect([t, columns.includes('lat'), columns.includes('lon')]).toEqual([t, false, false]);
        }
      });

      const migrated = await dumpReadModel(ds, ['reference']);
      for (const t of [warehousesTable.name, sitesTable.name]) {
        expect(await columnsOf(ds, t)).toEqual(expect.arrayContaining(['lat', 'lon']));
        // filled where the events are reachable; left empty (not guessed) where they are not
        expect([t, migrated[t]]).toEqual([t, eventsBeside ? expected[t] : expected[t].map((r) => ({ ...r, lat: null, lon: null }))]);
      }
      const map = await queryMapPlaces(ds);
      expect(map.warehouses.find((w) => w.id === 'wh-3')).toEqual(
        eventsBeside ? { id: 'wh-3', name: 'Gudang 3', district: expect.any(String), lat: -1.23456789, lon: 102.000001 } : expect.objectContaining({ lat: null, lon: null }),
      );
    });

    it('leaves a read model that has the columns already (made as the definitions are now) as it is', async () => {
      const sim = movedPlaces();
      await runSteps(store, sim.steps);
      for (let i = 0; i < 500 && (await store.headPosition()) < sim.events.length; i++) await sleep(20);
      await feed(store, new ReadModelWriter(ds), 200);
      await withExecutor(ds, (sql) => sql.query(`UPDATE ${sql.table('rm_sites')} SET lat = ? WHERE site_id = ?`, ['9.5', 'site-0']));
      const before = await dumpReadModel(ds, ['reference']);
      const runner = ds.createQueryRunner();
      try {
        await new PlacePositions1733700000000().up(runner);
      } finally {
        await runner.release();
      }
      // nothing added, nothing filled again (the odd value stays, though the events say otherwise)
      expect(await dumpReadModel(ds, ['reference'])).toEqual(before);
      expect(before.rm_sites.find((r) => r.site_id === 'site-0')!.lat).toBe('9.5');
    });
  });
}

describe('PlacePositions1733700000000', () => {
  describeWithPostgres('PostgreSQL', () => {
    // the store and the read models in one schema, as the platform opens them (readModelOptionsFor)
    positionsSuite('PostgreSQL, beside the event store', async () => {
      const schema = await createTestSchema('rm_positions');
      const store = await PostgresEventStore.connect({ connectionString: schema.connectionString, schema: schema.schema, pageSize: 1000 });
      const ds = await openReadModel({ type: 'postgres', url: schema.connectionString, schema: schema.schema });
      return { store, ds, eventsBeside: true, close: async () => { await store.close(); await ds.destroy(); await schema.drop(); } };
    });
  });
  // embedded mode: events and read models in two files
  positionsSuite('SQLite, the events in another file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumbung-positions-'));
    const store = SqliteEventStore.open({ file: join(dir, 'lumbung.db'), synchronous: 'NORMAL' });
    const ds = await openReadModel({ type: 'better-sqlite3', file: join(dir, 'read-models.db') });
    return { store, ds, eventsBeside: false, close: async () => { await store.close(); await ds.destroy(); rmSync(dir, { recursive: true, force: true }); } };
  });
  positionsSuite('SQLite, the events in the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumbung-positions-'));
    const file = join(dir, 'one.db');
    const store = SqliteEventStore.open({ file, synchronous: 'NORMAL' });
    const ds = await openReadModel({ type: 'better-sqlite3', file });
    return { store, ds, eventsBeside: true, close: async () => { await store.close(); await ds.destroy(); rmSync(dir, { recursive: true, force: true }); } };
  });
});
