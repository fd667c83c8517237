import { EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import { projections, type Row, type TableDef } from '@lumbung/projections';
import { tablesOf, type Dialect } from './schema';

/** PostgreSQL returns bigint as text: read it back as a number (read-model integers stay far below 2^53). */
const bigintAsNumber = { to: (v: unknown) => v, from: (v: unknown) => (v === null || v === undefined ? v : Number(v)) };

/**
 * TypeORM entities of the read models, generated from the projections' table definitions so that the
 * two never drift. The query API may use them with repositories or query builders; the writer and
 * the rebuild use multi-row SQL instead.
 */
export function entityOf(t: TableDef, d: Dialect, schema?: string): EntitySchema<Row> {
  const columns: Record<string, EntitySchemaColumnOptions> = {};
  for (const c of t.columns) {
    const primary = t.primaryKey.includes(c.name);
    columns[c.name] = c.type === 'int'
      ? { type: d === 'postgres' ? 'bigint' : 'integer', primary, default: 0, transformer: bigintAsNumber }
      : { type: 'text', primary, nullable: !primary };
  }
  return new EntitySchema<Row>({ name: t.name, tableName: t.name, ...(schema ? { schema } : {}), columns });
}

export function readModelEntities(d: Dialect, schema?: string): EntitySchema<Row>[] {
  return projections.flatMap(tablesOf).map((t) => entityOf(t, d, schema));
}
