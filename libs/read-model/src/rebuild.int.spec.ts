import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { toArray, type EventStore } from '@lumbung/event-store';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { SqliteEventStore } from '@lumbung/event-store-sqlite';
import { normalizeRow, projectAll, projections, type Row } from '@lumbung/projections';
import { ScenarioSimulator } from '../../projections/src/testing/scenario';
import { createTestSchema, describeWithPostgres } from '../../../test/support/postgres';
import { openReadModel } from './data-source';
import { ReadModelWriter } from './read-model.writer';
import { rebuildProjections, type RebuildProgress } from './rebuild';
import { dumpReadModel, feed, runSteps } from './testing/read-model-testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PostgreSQL gives positions behind the appends (the sealer): wait until every appended event is in the log. */
async function sealed(store: EventStore, events: number): Promise<void> {
  for (let i = 0; i < 500 && (await store.headPosition()) < events; i++) await sleep(20);
  expect(await store.headPosition()).toBe(events);
}

function rowsOfProjections(events: Parameters<typeof projectAll>[1]): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const s of projectAll(projections, events)) for (const t of s.projection.tables) {
    out[t.name] = s.snapshot()[t.name].map((r) => normalizeRow(t, r));
  }
  return out;
}
const tablesOnly = (d: Record<string, Row[]>) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.endsWith('_stream_revisions')));
/** Sorted by the same key string the in-memory snapshot uses. */
function keyed(d: Record<string, Row[]>): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const p of projections) for (const t of p.tables) {
    if (!d[t.name]) continue;
    const k = (r: Row) => t.primaryKey.map((c) => String(r[c])).join('\u001f');
    out[t.name] = [...d[t.name]].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
  }
  return out;
}

function rebuildSuite(name: string, open: () => Promise<{ store: EventStore; ds: DataSource; close(): Promise<void> }>) {
  describe(`rebuild on ${name}`, () => {
    let store: EventStore;
    let ds: DataSource;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, ds, close } = await open()));
    afterEach(async () => close());

    it('a rebuild into shadow tables, swapped in, equals the incrementally built read model row for row', async () => {
      const sim = new ScenarioSimulator({ seed: 21 }).setup().run(2500);
      await runSteps(store, sim.steps);
      await sealed(store, sim.events.length);
      const writer = new ReadModelWriter(ds);
      await feed(store, writer, 200);
      const live = await dumpReadModel(ds);
      const events = await toArray(store.readAll());
      expect(events.length).toBeGreaterThan(2500);
      expect(keyed(tablesOnly(live))).toEqual(keyed(rowsOfProjections(events)));

      const progress: RebuildProgress[] = [];
      // both stores have a lean read of the log for projections (no metadata, id or hash): the rebuild uses it
      const readAll = jest.spyOn(store, 'readAll');
      const lean = jest.spyOn(store as Required<EventStore>, 'readAllForProjection');
      const result = await rebuildProjections(store, ds, 'all', { flushEvery: 700, chunkSize: 97, onProgress: (p) => progress.push(p) });
      expect(lean).toHaveBeenCalled();
      expect(readAll).not.toHaveBeenCalled();
      readAll.mockRestore();
      lean.mockRestore();
      expect(result).toMatchObject({ events: events.length, position: events[events.length - 1].position, projections: projections.map((p) => p.name) });
      expect(progress.at(-1)).toMatchObject({ phase: 'done', done: result.position, total: result.position });
      // row for row, stream revisions and contexts included
      expect(await dumpReadModel(ds)).toEqual(live);
      if (ds.options.type === 'postgres') {
        // swapped in vacuumed and analysed: planner statistics (reltuples is -1 on a table never
        // analysed) and a vacuum (which builds the visibility map for index-only scans; how many pages
        // it may mark all-visible depends on the oldest snapshot open anywhere on the server, which
        // other tests running beside this one hold, so the count of vacuums is what is checked)
        const schema = (ds.options as { schema?: string }).schema;
        const [r] = (await ds.query(
          `SELECT c.reltuples, s.vacuum_count FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE n.nspname = $1 AND c.relname = 'rm_requests'`,
          [schema],
        )) as Array<{ reltuples: number; vacuum_count: string }>;
        expect(Number(r.reltuples)).toBeGreaterThan(0);
        expect(Number(r.vacuum_count)).toBeGreaterThan(0);
      }

      // tiny windows: most rows and stream contexts are evicted and loaded back, rows are deleted and
      // created again across windows, new rows go in by COPY and rewritten ones by upsert
      const churn = await rebuildProjections(store, ds, 'all', { flushEvery: 60, chunkSize: 17, readAhead: 5, pauseEvery: 7 });
      expect(churn.timings.rowsLoaded).toBeGreaterThan(100);
      expect(await dumpReadModel(ds)).toEqual(live);

      // one projection alone; the others are untouched; the live writer carries on afterwards
      await rebuildProjections(store, ds, ['shipments']);
      expect(await dumpReadModel(ds)).toEqual(live);
      await feed(store, writer, 200);
      expect(await dumpReadModel(ds)).toEqual(live);
    });

    it('the live writer keeps writing during a rebuild and nothing is lost', async () => {
      const sim = new ScenarioSimulator({ seed: 22 }).setup().run(1000);
      const first = sim.steps.length;
      await runSteps(store, sim.steps, 'a');
      sim.run(1200);
      const writer = new ReadModelWriter(ds);
      await feed(store, writer, 150);

      let stop = false;
      let batches = 0;
      const apply = writer.applyBatch.bind(writer);
      writer.applyBatch = async (events, checkpoint) => {
        batches++;
        await apply(events, checkpoint);
      };
      // the live projector: follows the store in small batches the whole time
      const live = (async () => {
        while (!stop) {
          await feed(store, writer, 37);
          await sleep(5);
        }
      })();
      const appending = runSteps(store, sim.steps.slice(first), 'b');
      let rebuilds = 0;
      const rebuilding = (async () => {
        let done = false;
        void appending.then(() => (done = true));
        while (!done || rebuilds === 0) {
          await rebuildProjections(store, ds, rebuilds % 2 ? ['stock', 'fulfilment'] : 'all', { flushEvery: 300, chunkSize: 53, swapWithin: 50 });
          rebuilds++;
        }
      })();
      await Promise.all([appending, rebuilding]);
      await sealed(store, sim.events.length);
      stop = true;
      await live;
      await feed(store, writer, 100);
      expect(rebuilds).toBeGreaterThan(1);
      expect(batches).toBeGreaterThan(10);

      const events = await toArray(store.readAll());
      const after = await dumpReadModel(ds);
      expect(keyed(tablesOnly(after))).toEqual(keyed(rowsOfProjections(events)));
      await rebuildProjections(store, ds, 'all');
      expect(await dumpReadModel(ds)).toEqual(after);
    });
  });
}

describe('rebuildProjections', () => {
  describeWithPostgres('PostgreSQL', () => {
    rebuildSuite('PostgreSQL', async () => {
      const storeSchema = await createTestSchema('rm_rebuild_store');
      const rmSchema = await createTestSchema('rm_rebuild_rm');
      const store = await PostgresEventStore.connect({ connectionString: storeSchema.connectionString, schema: storeSchema.schema, pageSize: 1000 });
      const ds = await openReadModel({ type: 'postgres', url: rmSchema.connectionString, schema: rmSchema.schema });
      return { store, ds, close: async () => { await store.close(); await ds.destroy(); await storeSchema.drop(); await rmSchema.drop(); } };
    });
  });
  rebuildSuite('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumbung-rebuild-'));
    const store = await SqliteEventStore.open({ file: join(dir, 'events.db'), synchronous: 'NORMAL' });
    const ds = await openReadModel({ type: 'better-sqlite3', file: join(dir, 'read-model.db') });
    return { store, ds, close: async () => { await store.close(); await ds.destroy(); rmSync(dir, { recursive: true, force: true }); } };
  });
});
