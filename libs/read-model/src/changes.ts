import { EventEmitter } from 'node:events';
import type { RecordedEvent } from '@lumbung/event-store';
import type { ProjectionState, Row } from '@lumbung/projections';
import type { SqlExecutor } from './sql-executor';

/**
 * What one committed read-model batch changed, small enough to announce to every open dashboard
 * (PostgreSQL NOTIFY carries it across processes, so it stays under NOTIFY's 8000-byte payload).
 * The id lists name what the touched rows say about themselves; a reader that needs more (the
 * incident of a request) looks it up. `truncated` means the lists were left out: anything may have
 * changed, refresh everything.
 */
export interface ReadModelChange {
  v: 1;
  /** the checkpoint stored with the batch: the log the events came from, its partition and position */
  source: string;
  partition: number;
  checkpoint: number;
  /** highest global (event store) position among the batch's events: comparable across sources */
  position: number;
  /** events in the batch */
  events: number;
  /** when the writer committed (ISO-8601) */
  at: string;
  /** projections whose rows the batch touched, and their tables */
  projections: string[];
  tables: string[];
  incidents: string[];
  warehouses: string[];
  sites: string[];
  members: string[];
  requests: string[];
  truncated?: boolean;
}

export type ChangeListener = (change: ReadModelChange) => void;

/**
 * Announces read-model batches once they are committed, and lets readers (the query API's event
 * stream) follow them. The writer calls publishInTransaction inside its transaction, before COMMIT
 * (where an announcement must share the transaction's fate: PostgreSQL's NOTIFY is delivered only on
 * commit), then publishCommitted after COMMIT (where it is delivered in-process).
 */
export interface ReadModelChanges {
  publishInTransaction(sql: SqlExecutor, change: ReadModelChange): Promise<void>;
  publishCommitted(change: ReadModelChange): void;
  /** returns the unsubscribe function */
  subscribe(listener: ChangeListener): () => void;
  /** where subscribing takes a moment (LISTEN): resolves once subscribers hear of every later commit */
  ready?(): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep a margin. */
export const MAX_CHANGE_BYTES = 7900;

const ID_COLUMNS: ReadonlyArray<[keyof Pick<ReadModelChange, 'incidents' | 'warehouses' | 'sites' | 'members' | 'requests'>, string]> = [
  ['incidents', 'incident_id'],
  ['warehouses', 'warehouse_id'],
  ['sites', 'site_id'],
  ['members', 'member_id'],
  ['members', 'owner_member_id'],
  ['requests', 'request_id'],
];

/**
 * The summary of a batch from the projections' in-memory states after the writer applied it: the
 * writer's states hold exactly the rows the batch touched (loaded by key, then changed), so their
 * id columns say which incidents, warehouses, sites, members and requests the batch concerns.
 * Undefined when the batch touched nothing (a redelivery).
 */
export function summarizeBatch(
  states: readonly ProjectionState[],
  events: readonly RecordedEvent[],
  checkpoint: { source: string; partition: number; position: number },
  at = new Date().toISOString(),
): ReadModelChange | undefined {
  const projections: string[] = [];
  const tables: string[] = [];
  const ids = { incidents: new Set<string>(), warehouses: new Set<string>(), sites: new Set<string>(), members: new Set<string>(), requests: new Set<string>() };
  for (const s of states) {
    let touched = false;
    for (const t of s.projection.tables) {
      const rows = s.rows.get(t.name);
      if (!rows || rows.size === 0) continue;
      touched = true;
      tables.push(t.name);
      for (const r of rows.values()) collectIds(r, ids);
    }
    if (touched) projections.push(s.projection.name);
  }
  if (!projections.length) return undefined;
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    v: 1,
    source: checkpoint.source,
    partition: checkpoint.partition,
    checkpoint: checkpoint.position,
    position: events.reduce((m, e) => Math.max(m, e.position ?? 0), 0),
    events: events.length,
    at,
    projections,
    tables: tables.sort(),
    incidents: sorted(ids.incidents),
    warehouses: sorted(ids.warehouses),
    sites: sorted(ids.sites),
    members: sorted(ids.members),
    requests: sorted(ids.requests),
  };
}

function collectIds(r: Row, ids: Record<string, Set<string>>): void {
  for (const [list, col] of ID_COLUMNS) {
    const v = r[col];
    if (typeof v === 'string' && v) ids[list].add(v);
  }
  // A shipment names its destination by kind.
  const dest = r.destination_id;
  if (typeof dest === 'string' && dest) {
    if (r.destination_kind === 'site') ids.sites.add(dest);
    else if (r.destination_kind === 'warehouse') ids.warehouses.add(dest);
  }
}

/** The change without its id lists: "something changed up to here". */
export function truncatedChange(c: Pick<ReadModelChange, 'source' | 'partition' | 'checkpoint' | 'position' | 'events' | 'at'> & { projections?: string[]; tables?: string[] }): ReadModelChange {
  return {
    v: 1, source: c.source, partition: c.partition, checkpoint: c.checkpoint, position: c.position, events: c.events, at: c.at,
    projections: c.projections ?? [], tables: c.tables ?? [], incidents: [], warehouses: [], sites: [], members: [], requests: [], truncated: true,
  };
}

/** JSON of the change, or of its truncated form when the whole would exceed `maxBytes`. */
export function encodeChange(c: ReadModelChange, maxBytes = MAX_CHANGE_BYTES): string {
  const whole = JSON.stringify(c);
  if (Buffer.byteLength(whole) <= maxBytes) return whole;
  const lean = JSON.stringify(truncatedChange(c));
  if (Buffer.byteLength(lean) <= maxBytes) return lean;
  return JSON.stringify(truncatedChange({ ...c, projections: [], tables: [] }));
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Parses a payload another process sent; undefined for anything that is not a version-1 change. */
export function decodeChange(payload: string | undefined): ReadModelChange | undefined {
  if (!payload) return undefined;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!o || o.v !== 1 || typeof o.source !== 'string' || typeof o.position !== 'number') return undefined;
  const lists = ['projections', 'tables', 'incidents', 'warehouses', 'sites', 'members', 'requests'] as const;
  for (const k of lists) if (!isStringArray(o[k])) return undefined;
  return o as unknown as ReadModelChange;
}

/**
 * Calls each listener, so that one that throws neither stops the others nor reaches the writer (a
 * dashboard's trouble must never fail a projection batch).
 */
export function deliver(listeners: Iterable<ChangeListener>, change: ReadModelChange, onError?: (err: Error) => void): void {
  for (const l of listeners) {
    try {
      l(change);
    } catch (err) {
      onError?.(err as Error);
    }
  }
}

/**
 * Embedded mode: the writer and the query routes share a process, so the announcement is a plain
 * event after COMMIT (nothing crosses a process boundary, nothing to put in the transaction).
 */
export class InProcessReadModelChanges implements ReadModelChanges {
  private readonly emitter = new EventEmitter();

  constructor(private readonly onError?: (err: Error) => void) {
    // One listener per open event stream: no leak warning at 11 dashboards.
    this.emitter.setMaxListeners(0);
  }

  async publishInTransaction(): Promise<void> {}

  publishCommitted(change: ReadModelChange): void {
    deliver(this.emitter.listeners('change') as ChangeListener[], change, this.onError);
  }

  subscribe(listener: ChangeListener): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
