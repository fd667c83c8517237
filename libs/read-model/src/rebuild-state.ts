import type { EventForProjection } from '@lumbung/event-store';
import { addAmounts, keyString, rollupDelta, rollupIndex, type Projection, type ProjectionEvent, type Rollup, type Row, type RowChange, type TableDef } from '@lumbung/projections';
import { streamRevisionsTable } from './schema';
import { hash32 } from './sql-executor';

/** A row held in memory: its key, its value (undefined: deleted), and the window it was last touched in. */
interface RowEntry {
  /** its table's index in the projection's tables */
  ti: number;
  k: string;
  key: Row;
  row: Row | undefined;
  gen: number;
  /** whether the shadow table has a row for it (a new one is inserted with COPY, a written one upserted) */
  written: boolean;
}

/** A stream's applied revision and its context after it (the context later events of the stream read). */
interface StreamEntry {
  id: string;
  revision: number;
  context: unknown;
  gen: number;
  written: boolean;
}

/** A chunk's changes planned by one state: per event its changes; per change its key and entry if in memory. */
export interface ChunkPlan {
  changes: RowChange[][];
  keys: string[];
  found: Array<RowEntry | undefined>;
  /** per table, the evicted keys the changes name (key string → key) */
  missing: Array<{ table: TableDef; ti: number; keys: Map<string, Row> }>;
}

/**
 * Called once per event in the long loops: now and then it returns a promise to await, which lets
 * the event loop run (the store's next page arriving and being parsed, a flush's replies) so that
 * PostgreSQL keeps working while the events in hand are applied.
 */
export type Pause = () => Promise<void> | undefined;

export function pauseEvery(n: number): Pause {
  let i = 0;
  return () => (++i % n === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined);
}

/** What a flush writes for one table, taken synchronously: new rows, rows written before, keys to delete. */
export interface TakenWrite {
  table: TableDef;
  inserts: Row[];
  upserts: Row[];
  deletes: Row[];
}

/**
 * One projection's state during a rebuild. The rebuild replays the store's log once, in order, so
 * every event is new to its stream (no revision check is needed) and the rows can live in memory
 * between flushes. To bound memory, every row and stream entry carries the window (`gen`) it was last
 * touched in, and each window lists the entries it touched:
 *  - the current window's list is exactly what the next flush writes;
 *  - when a flush starts (the previous one having completed), the entries of the window before that
 *    nothing touched since are dropped from memory and their keys remembered by a 32-bit hash; a
 *    later event touching one loads it back from the shadow table first (a hash collision costs
 *    only a needless lookup). Streams whose context is the initial one are simply dropped: a later
 *    event of theirs starts from the initial context too.
 * One map lookup per change, no scan of every row at eviction, deleted rows are entries without a row.
 */
export class RebuildState {
  readonly tables: readonly TableDef[];
  readonly revisionsTable: TableDef;
  private readonly index = new Map<TableDef, number>();
  private readonly rows: Array<Map<string, RowEntry>>;
  private readonly evicted: Array<Set<number>>;
  private readonly streams = new Map<string, StreamEntry>();
  private readonly evictedStreams = new Set<number>();
  /** streams dropped with the initial context (not loaded back): their revision rows exist */
  private readonly writtenStreams = new Set<number>();
  private gen = 1;
  private touchedRows: RowEntry[] = [];
  private touchedStreams: StreamEntry[] = [];
  private previousRows: RowEntry[] = [];
  private previousStreams: StreamEntry[] = [];
  private readonly initial: unknown;
  /** per table index: the rollups it is the source of (rollup.ts), and whether it is a rollup's target */
  private readonly rollupsOf: Array<readonly Rollup[] | undefined>;
  /** rollup tables stay in memory for the whole rebuild (a row per incident, say: few, and touched all the time) */
  private readonly pinned: boolean[];

  constructor(readonly projection: Projection) {
    this.tables = projection.tables;
    this.tables.forEach((t, i) => this.index.set(t, i));
    this.rows = this.tables.map(() => new Map());
    this.evicted = this.tables.map(() => new Set());
    this.revisionsTable = streamRevisionsTable(projection);
    this.initial = projection.context?.initial ?? null;
    const rollups = rollupIndex(projection);
    this.rollupsOf = this.tables.map((t) => rollups.bySource.get(t.name));
    this.pinned = this.tables.map((t) => rollups.targets.has(t.name));
  }

  handles(type: string): boolean {
    return this.projection.eventTypes.has(type);
  }

  /** rows and stream states held in memory */
  get held(): number {
    return this.rows.reduce((n, m) => n + m.size, this.streams.size);
  }

  /**
   * Step 1 of applying a chunk: the streams of `events` whose context was evicted (to load back from
   * the revisions table, then seedStreams). Undefined when none.
   */
  missingStreams(events: readonly EventForProjection[]): Row[] | undefined {
    if (!this.evictedStreams.size) return undefined;
    let missing: Map<string, Row> | undefined;
    for (const e of events) {
      const id = e.streamId;
      if (this.streams.has(id) || !this.evictedStreams.has(hash32(id))) continue;
      (missing ??= new Map()).set(id, { stream_id: id });
    }
    return missing && [...missing.values()];
  }

  seedStreams(rows: readonly Row[]): void {
    for (const r of rows) {
      const context = r.context === null || r.context === undefined ? this.initial : JSON.parse(r.context as string);
      const id = r.stream_id as string;
      this.streams.set(id, { id, revision: Number(r.revision), context, gen: 0, written: true });
    }
  }

  /**
   * Step 2: each event's changes, from its stream's context, which moves on at once (contexts
   * depend on the stream's own events only, never on rows); and the rows the changes name, found in
   * memory or evicted (to load back, then seedRows).
   */
  async plan(events: readonly EventForProjection[], pause: Pause): Promise<ChunkPlan> {
    const p = this.projection;
    const gen = this.gen;
    const plan: ChunkPlan = { changes: new Array(events.length), keys: [], found: [], missing: [] };
    for (let n = 0; n < events.length; n++) {
      // Projections read an event's type and data only, which the store's lean read carries (they are
      // typed on the whole RecordedEvent; rebuild.int.spec.ts checks a rebuild against the live writer,
      // which is given whole events).
      const e = events[n] as ProjectionEvent;
      const id = e.streamId;
      let st = this.streams.get(id);
      const ctx = st ? st.context : this.initial;
      const cs = p.changes(e, ctx);
      plan.changes[n] = cs;
      if (!st) this.streams.set(id, (st = { id, revision: e.revision, context: ctx, gen: 0, written: this.writtenStreams.size > 0 && this.writtenStreams.has(hash32(id)) }));
      if (p.context) st.context = p.context.evolve(ctx, e);
      st.revision = e.revision;
      if (st.gen !== gen) {
        st.gen = gen;
        this.touchedStreams.push(st);
      }
      for (const c of cs) {
        const ti = this.tableOf(c.table);
        const k = keyString(c.table, c.key);
        const entry = this.rows[ti].get(k);
        plan.keys.push(k);
        plan.found.push(entry);
        if (entry || !this.evicted[ti].size || !this.evicted[ti].has(hash32(k))) continue;
        let m = plan.missing.find((x) => x.ti === ti);
        if (!m) plan.missing.push((m = { table: c.table, ti, keys: new Map() }));
        m.keys.set(k, c.key);
      }
      const w = pause();
      if (w) await w;
    }
    return plan;
  }

  /**
   * Step 3: rows loaded back for a plan's missing keys (absent ones stay absent). A row in memory
   * already stays: the rebuild plans a chunk while the chunk before it is still to be applied, so
   * the two may load the same evicted row, and the first load may have been applied to by then.
   */
  seedRows(m: ChunkPlan['missing'][number], rows: readonly Row[]): void {
    const held = this.rows[m.ti];
    for (const r of rows) {
      const k = keyString(m.table, r);
      if (!held.has(k)) held.set(k, { ti: m.ti, k, key: m.keys.get(k) ?? r, row: r, gen: 0, written: true });
    }
  }

  /** Step 4: the plan's changes, in order. */
  async applyPlan(plan: ChunkPlan, pause: Pause): Promise<void> {
    const gen = this.gen;
    const { changes, keys, found } = plan;
    let j = 0;
    for (let n = 0; n < changes.length; n++) {
      const cs = changes[n];
      for (let i = 0; i < cs.length; i++, j++) {
        const c = cs[i];
        let entry = found[j];
        if (!entry) {
          const ti = this.tableOf(c.table);
          const rows = this.rows[ti];
          entry = rows.get(keys[j]);
          if (!entry) rows.set(keys[j], (entry = { ti, k: keys[j], key: c.key, row: undefined, gen: 0, written: false }));
        }
        const before = entry.row;
        const next = c.apply(before);
        // rollups first: they read the row as it was, which the in-place update below overwrites
        const rollups = this.rollupsOf[entry.ti];
        if (rollups) this.feedRollups(rollups, before, next);
        // The stored row (often long-lived, in V8's old generation) is updated in place from the new
        // one the projection returned, which then dies young: far less garbage for the major GC than
        // replacing it. Rows always carry every column (blankRow, normalizeRow, and changes spread
        // the row they are given), so copying the new row's properties over the old ones is exact.
        if (before && next && before !== next) Object.assign(before, next);
        else entry.row = next;
        if (entry.gen !== gen) {
          entry.gen = gen;
          this.touchedRows.push(entry);
        }
      }
      const w = pause();
      if (w) await w;
    }
  }

  /** Adds a source row change's amounts to the rollup rows (all held: pinned), and on up their own rollups. */
  private feedRollups(rollups: readonly Rollup[], before: Row | undefined, next: Row | undefined): void {
    const gen = this.gen;
    for (const r of rollups) {
      rollupDelta(r, before, next, (key, k, amounts) => {
        const ti = this.tableOf(r.target);
        const rows = this.rows[ti];
        let entry = rows.get(k);
        if (!entry) rows.set(k, (entry = { ti, k, key, row: undefined, gen: 0, written: false }));
        const old = entry.row;
        entry.row = addAmounts(r.target, key, old, amounts);
        if (entry.gen !== gen) {
          entry.gen = gen;
          this.touchedRows.push(entry);
        }
        const further = this.rollupsOf[ti];
        if (further) this.feedRollups(further, old, entry.row);
      });
    }
  }

  private tableOf(t: TableDef): number {
    const i = this.index.get(t);
    if (i === undefined) throw new Error(`projection ${this.projection.name} changed table ${t.name} it does not declare`);
    return i;
  }

  /**
   * Starts a new window: what changed in the current one (rows and stream revisions) is returned
   * to be written now; what the window before it touched and nothing since, written by the previous
   * flush (which the caller has seen complete), is dropped from memory and remembered by hash.
   */
  take(): TakenWrite[] {
    const old = this.gen - 1;
    for (const entry of this.previousRows) {
      if (entry.gen !== old || this.pinned[entry.ti]) continue;
      this.rows[entry.ti].delete(entry.k);
      if (entry.row) this.evicted[entry.ti].add(hash32(entry.k));
    }
    const initial = this.initial;
    for (const st of this.previousStreams) {
      if (st.gen !== old) continue;
      this.streams.delete(st.id);
      if (st.context !== initial && st.context !== null && st.context !== undefined) this.evictedStreams.add(hash32(st.id));
      else this.writtenStreams.add(hash32(st.id));
    }

    const byTable: TakenWrite[] = this.tables.map((table) => ({ table, inserts: [], upserts: [], deletes: [] }));
    for (const entry of this.touchedRows) {
      const w = byTable[entry.ti];
      if (entry.row) {
        (entry.written ? w.upserts : w.inserts).push(entry.row);
        entry.written = true;
      } else if (entry.written) {
        w.deletes.push(entry.key);
        entry.written = false;
      }
    }
    const out = byTable.filter((w) => w.inserts.length || w.upserts.length || w.deletes.length);
    const p = this.projection;
    const revisions: TakenWrite = { table: this.revisionsTable, inserts: [], upserts: [], deletes: [] };
    for (const st of this.touchedStreams) {
      (st.written ? revisions.upserts : revisions.inserts).push({ stream_id: st.id, revision: st.revision, context: contextJson(p, st.context) });
      st.written = true;
    }
    if (this.touchedStreams.length) out.push(revisions);

    this.previousRows = this.touchedRows;
    this.previousStreams = this.touchedStreams;
    this.touchedRows = [];
    this.touchedStreams = [];
    this.gen++;
    return out;
  }
}

const contextJson = (p: Projection, ctx: unknown): string | null =>
  !p.context || ctx === p.context.initial || ctx === null || ctx === undefined ? null : JSON.stringify(ctx);
