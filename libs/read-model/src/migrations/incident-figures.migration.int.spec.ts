import type { DataSource } from 'typeorm';
import { normalizeRow, projectAll, projections, requestLinesTable, requestsTable, rollupIndex, shipmentsTable, type Row, type TableDef } from '@lumbung/projections';
import { ScenarioSimulator } from '../../../projections/src/testing/scenario';
import { READ_MODEL_MIGRATIONS } from './1717200000000-read-model-init.migration';
import { quote, tablesOf } from '../schema';
import { inTransaction, withExecutor } from '../sql-executor';
import { dumpReadModel } from '../testing/read-model-testing';
import { onBothReadModelDatabases } from '../../../../test/support/read-model-databases';

/**
 * The columns the later migrations add (the incident figures', the rollups'); a table as the first
 * migration made it has none of them, and no rollup table exists.
 */
const ADDED: Record<string, string[]> = {
  rm_requests: ['first_delivered_at', 'ms_to_first_delivery'],
  rm_request_lines: ['incident_id', 'submitted_at', 'ms_to_full', 'approved_at'],
  rm_pledge_lines: ['incident_id', 'request_id', 'status'],
  rm_warehouses: ['lat', 'lon'],
  rm_sites: ['lat', 'lon'],
};
/** Coordinates are filled from the events table, which this read model's database has not got: they stay empty. */
const NO_EVENTS: Record<string, string[]> = { rm_warehouses: ['lat', 'lon'], rm_sites: ['lat', 'lon'] };
const withoutEvents = (t: TableDef, r: Row): Row => ({ ...r, ...Object.fromEntries((NO_EVENTS[t.name] ?? []).map((c) => [c, null])) });
const rollupTables = new Set(projections.flatMap((p) => [...rollupIndex(p).targets]));
const before = (t: TableDef): TableDef => ({ ...t, columns: t.columns.filter((c) => !(ADDED[t.name] ?? []).includes(c.name)) });

/** Rows in primary-key order (as dumpReadModel reads them). */
const byKey = (t: TableDef, rows: Row[]): Row[] =>
  [...rows].sort((a, b) => {
    for (const k of t.primaryKey) if (a[k] !== b[k]) return String(a[k]) < String(b[k]) ? -1 : 1;
    return 0;
  });

/** The secondary indexes of a table, with their columns in order. */
async function indexesOf(ds: DataSource, table: string): Promise<Array<{ name: string; columns: string }>> {
  return withExecutor(ds, async (sql) => {
    if (sql.dialect === 'postgres') {
      return sql.query<{ name: string; columns: string }>(
        `SELECT i.relname AS name, string_agg(a.attname::text, ',' ORDER BY k.ord) AS columns
           FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_class i ON i.oid = x.indexrelid
          CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
          WHERE n.nspname = ? AND t.relname = ? AND NOT x.indisprimary GROUP BY i.relname`,
        [sql.schema, table],
      );
    }
    const list = await sql.query<{ name: string; origin: string }>(`SELECT name, origin FROM pragma_index_list(?)`, [table]);
    const out: Array<{ name: string; columns: string }> = [];
    for (const ix of list.filter((x) => x.origin === 'c')) {
      out.push({ name: ix.name, columns: (await sql.query<{ name: string }>(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, [ix.name])).map((c) => c.name).join(',') });
    }
    return out;
  });
}
const indexColumns = async (ds: DataSource, table: string) => (await indexesOf(ds, table)).map((ix) => ix.columns).sort();
const declared = (t: TableDef) => (t.indexes ?? []).map((ix) => ix.join(',')).sort();

function migrationSuite(name: string, open: () => Promise<{ ds: DataSource; close(): Promise<void> }>) {
  describe(`the migrations after the first (incident figures, rollups) on ${name}`, () => {
    let ds: DataSource;
    let close: () => Promise<void>;
    beforeEach(async () => ({ ds, close } = await open()));
    afterEach(async () => close());

    it('fill the new columns and rollup tables of a read model made before them as a rebuild would, and bring the indexes to the table definitions', async () => {
      const sim = new ScenarioSimulator({ seed: 7, incidents: 3 }).setup().run(1200);
      const expected = new Map(projectAll(projections, sim.events).flatMap((s) => [...s.rows].map(([table, rows]) => [table, [...rows.values()]] as const)));
      // Back to the read model as it was: the figures' columns gone (down), an index the tables no
      // longer declare, one they declare missing; then the rows of the whole log written without the
      // new columns.
      for (let i = 1; i < READ_MODEL_MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'all' });
      const shipmentsByIncident = (await indexesOf(ds, 'rm_shipments')).find((ix) => ix.columns === 'incident_id,status,expected_at')!;
      await withExecutor(ds, async (sql) => {
        await sql.query(`CREATE INDEX ${quote('ix_rm_requests_9_old')} ON ${sql.dialect === 'postgres' ? sql.table('rm_requests') : quote('rm_requests')} (${quote('status')})`);
        await sql.query(`DROP INDEX ${sql.dialect === 'postgres' ? sql.table(shipmentsByIncident.name) : quote(shipmentsByIncident.name)}`);
      });
      expect(await indexColumns(ds, 'rm_requests')).toContain('status');
      await inTransaction(ds, async (sql) => {
        for (const p of projections) {
          for (const t of tablesOf(p)) if (expected.has(t.name) && !rollupTables.has(t.name)) await sql.upsertRows(before(t), expected.get(t.name)!.map((r) => normalizeRow(before(t), r)));
        }
      });

      await ds.runMigrations({ transaction: 'all' });

      const dump = await dumpReadModel(ds);
      // every table, the rollups filled from their sources included
      for (const p of projections) {
        for (const t of p.tables) expect([t.name, dump[t.name]]).toEqual([t.name, byKey(t, expected.get(t.name)!.map((r) => withoutEvents(t, normalizeRow(t, r))))]);
      }
      for (const t of rollupTables) expect(dump[t].length).toBeGreaterThan(0);
      // not trivially: times to delivery were filled
      expect(dump.rm_requests.filter((r) => Number(r.ms_to_first_delivery) > 0).length).toBeGreaterThan(10);
      expect(dump.rm_request_lines.filter((r) => Number(r.ms_to_full) > 0).length).toBeGreaterThan(10);
      for (const t of [requestsTable, requestLinesTable, shipmentsTable]) expect(await indexColumns(ds, t.name)).toEqual(declared(t));
    });

    it('leaves a new read model as the first migration made it: every column and index of the table definitions, once', async () => {
      for (const t of [requestsTable, requestLinesTable, shipmentsTable]) {
        expect(await indexColumns(ds, t.name)).toEqual(declared(t));
        const columns = await withExecutor(ds, (sql) =>
          sql.dialect === 'postgres'
            ? sql.query<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?`, [sql.schema, t.name])
            : sql.query<{ name: string }>(`SELECT name FROM pragma_table_info(?)`, [t.name]),
        );
        expect(columns.map((c) => c.name).sort()).toEqual(t.columns.map((c) => c.name).sort());
      }
    });
  });
}

describe('read-model migrations', () => {
  onBothReadModelDatabases('rm_migrate', migrationSuite);
});
