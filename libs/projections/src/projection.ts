import type { RecordedEvent } from '@lumbung/event-store';
import type { Rollup } from './rollup';

/**
 * A projection is pure: for an event (and the context its own stream has built so far) it lists the
 * rows it changes, each change a function of the row's previous value only. It never reads another
 * row to decide. That is what lets the live projector apply events of different streams in whatever
 * order Kafka's partitions deliver them and still converge on the same rows: every column is either
 * written by one stream only (whose events arrive in order), or an additive counter / a max / a min
 * that several streams accumulate in any order.
 */

/** Columns are portable across PostgreSQL and SQLite: text (ids, ISO times, JSON text) or integer. */
export type ColumnType = 'text' | 'int';
export type RowValue = string | number | null;
/** A read-model row: flat, JSON-able, one property per column. */
export type Row = Record<string, RowValue>;

export interface ColumnDef {
  name: string;
  type: ColumnType;
}

export interface TableDef {
  /** table name in the read-model database */
  name: string;
  columns: readonly ColumnDef[];
  /** primary key columns, in order */
  primaryKey: readonly string[];
  /** secondary indexes (column lists) the queries need */
  indexes?: ReadonlyArray<readonly string[]>;
}

/** One row a given event changes: its table, key, and the new value from the old (undefined = delete). */
export interface RowChange {
  table: TableDef;
  key: Row;
  apply(row: Row | undefined): Row | undefined;
}

/**
 * State a projection keeps per stream, folded from that stream's own events only (so it is the same
 * whatever the interleaving with other streams). It carries what later events of the stream need but
 * do not repeat, such as the request a dispatch serves when its receipt arrives.
 */
export interface StreamContext<C> {
  initial: C;
  evolve(ctx: C, event: ProjectionEvent): C;
}

export type ProjectionEvent = RecordedEvent;

export interface Projection<C = unknown> {
  name: string;
  tables: readonly TableDef[];
  /** event types it reads; others are not even looked at */
  eventTypes: ReadonlySet<string>;
  context?: StreamContext<C>;
  /** `ctx` is the stream's context before this event */
  changes(event: ProjectionEvent, ctx: C): RowChange[];
  /** tables of `tables` kept as sums over others (rollup.ts); `changes` never writes them */
  rollups?: readonly Rollup[];
}

/** int columns are 0 by default, text columns null: a row always has every column. */
export function blankRow(table: TableDef, key: Row): Row {
  const r: Row = {};
  for (const c of table.columns) r[c.name] = c.type === 'int' ? 0 : null;
  return Object.assign(r, key);
}

/** Fills missing columns with their defaults and drops unknown properties (rows loaded or built alike). */
export function normalizeRow(table: TableDef, row: Row): Row {
  const r: Row = {};
  for (const c of table.columns) {
    const v = row[c.name];
    r[c.name] = v === undefined || v === null ? (c.type === 'int' ? 0 : null) : c.type === 'int' ? Number(v) : String(v);
  }
  return r;
}

const SEP = '\u001f';
/** The row's primary key as one string (map keys). */
export function keyString(table: TableDef, row: Row): string {
  const pk = table.primaryKey;
  let s = String(row[pk[0]]);
  for (let i = 1; i < pk.length; i++) s += SEP + String(row[pk[i]]);
  return s;
}

/*
 * Changes are small class instances rather than object literals with a closure each: a replay
 * creates one or more per event, and a shared prototype method costs no allocation.
 */
class Upsert implements RowChange {
  constructor(readonly table: TableDef, readonly key: Row, private readonly f: (row: Row) => Row | undefined) {}
  apply(row: Row | undefined): Row | undefined {
    return this.f(row ?? blankRow(this.table, this.key));
  }
}
class Update implements RowChange {
  constructor(readonly table: TableDef, readonly key: Row, private readonly f: (row: Row) => Row | undefined) {}
  apply(row: Row | undefined): Row | undefined {
    return row ? this.f(row) : undefined;
  }
}
class Remove implements RowChange {
  constructor(readonly table: TableDef, readonly key: Row) {}
  apply(): undefined {
    return undefined;
  }
}

/** A change that starts from a blank row when there is none yet (a placeholder created by whichever event comes first). */
export function upsert(table: TableDef, key: Row, f: (row: Row) => Row | undefined): RowChange {
  return new Upsert(table, key, f);
}

/** A change that only touches an existing row (nothing happens when there is none). */
export function update(table: TableDef, key: Row, f: (row: Row) => Row | undefined): RowChange {
  return new Update(table, key, f);
}

export function remove(table: TableDef, key: Row): RowChange {
  return new Remove(table, key);
}

export const text = (name: string): ColumnDef => ({ name, type: 'text' });
export const int = (name: string): ColumnDef => ({ name, type: 'int' });

export function table(name: string, primaryKey: string[], columns: ColumnDef[], indexes: string[][] = []): TableDef {
  for (const k of primaryKey) if (!columns.some((c) => c.name === k)) throw new Error(`table ${name}: key column ${k} is not a column`);
  return { name, primaryKey, columns, indexes };
}

/** Normalised ISO-8601 time (UTC, milliseconds), so that times compare as text on both databases. */
export function iso(t: string | undefined | null): string | null {
  if (!t) return null;
  // Already canonical (what Date.toISOString writes, as the command API stamps times): no parsing.
  if (t.length === 24 && t.charCodeAt(23) === 90 && t.charCodeAt(19) === 46 && t.charCodeAt(10) === 84) return t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}

/** The later / earlier of two ISO times (null-safe): used where several streams set a time. */
export function maxTime(a: RowValue, b: string | null): string | null {
  if (a === null || a === undefined) return b;
  if (b === null) return a as string;
  return (a as string) >= b ? (a as string) : b;
}
export function minTime(a: RowValue, b: string | null): string | null {
  if (a === null || a === undefined) return b;
  if (b === null) return a as string;
  return (a as string) <= b ? (a as string) : b;
}

/** Lower-case trimmed district name: districts are matched case-insensitively (as the operations plan does). */
export const districtKey = (d: string | null | undefined): string | null => (d ? d.trim().toLowerCase() : null);

export const n = (v: RowValue | undefined): number => (typeof v === 'number' ? v : v === null || v === undefined ? 0 : Number(v));

/** Seconds between two ISO times (integer), or 0. */
export function secondsBetween(from: string | null, to: string | null): number {
  if (!from || !to) return 0;
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
}
