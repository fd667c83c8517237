import { projections, type ColumnDef, type Projection, type TableDef } from '@lumbung/projections';

export type Dialect = 'postgres' | 'sqlite';

/**
 * Per projection, the revision it has applied of each stream and the stream's context after it. It
 * lives beside the projection's tables (and is rebuilt and swapped with them): a redelivered event at
 * or below the revision has no effect, whatever the source that delivers it.
 */
export function streamRevisionsTable(p: Projection): TableDef {
  return {
    name: `rm_${p.name}_stream_revisions`,
    primaryKey: ['stream_id'],
    columns: [{ name: 'stream_id', type: 'text' }, { name: 'revision', type: 'int' }, { name: 'context', type: 'text' }],
  };
}

/** Kafka partition offsets (or any source's positions) the projector has applied. */
export const CHECKPOINTS_TABLE = 'projection_checkpoints';

/** Every table a projection owns: its rows and its stream revisions. */
export const tablesOf = (p: Projection): TableDef[] => [...p.tables, streamRevisionsTable(p)];
export const allTables = (): TableDef[] => projections.flatMap(tablesOf);

const columnType = (c: ColumnDef, d: Dialect) => (c.type === 'int' ? (d === 'postgres' ? 'bigint NOT NULL DEFAULT 0' : 'INTEGER NOT NULL DEFAULT 0') : d === 'postgres' ? 'text' : 'TEXT');

export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * DDL of one table under a given name. Constraint and index names carry a per-creation token, because
 * PostgreSQL keeps them when a table is renamed: a shadow table swapped in must not collide with the
 * names the next rebuild's shadow takes.
 */
export function createTableSql(
  t: TableDef,
  d: Dialect,
  qualified: (name: string) => string,
  name = t.name,
  token = newToken(),
  o: { indexes?: boolean; unlogged?: boolean } = {},
): string[] {
  const key = t.primaryKey.map((k) => t.columns.find((c) => c.name === k)!);
  const cols = t.columns.map((c) => {
    const isKey = t.primaryKey.includes(c.name);
    return `${quote(c.name)} ${isKey && c.type === 'text' ? (d === 'postgres' ? 'text NOT NULL' : 'TEXT NOT NULL') : columnType(c, d)}`;
  });
  const pk = `CONSTRAINT ${quote(`pk_${name}_${token}`.slice(0, 63))} PRIMARY KEY (${key.map((c) => quote(c.name)).join(', ')})`;
  const stmts = [`CREATE ${o.unlogged && d === 'postgres' ? 'UNLOGGED ' : ''}TABLE ${qualified(name)} (${[...cols, pk].join(', ')})`];
  if (o.indexes !== false) stmts.push(...createIndexSql(t, d, qualified, name, token));
  return stmts;
}

/** The table's secondary indexes (a rebuild creates them once its shadow is loaded: cheaper than maintaining them row by row). */
export function createIndexSql(t: TableDef, d: Dialect, qualified: (name: string) => string, name = t.name, token = newToken()): string[] {
  return (t.indexes ?? []).map((_, i) => createOneIndexSql(t, i, d, qualified, name, token));
}

/** The table's i-th secondary index (a migration adds one that an older table lacks). */
export function createOneIndexSql(t: TableDef, i: number, d: Dialect, qualified: (name: string) => string, name = t.name, token = newToken()): string {
  const ix = (t.indexes ?? [])[i];
  const ixName = `ix_${name}_${i}_${token}`.slice(0, 63);
  // SQLite qualifies the index name (schema.index), PostgreSQL the table.
  return d === 'postgres'
    ? `CREATE INDEX ${quote(ixName)} ON ${qualified(name)} (${ix.map(quote).join(', ')})`
    : `CREATE INDEX ${quote(ixName)} ON ${quote(name)} (${ix.map(quote).join(', ')})`;
}

export function createCheckpointsSql(d: Dialect, qualified: (name: string) => string): string[] {
  const int = d === 'postgres' ? 'bigint' : 'INTEGER';
  return [`CREATE TABLE ${qualified(CHECKPOINTS_TABLE)} ("source" ${d === 'postgres' ? 'text' : 'TEXT'} NOT NULL, "partition" ${int} NOT NULL, "position" ${int} NOT NULL, "updated_at" ${d === 'postgres' ? 'text' : 'TEXT'}, PRIMARY KEY ("source", "partition"))`];
}

let tokenSeq = 0;
export function newToken(): string {
  return `${Date.now().toString(36)}${(tokenSeq++ % 1296).toString(36).padStart(2, '0')}`;
}
