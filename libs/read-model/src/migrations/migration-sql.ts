import type { QueryRunner } from 'typeorm';
import { normalizeRow, type Row, type TableDef } from '@lumbung/projections';
import { createOneIndexSql, quote, type Dialect } from '../schema';

/** Rows written back per statement. */
const CHUNK = 5_000;

/** The catalogue look-ups and writes of the read-model migrations, per dialect. */
export class MigrationSql {
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
      // A table or column that a later migration adds is skipped here; that migration syncs again.
      if (!(await this.tableExists(t.name))) continue;
      const columns = new Set(await this.columns(t.name));
      const have = await this.indexes(t.name);
      const declared = (t.indexes ?? []).map((ix) => ix.join(','));
      for (const ix of have) if (ix.name.startsWith('ix_') && !declared.includes(ix.columns.join(','))) await this.q.query(`DROP INDEX ${this.qualified(ix.name)}`);
      for (let i = 0; i < declared.length; i++) {
        if (!t.indexes![i].every((c) => columns.has(c))) continue;
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

  async tableExists(table: string): Promise<boolean> {
    const rows: unknown[] = this.d === 'postgres'
      ? await this.q.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2`, [this.schema, table])
      : await this.q.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, [table]);
    return rows.length > 0;
  }

  /** `n`-th parameter placeholder of this dialect (from 1). */
  param = (n: number): string => (this.d === 'postgres' ? `$${n}` : '?');

  /** Every row of a table in primary-key order, a page at a time (keyset paging), normalised to the table definition. */
  async *scan(t: TableDef, page = CHUNK): AsyncGenerator<Row[]> {
    const pk = t.primaryKey.map(quote).join(', ');
    let last: Row | undefined;
    for (;;) {
      const after = last ? `WHERE (${pk}) > (${t.primaryKey.map((_, i) => this.param(i + 1)).join(', ')})` : '';
      const rows: Row[] = await this.q.query(`SELECT * FROM ${this.qualified(t.name)} ${after} ORDER BY ${pk} LIMIT ${page}`, last ? t.primaryKey.map((k) => last![k]) : []);
      if (!rows.length) return;
      yield rows.map((r) => normalizeRow(t, r));
      if (rows.length < page) return;
      last = rows[rows.length - 1];
    }
  }

  /** Inserts rows (every column of the table definition) in multi-row statements. */
  async insertRows(t: TableDef, rows: readonly Row[]): Promise<void> {
    const cols = t.columns.map((c) => c.name);
    const per = Math.max(1, Math.floor(900 / cols.length));
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      let n = 0;
      const values = chunk.map(() => `(${cols.map(() => this.param(++n)).join(', ')})`).join(', ');
      await this.q.query(`INSERT INTO ${this.qualified(t.name)} (${cols.map(quote).join(', ')}) VALUES ${values}`, chunk.flatMap((r) => cols.map((c) => r[c] ?? null)));
    }
  }
}
