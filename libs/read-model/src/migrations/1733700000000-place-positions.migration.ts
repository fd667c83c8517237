import type { MigrationInterface, QueryRunner } from 'typeorm';
import { placeCoordinate, sitesTable, warehousesTable, type RowValue, type TableDef } from '@lumbung/projections';
import { quote } from '../schema';
import { MigrationSql } from './migration-sql';

/** The places and the prefix of their streams' ids (libs/domain's streamIds.warehouse / streamIds.site). */
const PLACES: ReadonlyArray<{ table: TableDef; stream: string }> = [
  { table: warehousesTable, stream: 'warehouse-' },
  { table: sitesTable, stream: 'site-' },
];
const ADDED = ['lat', 'lon'];

/** Places written back per statement. */
const CHUNK = 2_000;

/**
 * Brings read models made before the places' coordinates (rm_warehouses and rm_sites lat, lon: the
 * dashboard's map) up to the table definitions. The columns are added, then filled as the reference
 * projection fills them, from the place's own stream: each registration or update that carries a
 * number sets it (placeCoordinate, the projection's own function), in stream order.
 *
 * The events are read where this migration can reach them: the event store's `events` table in the
 * same database (PostgreSQL's store keeps it in the read models' schema; both stores name their
 * columns alike). Embedded mode keeps its events in another SQLite file: there the columns stay empty
 * until the reference projection is rebuilt (npm run projections -- rebuild reference), and the
 * query API's map folds the streams of the places that still lack them (apps/query-api's
 * dashboard/positions.ts). On a new database the first migration has made the columns: nothing
 * happens here.
 */
export class PlacePositions1733700000000 implements MigrationInterface {
  name = 'PlacePositions1733700000000';

  async up(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    const added: TableDef[] = [];
    for (const { table } of PLACES) {
      const have = await m.columns(table.name);
      const missing = ADDED.filter((c) => !have.includes(c));
      for (const c of missing) await q.query(`ALTER TABLE ${m.qualified(table.name)} ADD COLUMN ${quote(c)} ${m.d === 'postgres' ? 'text' : 'TEXT'}`);
      if (missing.length) added.push(table);
    }
    if (!added.length || !(await eventsReachable(m))) return;
    for (const { table, stream } of PLACES) if (added.includes(table)) await fill(m, table, stream);
  }

  async down(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    for (const { table } of PLACES) {
      const have = await m.columns(table.name);
      for (const c of [...ADDED].reverse()) if (have.includes(c)) await q.query(`ALTER TABLE ${m.qualified(table.name)} DROP COLUMN ${quote(c)}`);
    }
  }
}

/** Whether this database holds the event store's events (stream id, revision, JSON data). */
async function eventsReachable(m: MigrationSql): Promise<boolean> {
  if (!(await m.tableExists('events'))) return false;
  const columns = await m.columns('events');
  return ['stream_id', 'revision', 'data'].every((c) => columns.includes(c));
}

/**
 * Folds the coordinates of every place of `table` from its stream's events and writes them. The
 * values come out of the JSON as numbers (jsonb through the pg driver, json_extract in SQLite), so
 * that placeCoordinate turns them into the same text the projection writes.
 */
async function fill(m: MigrationSql, table: TableDef, stream: string): Promise<void> {
  const key = table.primaryKey[0];
  const places = m.qualified(table.name);
  const events = m.qualified('events');
  const prefix = m.param(1);
  const rows: Array<{ id: string; lat: unknown; lon: unknown }> = await m.q.query(
    m.d === 'postgres'
      ? `SELECT p.${quote(key)} AS id, e.data->'lat' AS lat, e.data->'lon' AS lon
           FROM ${places} p JOIN ${events} e ON e.stream_id = ${prefix} || p.${quote(key)} ORDER BY p.${quote(key)}, e.revision`
      : `SELECT p.${quote(key)} AS id, json_extract(e.data, '$.lat') AS lat, json_extract(e.data, '$.lon') AS lon
           FROM ${places} p JOIN ${events} e ON e.stream_id = ${prefix} || p.${quote(key)} ORDER BY p.${quote(key)}, e.revision`,
    [stream],
  );
  const folded = new Map<string, { lat: RowValue; lon: RowValue }>();
  for (const r of rows) {
    const before = folded.get(r.id);
    folded.set(r.id, { lat: placeCoordinate(r.lat, before?.lat), lon: placeCoordinate(r.lon, before?.lon) });
  }
  const values = [...folded].filter(([, p]) => p.lat !== null || p.lon !== null).map(([id, p]) => [id, p.lat, p.lon] as const);
  for (let i = 0; i < values.length; i += CHUNK) {
    const chunk = values.slice(i, i + CHUNK);
    if (m.d === 'postgres') {
      await m.q.query(
        `UPDATE ${places} t SET lat = v->>1, lon = v->>2 FROM json_array_elements($1::json) v WHERE t.${quote(key)} = v->>0`,
        [JSON.stringify(chunk)],
      );
    } else {
      for (const [id, lat, lon] of chunk) await m.q.query(`UPDATE ${places} SET lat = ?, lon = ? WHERE ${quote(key)} = ?`, [lat, lon, id]);
    }
  }
}
