import { blankRow, keyString, n, type Projection, type Row, type TableDef } from './projection';

/** What one source row adds to one row of a rollup table: that row's key and an amount per summed column. */
export interface Contribution {
  key: Row;
  amounts: Readonly<Record<string, number>>;
}

/**
 * A table kept as sums over the rows of another table of the same projection: a maintained aggregate,
 * such as an incident's key figures over its 10,000 requests, read as one row instead of aggregated
 * per answer.
 *
 * Each row of `source` contributes amounts to zero or more rows of `target`, as `contribute` says from
 * that row alone. A target row is the sum of every source row's contributions to its key, and absent
 * when all its sums are zero. Appliers keep it so from each change of a source row: they add the new
 * row's contributions and take away the old row's. The target is therefore a function of the source
 * table's rows, never of the order events came in: since the source converges (projection.ts), so
 * does the target, and a rebuild, a live projector fed by Kafka partitions in any order, and a replay
 * for an as-of view all agree.
 *
 * The target's columns other than its key must all be `int` (sums), and no projection change may write
 * the target directly. A target may itself be the source of a further rollup (a request's progress
 * summed per incident, say).
 */
export interface Rollup {
  source: TableDef;
  target: TableDef;
  contribute(row: Row): Contribution | readonly Contribution[] | undefined;
}

/** A pending amount for one target row. */
export interface RollupAmount {
  table: TableDef;
  key: Row;
  /** keyString of the key */
  k: string;
  amounts: Record<string, number>;
}

/** The summed columns of a rollup table (every column outside its primary key). */
const sumColumnsCache = new WeakMap<TableDef, readonly string[]>();
export function sumColumns(t: TableDef): readonly string[] {
  let cols = sumColumnsCache.get(t);
  if (!cols) {
    cols = t.columns.filter((c) => !t.primaryKey.includes(c.name)).map((c) => c.name);
    sumColumnsCache.set(t, cols);
  }
  return cols;
}

/**
 * Adds amounts to a target row (a blank one when there is none): the new row, or undefined when all
 * its sums are zero (the row is then absent, as it would be had nothing ever contributed to it).
 */
export function addAmounts(t: TableDef, key: Row, row: Row | undefined, amounts: Readonly<Record<string, number>>): Row | undefined {
  const next = row ? { ...row } : blankRow(t, key);
  let nonZero = false;
  for (const c of sumColumns(t)) {
    const v = n(next[c]) + (amounts[c] ?? 0);
    next[c] = v;
    if (v !== 0) nonZero = true;
  }
  return nonZero ? next : undefined;
}

const asList = (c: Contribution | readonly Contribution[] | undefined): readonly Contribution[] =>
  c === undefined ? [] : Array.isArray(c) ? (c as readonly Contribution[]) : [c as Contribution];

/**
 * A rollup table computed from scratch: every source row's contributions summed per key, rows whose
 * sums are all zero left out (what the appliers maintain change by change). `rowsOf` gives a source
 * table's rows; the migration that creates rollup tables fills them so, and tests check the maintained
 * tables against it.
 */
export async function sumRollup(target: TableDef, rollups: readonly Rollup[], rowsOf: (source: TableDef) => AsyncIterable<readonly Row[]> | Iterable<readonly Row[]>): Promise<Map<string, Row>> {
  const sums = new Map<string, Row>();
  for (const r of rollups) {
    if (r.target !== target) continue;
    for await (const page of rowsOf(r.source)) {
      for (const row of page) {
        for (const c of asList(r.contribute(row))) {
          const k = keyString(target, c.key);
          const next = addAmounts(target, c.key, sums.get(k), c.amounts);
          if (next) sums.set(k, next);
          else sums.delete(k);
        }
      }
    }
  }
  return sums;
}

/**
 * What a change of one source row (before -> after; undefined: absent) adds to each target row: the
 * after row's contributions minus the before row's, per target key, left out where they cancel.
 * `emit` is called once per target key with a non-zero amount.
 */
export function rollupDelta(r: Rollup, before: Row | undefined, after: Row | undefined, emit: (key: Row, k: string, amounts: Record<string, number>) => void): void {
  const olds = before ? asList(r.contribute(before)) : [];
  const news = after ? asList(r.contribute(after)) : [];
  if (!olds.length && !news.length) return;
  const t = r.target;
  const cols = sumColumns(t);
  // The common case is one contribution on each side: no map.
  if (olds.length <= 1 && news.length <= 1) {
    const o = olds[0];
    const w = news[0];
    const ko = o && keyString(t, o.key);
    const kw = w && keyString(t, w.key);
    if (o && w && ko === kw) {
      const d = diff(cols, w.amounts, o.amounts);
      if (d) emit(w.key, kw!, d);
      return;
    }
    if (o) {
      const d = diff(cols, undefined, o.amounts);
      if (d) emit(o.key, ko!, d);
    }
    if (w) {
      const d = diff(cols, w.amounts, undefined);
      if (d) emit(w.key, kw!, d);
    }
    return;
  }
  const byKey = new Map<string, { key: Row; amounts: Record<string, number> }>();
  const add = (c: Contribution, sign: number) => {
    const k = keyString(t, c.key);
    let e = byKey.get(k);
    if (!e) byKey.set(k, (e = { key: c.key, amounts: {} }));
    for (const col of cols) {
      const v = c.amounts[col];
      if (v) e.amounts[col] = (e.amounts[col] ?? 0) + sign * v;
    }
  };
  for (const c of olds) add(c, -1);
  for (const c of news) add(c, 1);
  for (const [k, e] of byKey) if (cols.some((c) => e.amounts[c])) emit(e.key, k, e.amounts);
}

function diff(cols: readonly string[], plus: Readonly<Record<string, number>> | undefined, minus: Readonly<Record<string, number>> | undefined): Record<string, number> | undefined {
  let out: Record<string, number> | undefined;
  for (const c of cols) {
    const v = (plus?.[c] ?? 0) - (minus?.[c] ?? 0);
    if (v !== 0) (out ??= {})[c] = v;
  }
  return out;
}

/**
 * The rollups of a projection, indexed for appliers: per source table name its rollups, per target
 * table its level (1 + the highest level of its sources; plain tables are level 0). Appliers that
 * write target rows in phases (the live writer) take the levels in ascending order, so every writer
 * locks target rows in the same order. Checks the rollups' shapes once.
 */
export interface RollupIndex {
  bySource: ReadonlyMap<string, readonly Rollup[]>;
  level: ReadonlyMap<string, number>;
  targets: ReadonlySet<string>;
  maxLevel: number;
}

const indexCache = new WeakMap<Projection, RollupIndex>();
export function rollupIndex(p: Projection): RollupIndex {
  const hit = indexCache.get(p);
  if (hit) return hit;
  const rollups = p.rollups ?? [];
  const bySource = new Map<string, Rollup[]>();
  const targets = new Set<string>();
  const names = new Set(p.tables.map((t) => t.name));
  for (const r of rollups) {
    if (!names.has(r.source.name) || !names.has(r.target.name)) throw new Error(`projection ${p.name}: rollup ${r.source.name} -> ${r.target.name} names a table it does not declare`);
    for (const c of r.target.columns) {
      if (!r.target.primaryKey.includes(c.name) && c.type !== 'int') throw new Error(`projection ${p.name}: rollup table ${r.target.name} has a non-int column ${c.name} outside its key`);
    }
    const l = bySource.get(r.source.name);
    if (l) l.push(r);
    else bySource.set(r.source.name, [r]);
    targets.add(r.target.name);
  }
  const level = new Map<string, number>();
  const levelOf = (table: string, seen: Set<string>): number => {
    const known = level.get(table);
    if (known !== undefined) return known;
    if (seen.has(table)) throw new Error(`projection ${p.name}: rollups form a cycle through ${table}`);
    seen.add(table);
    let l = 0;
    for (const r of rollups) if (r.target.name === table) l = Math.max(l, levelOf(r.source.name, seen) + 1);
    level.set(table, l);
    return l;
  };
  let maxLevel = 0;
  for (const t of targets) maxLevel = Math.max(maxLevel, levelOf(t, new Set()));
  const index: RollupIndex = { bySource, level, targets, maxLevel };
  indexCache.set(p, index);
  return index;
}
