import type { EventStore, RecordedEvent } from '@lumbung/event-store';
import { keyString, ProjectionState, referenceProjection, type Projection, type Row, type TableDef } from '@lumbung/projections';

/**
 * One stream's events sealed at or before a position, in revision order (the store pages them). A
 * stream's events are sealed in revision order, so the first one past the cut (or not sealed yet:
 * PostgreSQL reports position 0 until the sealer has placed it) ends the stream for this cut.
 */
export async function* streamUpTo(store: EventStore, streamId: string, position: number): AsyncIterable<RecordedEvent> {
  for await (const e of store.readStream(streamId)) {
    if (e.position <= 0 || e.position > position) return;
    yield e;
  }
}

export async function collect(store: EventStore, streamId: string, position: number, into: RecordedEvent[] = []): Promise<RecordedEvent[]> {
  for await (const e of streamUpTo(store, streamId, position)) into.push(e);
  return into;
}

/** Applies events of several streams to fresh projection states, in global order (what the projector saw). */
export function project(projections: readonly Projection[], events: RecordedEvent[]): ProjectionState[] {
  const states = projections.map((p) => new ProjectionState(p));
  events.sort((a, b) => a.position - b.position);
  for (const e of events) for (const s of states) s.apply(e);
  return states;
}

export function rowIn(state: ProjectionState, table: TableDef, key: Row): Row | undefined {
  return state.rows.get(table.name)?.get(keyString(table, key));
}

export function rowsIn(state: ProjectionState, table: TableDef, where: (r: Row) => boolean = () => true): Row[] {
  return [...(state.rows.get(table.name)?.values() ?? [])].filter(where);
}

/**
 * The reference row (item, warehouse, site, member, incident) of one entity as of a position, from
 * its own stream through the reference projection: the name and district a record showed then.
 */
export async function referenceRowAsOf(store: EventStore, streamId: string, table: TableDef, key: Row, position: number): Promise<Row | undefined> {
  const [state] = project([referenceProjection as Projection], await collect(store, streamId, position));
  return rowIn(state, table, key);
}
