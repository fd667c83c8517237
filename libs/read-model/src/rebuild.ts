import type { DataSource } from 'typeorm';
import { readAllForProjection, type EventForProjection, type EventStore } from '@lumbung/event-store';
import { resolveProjections, type Projection, type Row, type TableDef } from '@lumbung/projections';
import { shadowNames } from './projection-store';
import { LOCK_SWAP } from './read-model.writer';
import { pauseEvery, RebuildState, type ChunkPlan } from './rebuild-state';
import { serializeTake, writeSerialized } from './rebuild-write';
import { createIndexSql, createTableSql, newToken, quote, tablesOf } from './schema';
import { dialectOf, inTransaction, withExecutor, type SqlExecutor } from './sql-executor';

/**
 * Events applied together (their evicted rows loaded back in one query per table), and read ahead of
 * them. Small enough that a chunk's events and its plan die young in V8's heap (a chunk of 5,000 got
 * promoted to the old generation and cost major GCs; two chunks are in hand, one planned while the
 * one before it waits for its rows), large enough that reloads stay few queries (chunks of 500 cost
 * PostgreSQL more in queries than they saved in garbage collection).
 */
const CHUNK = 1_000;

export interface RebuildProgress {
  phase: 'replay' | 'catch-up' | 'swap' | 'done';
  /** events read from the store so far */
  done: number;
  /** the store's head position as last seen */
  total: number;
  eventsPerSecond: number;
  /** seconds left at the current rate (null before there is a rate) */
  etaSeconds: number | null;
}

export interface RebuildOptions {
  onProgress?: (p: RebuildProgress) => void;
  /** flush the rows changed in memory to the shadow tables every this many events (default 100,000) */
  flushEvery?: number;
  /** stop catching up outside the swap once fewer than this many events are left (default 2,000) */
  swapWithin?: number;
  /** events applied together, their evicted rows loaded back in one query per table (default 1,000) */
  chunkSize?: number;
  /**
   * Replay only up to this store position (benchmarks and profiling on a slice of a large store): no
   * catch-up beyond it, and the tables swapped in are NOT current. Default: the store's head.
   */
  untilPosition?: number;
  /** events read ahead of the one being applied (default 1,000: a page, as the CLI opens the store) */
  readAhead?: number;
  /** let the event loop run every this many events applied (default 256), so that reading goes on meanwhile */
  pauseEvery?: number;
}

export interface RebuildResult {
  /**
   * Where the time went (ms): waiting for the store's pages, applying, serialising the rows a flush
   * takes (all in the main loop), and writing them to the shadow tables (in the background).
   */
  timings: {
    readWaitMs: number;
    applyMs: number;
    serializeMs: number;
    flushMs: number;
    rowsWritten: number;
    /** rows and stream states loaded back from the shadow tables after their eviction */
    rowsLoaded: number;
    /** making the shadows durable and indexing them, then the swap transaction */
    finishMs: number;
    swapMs: number;
  };
  projections: string[];
  events: number;
  /** the store position the swapped-in tables contain everything up to */
  position: number;
  seconds: number;
}

/** A chunk of events planned by every state, the rows its changes name being loaded back. */
interface Prepared {
  chunk: EventForProjection[];
  plans: ChunkPlan[];
  loaded: Promise<unknown>;
}

/**
 * Rebuilds projections from the event store alone (not Kafka, whose retention is limited):
 *  1. creates shadow tables beside the live ones (same DDL, suffix _shadow);
 *  2. replays the store's log into in-memory rows, flushing what changed to the shadows in large
 *     multi-row upserts;
 *  3. catches up with the store until close to its head, while the live projector keeps writing the
 *     live tables;
 *  4. in ONE transaction that holds the swap lock (live batches wait; on SQLite the write lock): reads
 *     the rest of the store up to its head H, flushes, renames live → old and shadow → live, drops old.
 * The live writer can only have applied events the store had sealed, so everything it wrote is <= H
 * and is in the new tables; their per-stream revisions say so, and the live projector, continuing
 * from its own checkpoints, skips whatever it is redelivered up to H and applies the rest.
 */
export async function rebuildProjections(store: EventStore, ds: DataSource, names: string[] | 'all', options: RebuildOptions = {}): Promise<RebuildResult> {
  const started = Date.now();
  const selected = resolveProjections(names);
  const flushEvery = options.flushEvery ?? 100_000;
  const swapWithin = options.swapWithin ?? 2_000;
  const chunkSize = options.chunkSize ?? CHUNK;
  const states = selected.map((p) => new RebuildState(p));
  const tables = selected.flatMap(tablesOf);
  let position = 0;
  let count = 0;
  const until = options.untilPosition ?? Infinity;
  const head = async () => Math.min(until, await store.headPosition());
  let total = await head();
  let lastReport = 0;

  const report = (phase: RebuildProgress['phase'], force = false) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastReport < 250)) return;
    lastReport = now;
    const secs = (now - started) / 1000;
    const rate = secs > 0 ? count / secs : 0;
    options.onProgress({ phase, done: position, total: Math.max(total, position), eventsPerSecond: Math.round(rate), etaSeconds: rate > 0 ? Math.max(0, (total - position) / rate) : null });
  };

  const timings = { readWaitMs: 0, applyMs: 0, serializeMs: 0, flushMs: 0, rowsWritten: 0, rowsLoaded: 0, finishMs: 0, swapMs: 0 };
  // Flushes run in the background on their own connection while reading and applying go on (what a
  // flush writes is serialised when it is taken, a consistent snapshot), one at a time so that a
  // later flush never races an earlier one. A take drops from memory the rows the previous flush
  // wrote and nothing touched since, so it waits for that flush first.
  let background: Promise<void> = Promise.resolve();
  let failed: unknown;
  const dialect = dialectOf(ds);
  const flush = async (sqlIn?: SqlExecutor) => {
    await background;
    if (failed) throw failed;
    const t0 = Date.now();
    const writes = serializeTake(states.flatMap((s) => s.take()), dialect);
    timings.serializeMs += Date.now() - t0;
    const write = async (sql: SqlExecutor) => {
      const t0 = Date.now();
      timings.rowsWritten += await writeSerialized(sql, writes, shadowNames);
      timings.flushMs += Date.now() - t0;
    };
    if (sqlIn) return write(sqlIn);
    background = inTransaction(ds, write).then(
      () => undefined,
      (err) => void (failed = err),
    );
  };
  const settle = async () => {
    await background;
    if (failed) throw failed;
  };

  // Which states read each event type: one lookup per event instead of one per state.
  const routes = new Map<string, number[]>();
  const routeOf = (type: string) => {
    let r = routes.get(type);
    if (!r) routes.set(type, (r = states.flatMap((s, i) => (s.handles(type) ? [i] : []))));
    return r;
  };
  // PostgreSQL: let the next page arrive (and its backend go on) while applying. SQLite reads in
  // process, synchronously: there is nothing to overlap, and pausing would only slow the rebuild.
  const pause = pauseEvery(options.pauseEvery ?? (dialect === 'postgres' ? 256 : Infinity));
  const load = async (t: TableDef, keys: Row[], sqlIn: SqlExecutor | undefined) => {
    const rows = await withSql(sqlIn, (sql) => sql.loadRows(t, keys, shadowNames(t)));
    timings.rowsLoaded += rows.length;
    return rows;
  };
  /**
   * Steps 1-3 of applying a chunk of events: each state's part, what of it was evicted loaded back
   * (all states at once, on several connections): stream contexts, then, once it is planned, the
   * rows the changes name. Those loads are left running: planning needs stream contexts only, never
   * rows, so the caller plans the next chunk meanwhile and applies this one after (applyPrepared).
   */
  const prepare = async (chunk: EventForProjection[], sqlIn?: SqlExecutor): Promise<Prepared> => {
    const parts: EventForProjection[][] = states.map(() => []);
    for (const e of chunk) for (const i of routeOf(e.type)) parts[i].push(e);
    await Promise.all(states.map(async (s, i) => {
      const keys = s.missingStreams(parts[i]);
      if (keys) s.seedStreams(await load(s.revisionsTable, keys, sqlIn));
    }));
    const plans: ChunkPlan[] = [];
    for (let i = 0; i < states.length; i++) plans.push(await states[i].plan(parts[i], pause));
    const loaded = Promise.all(plans.flatMap((plan, i) => plan.missing.map(async (m) => states[i].seedRows(m, await load(m.table, [...m.keys.values()], sqlIn)))));
    // awaited in applyPrepared; a failure meanwhile is not an unhandled rejection
    loaded.catch(() => undefined);
    return { chunk, plans, loaded };
  };
  /** Step 4: once its rows are loaded back, a prepared chunk's changes, in order. */
  const applyPrepared = async ({ plans, loaded }: Prepared) => {
    await loaded;
    for (let i = 0; i < states.length; i++) await states[i].applyPlan(plans[i], pause);
  };
  const withSql = <T>(sql: SqlExecutor | undefined, work: (sql: SqlExecutor) => Promise<T>) => (sql ? work(sql) : withExecutor(ds, work));

  /** Reads everything after `position` that the store has sealed, flushing as it goes. */
  const replay = async (phase: RebuildProgress['phase'], flushIn?: SqlExecutor) => {
    let sinceFlush = 0;
    let chunk: EventForProjection[] = [];
    /** planned, its rows being loaded back, not applied yet */
    let pending: Prepared | undefined;
    const finish = async () => {
      const p = pending!;
      pending = undefined;
      const t0 = Date.now();
      await applyPrepared(p);
      timings.applyMs += Date.now() - t0;
      position = p.chunk[p.chunk.length - 1].position;
      count += p.chunk.length;
      sinceFlush += p.chunk.length;
      if (sinceFlush >= flushEvery) {
        sinceFlush = 0;
        await flush(flushIn);
      }
      if (position > total) total = position;
      report(phase);
    };
    const run = async () => {
      // A chunk is planned before the one ahead of it is applied, which hides that one's loads, but
      // never across a flush: its take evicts rows from memory that a plan may have found there.
      if (pending && sinceFlush + pending.chunk.length >= flushEvery) await finish();
      const t0 = Date.now();
      const next = await prepare(chunk, flushIn);
      timings.applyMs += Date.now() - t0;
      chunk = [];
      if (pending) await finish();
      pending = next;
    };
    let waitFrom = Date.now();
    // The store's lean read, in pages: what projections read of each event and nothing more.
    const pages = readAllForProjection(store, { after: position, ...(until < Infinity ? { maxCount: Math.max(0, until - position) } : {}) });
    read: for await (const page of prefetch(pages, options.readAhead ?? CHUNK)) {
      timings.readWaitMs += Date.now() - waitFrom;
      for (const e of page) {
        if (e.position > until) break read;
        chunk.push(e);
        if (chunk.length >= chunkSize) await run();
      }
      waitFrom = Date.now();
    }
    if (chunk.length) await run();
    if (pending) await finish();
  };

  await inTransaction(ds, async (sql) => {
    for (const t of tables) {
      await sql.query(`DROP TABLE IF EXISTS ${sql.table(shadowNames(t))}`);
      // PostgreSQL: unlogged while it loads (no WAL for rows that may be rewritten by later flushes),
      // and without secondary indexes until it is loaded; both are put right before the swap.
      for (const stmt of createTableSql(t, sql.dialect, (n) => sql.table(n), shadowNames(t), newToken(), { indexes: false, unlogged: true })) await sql.query(stmt);
    }
  });

  try {
    await replay('replay');
    await flush();
    // Catch up outside the swap while the store keeps moving, so that the swap itself is short.
    for (let round = 0; round < 10; round++) {
      total = await head();
      if (total - position <= swapWithin) break;
      await replay('catch-up');
      await flush();
    }
    const finishing = Date.now();
    await settle();
    // Outside the swap lock (the live projector keeps writing meanwhile): make the shadows durable and
    // index them, a few tables at a time (PostgreSQL works on them in parallel; the main loop is idle
    // now); what the swap transaction still adds is small.
    await eachLimit(tables, dialect === 'postgres' ? 3 : 1, (t) =>
      inTransaction(ds, async (sql) => {
        if (sql.dialect === 'postgres') await sql.query(`ALTER TABLE ${sql.table(shadowNames(t))} SET LOGGED`);
        for (const stmt of createIndexSql(t, sql.dialect, (n) => sql.table(n), shadowNames(t))) await sql.query(stmt);
      }),
    );
    // Freshly loaded tables have no planner statistics and no visibility map: until (auto)vacuum
    // reaches them, queries are planned blind and index-only scans read the heap row by row (the
    // dashboard's covering indexes give back little). VACUUM cannot run in a transaction.
    if (dialect === 'postgres') await eachLimit(tables, 3, (t) => withExecutor(ds, async (sql) => void (await sql.query(`VACUUM (ANALYZE) ${sql.table(shadowNames(t))}`))));
    timings.finishMs = Date.now() - finishing;
    report('swap', true);
    const swapping = Date.now();
    await inTransaction(ds, async (sql) => {
      if (sql.dialect === 'postgres') await sql.query('SELECT pg_advisory_xact_lock(?, ?)', LOCK_SWAP);
      await replay('swap', sql);
      await flush(sql);
      await swap(sql, tables);
    });
    timings.swapMs = Date.now() - swapping;
  } catch (err) {
    await background.catch(() => undefined);
    await inTransaction(ds, async (sql) => {
      for (const t of tables) await sql.query(`DROP TABLE IF EXISTS ${sql.table(shadowNames(t))}`);
    }).catch(() => undefined);
    throw err;
  }
  total = Math.max(total, position);
  report('done', true);
  return { projections: selected.map((p) => p.name), events: count, position, seconds: (Date.now() - started) / 1000, timings };
}

async function swap(sql: SqlExecutor, tables: TableDef[]): Promise<void> {
  const token = newToken();
  for (const t of tables) {
    const old = `${t.name}_old_${token}`;
    await sql.query(`ALTER TABLE ${sql.table(t.name)} RENAME TO ${quote(old)}`);
    await sql.query(`ALTER TABLE ${sql.table(shadowNames(t))} RENAME TO ${quote(t.name)}`);
    await sql.query(`DROP TABLE ${sql.table(old)}`);
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/**
 * Reads the next pages while the current one is being applied: the store's read is I/O, applying is
 * CPU, and on two cores they overlap. `ahead`: events held in pages not handed on yet, at most.
 */
async function* prefetch<E>(source: AsyncIterable<E[]>, ahead: number): AsyncGenerator<E[]> {
  const it = source[Symbol.asyncIterator]();
  const buffer: E[][] = [];
  let buffered = 0;
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let space: (() => void) | undefined;
  let stopped = false;
  const pump = (async () => {
    try {
      for (;;) {
        if (buffered >= ahead) await new Promise<void>((r) => (space = r));
        if (stopped) break;
        const n = await it.next();
        if (n.done) break;
        buffer.push(n.value);
        buffered += n.value.length;
        wake?.();
      }
    } catch (err) {
      failure = err;
    } finally {
      done = true;
      wake?.();
    }
  })();
  try {
    for (;;) {
      const page = buffer.shift();
      if (page === undefined) {
        if (done) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      buffered -= page.length;
      space?.();
      space = undefined;
      yield page;
    }
    if (failure) throw failure;
  } finally {
    stopped = true;
    space?.();
    await pump.catch(() => undefined);
    await it.return?.();
  }
}

export const rebuildDialect = dialectOf;
export type { Projection };
