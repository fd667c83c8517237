import { normalizeRow, ProjectionState, type Projection, type Row, type TableDef } from '@lumbung/projections';
import { streamRevisionsTable } from './schema';
import type { SqlExecutor } from './sql-executor';

/** Table names a projection's rows are written under (live, or the rebuild's shadows). */
export type TableNames = (t: TableDef) => string;
export const liveNames: TableNames = (t) => t.name;
export const shadowNames: TableNames = (t) => `${t.name}_shadow`;

const contextJson = (p: Projection, ctx: unknown): string | null =>
  !p.context || ctx === p.context.initial || ctx === null || ctx === undefined ? null : JSON.stringify(ctx);
const contextOf = (p: Projection, json: string | null): unknown => (json === null ? (p.context?.initial ?? null) : JSON.parse(json));

/** Seeds a state with the stream revisions (and contexts) of the given streams, read from the database. */
export async function loadStreams(sql: SqlExecutor, state: ProjectionState, streamIds: string[], names: TableNames = liveNames): Promise<void> {
  if (!streamIds.length) return;
  const t = streamRevisionsTable(state.projection);
  const rows = await sql.loadRows(t, streamIds.map((stream_id) => ({ stream_id })), names(t));
  for (const r of rows) state.seedStream(r.stream_id as string, { revision: r.revision as number, context: contextOf(state.projection, r.context as string | null) });
}

/** Writes what changed in a state since the last write: row upserts and deletes, and stream revisions. */
export async function writeChanges(sql: SqlExecutor, state: ProjectionState, names: TableNames = liveNames): Promise<number> {
  return writeTaken(sql, state.projection, state.takeChanges(), names);
}

/** Writes changes taken from a state earlier (rows are immutable values, so they are a consistent snapshot). */
export async function writeTaken(sql: SqlExecutor, projection: Projection, taken: ReturnType<ProjectionState['takeChanges']>, names: TableNames = liveNames): Promise<number> {
  const { rows } = taken;
  // stream states are updated in place by later events: read them now
  const streams = taken.streams.map(([id, s]) => ({ stream_id: id, revision: s.revision, context: contextJson(projection, s.context) }));
  const byTable = new Map<TableDef, { up: Row[]; del: Row[] }>();
  for (const e of rows) {
    let b = byTable.get(e.table);
    if (!b) byTable.set(e.table, (b = { up: [], del: [] }));
    if (e.row) b.up.push(normalizeRow(e.table, e.row));
    else b.del.push(e.key);
  }
  for (const [t, b] of byTable) {
    await sql.deleteRows(t, b.del, names(t));
    await sql.upsertRows(t, b.up, names(t));
  }
  const rt = streamRevisionsTable(projection);
  await sql.upsertRows(rt, streams, names(rt));
  return rows.length + streams.length;
}
