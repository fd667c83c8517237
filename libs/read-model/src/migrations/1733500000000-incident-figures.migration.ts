import type { MigrationInterface, QueryRunner } from 'typeorm';
import { msBetween, requestLinesTable, requestsTable, type TableDef } from '@lumbung/projections';
import { allTables, createOneIndexSql, quote, type Dialect } from '../schema';

/** The columns this migration adds (the fulfilment projection's, for an incident's key figures and gap matrix). */
const ADDED: ReadonlyArray<readonly [TableDef, string]> = [
  [requestsTable, 'first_delivered_at'],
  [requestsTable, 'ms_to_first_delivery'],
  [requestLinesTable, 'incident_id'],
  [requestLinesTable, 'submitted_at'],
  [requestLinesTable, 'ms_to_full'],
];

/** Rows written back per statement. */
const CHUNK = 5_000;

/**
 * Brings read models made before the incident figures' columns and indexes up to the projections'
 * table definitions, filling the new columns as the projection would have, so that a migrated read
 * model equals a rebuilt one:
 * - rm_requests.first_delivered_at: the earliest delivery of the request's shipments;
 * - rm_request_lines.incident_id and submitted_at: the request's, on the lines of its submission
 *   (line_no > 0: only RequestSubmitted numbers lines, from 1);
 * - the ms_to_* columns, from those times with the projection's own msBetween.
 * Then every secondary index the table definitions declare and a table lacks is created, and the
 * ones they no longer declare are dropped. On a new database the first migration has created the
 * tables as they are now: nothing is added, and the tables are empty.
 */
export class IncidentFigures1733500000000 implements MigrationInterface {
  name = 'IncidentFigures1733500000000';

  async up(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    let added = false;
    for (const [t, column] of ADDED) {
      if ((await m.columns(t.name)).includes(column)) continue;
      const type = t.columns.find((c) => c.name === column)!.type;
      const sqlType = type === 'int' ? (m.d === 'postgres' ? 'bigint NOT NULL DEFAULT 0' : 'INTEGER NOT NULL DEFAULT 0') : m.d === 'postgres' ? 'text' : 'TEXT';
      await q.query(`ALTER TABLE ${m.qualified(t.name)} ADD COLUMN ${quote(column)} ${sqlType}`);
      added = true;
    }
    if (added) await this.fill(m);
    await m.syncIndexes(allTables());
  }

  private async fill(m: MigrationSql): Promise<void> {
    const requests = m.qualified(requestsTable.name);
    const lines = m.qualified(requestLinesTable.name);
    const shipments = m.qualified('rm_shipments');
    await m.q.query(
      `UPDATE ${requests} SET first_delivered_at = (SELECT MIN(sh.delivered_at) FROM ${shipments} sh WHERE sh.request_id = ${requests}.request_id AND sh.delivered_at IS NOT NULL)`,
    );
    await m.q.query(
      `UPDATE ${lines} SET incident_id = (SELECT r.incident_id FROM ${requests} r WHERE r.request_id = ${lines}.request_id),
                           submitted_at = (SELECT r.submitted_at FROM ${requests} r WHERE r.request_id = ${lines}.request_id)
        WHERE line_no > 0`,
    );
    const firsts = await m.q.query(`SELECT request_id, submitted_at, first_delivered_at FROM ${requests} WHERE submitted_at IS NOT NULL AND first_delivered_at IS NOT NULL`);
    await m.setInt(requestsTable, 'ms_to_first_delivery', (firsts as Array<Record<string, string>>).map((r) => ({ key: [r.request_id], value: msBetween(r.submitted_at, r.first_delivered_at) })));
    const fulls = await m.q.query(`SELECT request_id, item_id, submitted_at, full_at FROM ${lines} WHERE submitted_at IS NOT NULL AND full_at IS NOT NULL`);
    await m.setInt(requestLinesTable, 'ms_to_full', (fulls as Array<Record<string, string>>).map((r) => ({ key: [r.request_id, r.item_id], value: msBetween(r.submitted_at, r.full_at) })));
  }

  async down(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    for (const [t, column] of [...ADDED].reverse()) {
      if (!(await m.columns(t.name)).includes(column)) continue;
      // SQLite drops no column an index uses.
      for (const ix of await m.indexes(t.name)) if (ix.columns.includes(column)) await q.query(`DROP INDEX ${m.qualified(ix.name)}`);
      await q.query(`ALTER TABLE ${m.qualified(t.name)} DROP COLUMN ${quote(column)}`);
    }
  }
}

/** The catalogue look-ups and writes of this migration, per dialect. */
class MigrationSql {
  readonly d: Dialect;
  readonly schema: string | undefined;

  constructor(readonly q: QueryRunner) {
    this.d = q.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
    this.schema = this.d === 'postgres' ? ((q.connection.options as { schema?: string }).schema ?? 'public') : undefined;
  }

  qualified = (name: string): string => (this.schema ? `${quote(this.schema)}.${quote(name)}` : quote(name));

  async columns(table: string): Promise<string[]> {
    const rows: Array<{ name: string }> = this.d === 'postgres'
      ? await this.q.query(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`, [this.schema, table])
      : await this.q.query(`SELECT name FROM pragma_table_info(?)`, [table]);
    return rows.map((r) => r.name);
  }

  /** The table's secondary indexes (the primary key's left out) with their columns in order. */
  async indexes(table: string): Promise<Array<{ name: string; columns: string[] }>> {
    if (this.d === 'postgres') {
      const rows: Array<{ name: string; columns: string[] }> = await this.q.query(
        `SELECT i.relname AS name, array_agg(a.attname::text ORDER BY k.ord) AS columns
           FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_class i ON i.oid = x.indexrelid
          CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
          WHERE n.nspname = $1 AND t.relname = $2 AND NOT x.indisprimary GROUP BY i.relname`,
        [this.schema, table],
      );
      return rows;
    }
    const list: Array<{ name: string; origin: string }> = await this.q.query(`SELECT name, origin FROM pragma_index_list(?)`, [table]);
    const out: Array<{ name: string; columns: string[] }> = [];
    for (const ix of list.filter((x) => x.origin === 'c')) {
      const cols: Array<{ name: string }> = await this.q.query(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, [ix.name]);
      out.push({ name: ix.name, columns: cols.map((c) => c.name) });
    }
    return out;
  }

  /**
   * Creates each declared index a table lacks (same columns in the same order) and drops the
   * secondary indexes it has that are no longer declared (only ours: named ix_ as createIndexSql names them).
   */
  async syncIndexes(tables: readonly TableDef[]): Promise<void> {
    for (const t of tables) {
      const have = await this.indexes(t.name);
      const declared = (t.indexes ?? []).map((ix) => ix.join(','));
      for (const ix of have) if (ix.name.startsWith('ix_') && !declared.includes(ix.columns.join(','))) await this.q.query(`DROP INDEX ${this.qualified(ix.name)}`);
      for (let i = 0; i < declared.length; i++) {
        if (!have.some((ix) => ix.columns.join(',') === declared[i])) await this.q.query(createOneIndexSql(t, i, this.d, this.qualified));
      }
    }
  }

  /** Sets an int column on the rows with these keys (the table's primary key, in order). */
  async setInt(t: TableDef, column: string, rows: ReadonlyArray<{ key: readonly string[]; value: number }>): Promise<void> {
    const pk = t.primaryKey;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      if (this.d === 'postgres') {
        const json = JSON.stringify(chunk.map((r) => [...r.key, r.value]));
        const keys = pk.map((k, j) => `t.${quote(k)} = v->>${j}`).join(' AND ');
        await this.q.query(`UPDATE ${this.qualified(t.name)} t SET ${quote(column)} = (v->>${pk.length})::bigint FROM json_array_elements($1::json) v WHERE ${keys}`, [json]);
      } else {
        for (const r of chunk) await this.q.query(`UPDATE ${quote(t.name)} SET ${quote(column)} = ? WHERE ${pk.map((k) => `${quote(k)} = ?`).join(' AND ')}`, [r.value, ...r.key]);
      }
    }
  }
}
