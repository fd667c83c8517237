import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { toArray, type EventStore } from '@lumbung/event-store';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { SqliteEventStore } from '@lumbung/event-store-sqlite';
import { normalizeRow, pledgeLinesTable, pledgesProjection, projectAll, type Row, type TableDef } from '@lumbung/projections';
import { ScenarioSimulator } from '../../../projections/src/testing/scenario';
import { createTestSchema, describeWithPostgres } from '../../../../test/support/postgres';
import { openReadModel } from '../data-source';
import { ReadModelWriter } from '../read-model.writer';
import { rebuildProjections } from '../rebuild';
import { inTransaction, withExecutor } from '../sql-executor';
import { dumpReadModel, feed, runSteps } from '../testing/read-model-testing';
import { READ_MODEL_MIGRATIONS } from './1717200000000-read-model-init.migration';
import { IncidentPledges1733800000000, PLEDGE_LINE_SCOPE } from './1733800000000-incident-pledges.migration';
import { pledgeForRequests } from '../../../projections/src/testing/pledges';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** rm_pledge_lines as it was before this migration: without its pledge's scope. */
const linesBefore: TableDef = { ...pledgeLinesTable, columns: pledgeLinesTable.columns.filter((c) => !(PLEDGE_LINE_SCOPE as readonly string[]).includes(c.name)) };


function scenario(seed: number): ScenarioSimulator {
  const sim = new ScenarioSimulator({ seed, incidents: 3 }).setup().run(1200);
  pledgeForRequests(sim, 24);
  return sim.run(300);
}

/** Rows in primary-key order (as dumpReadModel reads them). */
const byKey = (t: TableDef, rows: Row[]): Row[] =>
  [...rows].sort((a, b) => {
    for (const k of t.primaryKey) if (a[k] !== b[k]) return String(a[k]) < String(b[k]) ? -1 : 1;
    return 0;
  });

/** The columns of a table, and its secondary indexes (their columns in order). */
async function shapeOf(ds: DataSource, table: string): Promise<{ columns: string[]; indexes: string[] }> {
  return withExecutor(ds, async (sql) => {
    if (sql.dialect === 'postgres') {
      const columns = await sql.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?`, [sql.schema, table]);
      const indexes = await sql.query<{ columns: string }>(
        `SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) AS columns
           FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
          CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
          WHERE n.nspname = ? AND t.relname = ? AND NOT x.indisprimary GROUP BY x.indexrelid`,
        [sql.schema, table],
      );
      return { columns: columns.map((c) => c.name).sort(), indexes: indexes.map((i) => i.columns).sort() };
    }
    const columns = await sql.query<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [table]);
    const indexes: string[] = [];
    for (const ix of (await sql.query<{ name: string; origin: string }>(`SELECT name, origin FROM pragma_index_list(?)`, [table])).filter((x) => x.origin === 'c')) {
      indexes.push((await sql.query<{ name: string }>(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, [ix.name])).map((c) => c.name).join(','));
    }
    return { columns: columns.map((c) => c.name).sort(), indexes: indexes.sort() };
  });
}
const declared = (t: TableDef) => ({ columns: t.columns.map((c) => c.name).sort(), indexes: (t.indexes ?? []).map((ix) => ix.join(',')).sort() });
const undeclared = (t: TableDef) => ({
  columns: linesBefore.columns.map((c) => c.name).sort(),
  indexes: (t.indexes ?? []).filter((ix) => !ix.some((c) => (PLEDGE_LINE_SCOPE as readonly string[]).includes(c))).map((ix) => ix.join(',')).sort(),
});

/** Undoes the migrations from this one on (the read model as it was before it, rows kept), then runs them again. */
async function migrateAgain(ds: DataSource, between?: () => Promise<void>): Promise<void> {
  const from = READ_MODEL_MIGRATIONS.indexOf(IncidentPledges1733800000000);
  expect(from).toBeGreaterThan(0);
  for (let i = from; i < READ_MODEL_MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'all' });
  await between?.();
  await ds.runMigrations({ transaction: 'all' });
}

function migrationSuite(name: string, open: () => Promise<{ store: EventStore; ds: DataSource; close(): Promise<void> }>) {
  describe(`the pledge lines' scope (incident, request, status) on ${name}`, () => {
    let store: EventStore;
    let ds: DataSource;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, ds, close } = await open()));
    afterEach(async () => close());

    it('the migration fills the lines of a read model made before them as the projection writes them, and creates their indexes', async () => {
      const sim = scenario(7);
      const state = projectAll([pledgesProjection], sim.events)[0];
      const expected = (t: TableDef) => byKey(t, [...state.rows.get(t.name)!.values()].map((r) => normalizeRow(t, r)));
      await migrateAgain(ds, async () => {
        expect(await shapeOf(ds, pledgeLinesTable.name)).toEqual(undeclared(pledgeLinesTable));
        // the pledges projection's rows as an older read model holds them: the lines without their scope
        await inTransaction(ds, async (sql) => {
          for (const t of pledgesProjection.tables) {
            const table = t === pledgeLinesTable ? linesBefore : t;
            await sql.upsertRows(table, [...state.rows.get(t.name)!.values()].map((r) => normalizeRow(table, r)));
          }
        });
      });
      const dump = await dumpReadModel(ds, ['pledges']);
      for (const t of pledgesProjection.tables) expect([t.name, dump[t.name]]).toEqual([t.name, expected(t)]);
      expect(await shapeOf(ds, pledgeLinesTable.name)).toEqual(declared(pledgeLinesTable));
      // not trivially: lines of pledges for a request, and of each status
      const lines = dump[pledgeLinesTable.name];
      expect(lines.filter((l) => l.request_id !== null && l.status === 'accepted').length).toBeGreaterThan(3);
      expect(new Set(lines.map((l) => l.status))).toEqual(new Set(['offered', 'accepted', 'declined', 'withdrawn', 'lapsed', 'fulfilled']));
    });

    it('a new read model has the columns and indexes of the table definition; down takes them away, up brings them back', async () => {
      expect(await shapeOf(ds, pledgeLinesTable.name)).toEqual(declared(pledgeLinesTable));
      await migrateAgain(ds, async () => expect(await shapeOf(ds, pledgeLinesTable.name)).toEqual(undeclared(pledgeLinesTable)));
      expect(await shapeOf(ds, pledgeLinesTable.name)).toEqual(declared(pledgeLinesTable));
    });

    it('a rebuild equals the live read model, the lines’ scope included, and each line repeats its pledge', async () => {
      const sim = scenario(9);
      await runSteps(store, sim.steps);
      for (let i = 0; i < 500 && (await store.headPosition()) < sim.events.length; i++) await sleep(20);
      expect(await store.headPosition()).toBe(sim.events.length);
      await feed(store, new ReadModelWriter(ds), 97);
      const live = await dumpReadModel(ds, ['pledges']);
      const pledges = new Map(live.rm_pledges.map((p) => [p.pledge_id, p]));
      for (const l of live.rm_pledge_lines) {
        const p = pledges.get(l.pledge_id)!;
        expect([l.pledge_id, l.incident_id, l.request_id, l.status]).toEqual([p.pledge_id, p.incident_id, p.request_id, p.status]);
      }
      expect(live.rm_pledge_lines.filter((l) => l.request_id !== null).length).toBeGreaterThan(10);
      const projected = projectAll([pledgesProjection], await toArray(store.readAll()))[0];
      expect(live.rm_pledge_lines).toEqual(byKey(pledgeLinesTable, [...projected.rows.get(pledgeLinesTable.name)!.values()].map((r) => normalizeRow(pledgeLinesTable, r))));

      await rebuildProjections(store, ds, ['pledges'], { flushEvery: 300, chunkSize: 41 });
      expect(await dumpReadModel(ds, ['pledges'])).toEqual(live);
    });
  });
}

describe('the incident pledges migration (rm_pledge_lines: incident_id, request_id, status)', () => {
  describeWithPostgres('PostgreSQL', () => {
    migrationSuite('PostgreSQL', async () => {
      const storeSchema = await createTestSchema('rm_plscope_store');
      const rmSchema = await createTestSchema('rm_plscope_rm');
      const store = await PostgresEventStore.connect({ connectionString: storeSchema.connectionString, schema: storeSchema.schema, pageSize: 1000 });
      const ds = await openReadModel({ type: 'postgres', url: rmSchema.connectionString, schema: rmSchema.schema });
      return { store, ds, close: async () => { await store.close(); await ds.destroy(); await storeSchema.drop(); await rmSchema.drop(); } };
    });
  });
  migrationSuite('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumbung-plscope-'));
    const store = await SqliteEventStore.open({ file: join(dir, 'events.db'), synchronous: 'NORMAL' });
    const ds = await openReadModel({ type: 'better-sqlite3', file: join(dir, 'read-model.db') });
    return { store, ds, close: async () => { await store.close(); await ds.destroy(); rmSync(dir, { recursive: true, force: true }); } };
  });
});
