import { keyString, type Projection, type ProjectionEvent, type Row, type RowChange, type TableDef } from './projection';
import { addAmounts, rollupDelta, rollupIndex, type RollupAmount, type RollupIndex } from './rollup';

/** What a projection has applied of one stream: the last revision and the stream's context after it. */
export interface StreamState {
  revision: number;
  context: unknown;
}

export interface PlannedStep {
  event: ProjectionEvent;
  changes: RowChange[];
  after: StreamState;
}

/** A row the state holds or knows to be absent (`row` undefined), keyed by its table. */
export interface RowEntry {
  table: TableDef;
  key: Row;
  row: Row | undefined;
}

/**
 * One projection's rows and per-stream states held in memory. The writer loads the rows and streams a
 * batch needs, applies, and writes back what changed; tests and replays apply events to it directly.
 * An event at or below a stream's applied revision has no effect. (The rebuild, which sees each event
 * once in log order, uses libs/read-model's RebuildState, built for bulk.)
 */
export class ProjectionState {
  readonly rows = new Map<string, Map<string, Row>>();
  readonly streams = new Map<string, StreamState>();
  /** keys changed since the last takeChanges, per table; a key no longer in `rows` was deleted */
  private dirtyRows = new Map<TableDef, Map<string, Row>>();
  private dirtyStreams = new Set<string>();
  private readonly rollups: RollupIndex;
  /**
   * Deferred rollups (the live writer): amounts for target rows not applied yet, per target table
   * and key, and the target keys the state holds (loaded from the database, or known absent).
   */
  private readonly pending = new Map<string, Map<string, RollupAmount>>();
  private readonly heldTargets = new Map<string, Set<string>>();

  /**
   * `deferRollups`: amounts for rollup tables (rollup.ts) wait in `pendingRollups` until the caller has
   * loaded the target rows (the live writer, which holds only the rows a batch touches); otherwise they
   * are added at once to the rows held (a state that holds every row: tests, replays).
   */
  constructor(
    readonly projection: Projection,
    private readonly options: { deferRollups?: boolean } = {},
  ) {
    for (const t of projection.tables) this.rows.set(t.name, new Map());
    this.rollups = rollupIndex(projection);
  }

  handles(e: ProjectionEvent): boolean {
    return this.projection.eventTypes.has(e.type);
  }

  /**
   * The events of `events` this projection would apply, each with the rows it changes and its
   * stream's state after it (the streams' states must be loaded). Nothing is applied yet: the writer
   * first loads the rows the plan names, then applies the steps in order.
   */
  plan(events: readonly ProjectionEvent[]): PlannedStep[] {
    const p = this.projection;
    const local = new Map<string, StreamState>();
    const out: PlannedStep[] = [];
    for (const e of events) {
      if (!p.eventTypes.has(e.type)) continue;
      const st = local.get(e.streamId) ?? this.streams.get(e.streamId);
      if (st && e.revision <= st.revision) continue;
      const ctx = st ? st.context : p.context?.initial;
      const after = { revision: e.revision, context: p.context ? p.context.evolve(ctx, e) : null };
      out.push({ event: e, changes: p.changes(e, ctx), after });
      local.set(e.streamId, after);
    }
    return out;
  }

  applyPlanned(step: PlannedStep): void {
    for (const c of step.changes) this.applyChange(c);
    this.streams.set(step.event.streamId, step.after);
    this.dirtyStreams.add(step.event.streamId);
  }

  /** Applies one event (rows it touches must be loaded or known absent); false when it was skipped. */
  apply(e: ProjectionEvent): boolean {
    const p = this.projection;
    if (!p.eventTypes.has(e.type)) return false;
    const st = this.streams.get(e.streamId);
    if (st && e.revision <= st.revision) return false;
    const ctx = st ? st.context : p.context?.initial;
    const changes = p.changes(e, ctx);
    for (let i = 0; i < changes.length; i++) this.applyChange(changes[i]);
    const next = p.context ? p.context.evolve(ctx, e) : null;
    if (st) {
      st.revision = e.revision;
      st.context = next;
    } else this.streams.set(e.streamId, { revision: e.revision, context: next });
    this.dirtyStreams.add(e.streamId);
    return true;
  }

  private applyChange(c: RowChange): void {
    const rows = this.rows.get(c.table.name);
    if (!rows) throw new Error(`projection ${this.projection.name} changed table ${c.table.name} it does not declare`);
    if (this.rollups.targets.has(c.table.name)) throw new Error(`projection ${this.projection.name} changed rollup table ${c.table.name} directly`);
    const k = keyString(c.table, c.key);
    const before = rows.get(k);
    const next = c.apply(before);
    this.setRow(c.table, rows, k, c.key, before, next);
  }

  private setRow(table: TableDef, rows: Map<string, Row>, k: string, key: Row, before: Row | undefined, next: Row | undefined): void {
    if (next) rows.set(k, next);
    else rows.delete(k);
    let d = this.dirtyRows.get(table);
    if (!d) this.dirtyRows.set(table, (d = new Map()));
    d.set(k, key);
    const rollups = this.rollups.bySource.get(table.name);
    if (rollups) for (const r of rollups) rollupDelta(r, before, next, (tk, tks, amounts) => this.addToTarget(r.target, tk, tks, amounts));
  }

  private addToTarget(table: TableDef, key: Row, k: string, amounts: Record<string, number>): void {
    if (this.options.deferRollups && !this.heldTargets.get(table.name)?.has(k)) {
      let m = this.pending.get(table.name);
      if (!m) this.pending.set(table.name, (m = new Map()));
      const p = m.get(k);
      if (!p) m.set(k, { table, key, k, amounts: { ...amounts } });
      else for (const [c, v] of Object.entries(amounts)) p.amounts[c] = (p.amounts[c] ?? 0) + v;
      return;
    }
    const rows = this.rows.get(table.name)!;
    const before = rows.get(k);
    this.setRow(table, rows, k, key, before, addAmounts(table, key, before, amounts));
  }

  /**
   * Deferred rollups: the pending amounts of the lowest level that has any (rollup.ts: a level's targets
   * are fed only by lower levels), to load and then apply with applyRollups. Undefined when none.
   */
  pendingRollups(): RollupAmount[] | undefined {
    let best: string[] = [];
    let bestLevel = Infinity;
    for (const [name, m] of this.pending) {
      if (!m.size) continue;
      const l = this.rollups.level.get(name)!;
      if (l < bestLevel) [best, bestLevel] = [[name], l];
      else if (l === bestLevel) best.push(name);
    }
    if (!best.length) return undefined;
    return best.flatMap((name) => [...this.pending.get(name)!.values()]);
  }

  /**
   * Applies pending amounts whose target rows have been seeded (seedRow) or are known absent: from then
   * on the state holds those target rows, and amounts for them are added at once.
   */
  applyRollups(amounts: readonly RollupAmount[]): void {
    for (const a of amounts) {
      let held = this.heldTargets.get(a.table.name);
      if (!held) this.heldTargets.set(a.table.name, (held = new Set()));
      held.add(a.k);
      this.pending.get(a.table.name)?.delete(a.k);
    }
    for (const a of amounts) this.addToTarget(a.table, a.key, a.k, a.amounts);
  }

  /** Seeds a row (or its known absence) loaded from the database. */
  seedRow(table: TableDef, key: Row, row: Row | undefined): void {
    const rows = this.rows.get(table.name)!;
    const k = keyString(table, key);
    if (row) rows.set(k, row);
    else rows.delete(k);
  }

  seedStream(streamId: string, state: StreamState): void {
    this.streams.set(streamId, state);
  }

  /** What changed since the last call: rows to upsert or delete, and stream states to store. */
  takeChanges(): { rows: RowEntry[]; streams: Array<[string, StreamState]> } {
    const rows: RowEntry[] = [];
    for (const [table, d] of this.dirtyRows) {
      const live = this.rows.get(table.name)!;
      for (const [k, key] of d) rows.push({ table, key, row: live.get(k) });
    }
    const streams: Array<[string, StreamState]> = [];
    for (const s of this.dirtyStreams) streams.push([s, this.streams.get(s)!]);
    this.dirtyRows = new Map();
    this.dirtyStreams = new Set();
    return { rows, streams };
  }

  /**
   * Forgets the streams whose context is empty once their revisions are written: a replay of the log
   * (the rebuild) sees each event once, so it needs a stream's state only for the context later
   * events of the stream use. Keeps a rebuild's memory to the rows and the live contexts.
   */
  forgetPlainStreams(): void {
    const initial = this.projection.context?.initial ?? null;
    for (const [id, st] of this.streams) if ((st.context === initial || st.context === null) && !this.dirtyStreams.has(id)) this.streams.delete(id);
  }

  get pendingChanges(): number {
    let n = this.dirtyStreams.size;
    for (const d of this.dirtyRows.values()) n += d.size;
    return n;
  }

  /** Every table's rows sorted by key (tests compare these). */
  snapshot(): Record<string, Row[]> {
    const out: Record<string, Row[]> = {};
    for (const t of this.projection.tables) {
      const rows = this.rows.get(t.name)!;
      out[t.name] = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
    }
    return out;
  }
}

/** Applies events to fresh in-memory states of the given projections (tests, and the rebuild's core). */
export function projectAll(projections: readonly Projection[], events: Iterable<ProjectionEvent>): ProjectionState[] {
  const states = projections.map((p) => new ProjectionState(p));
  for (const e of events) for (const s of states) s.apply(e);
  return states;
}
