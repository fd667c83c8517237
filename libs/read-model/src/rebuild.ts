import type { DataSource } from 'typeorm';
import type { EventStore, RecordedEvent } from '@lumbung/event-store';
import { keyString, ProjectionState, resolveProjections, type Projection, type Row, type TableDef } from '@lumbung/projections';
import { loadStreams, shadowNames, writeTaken } from './projection-store';
import { LOCK_SWAP } from './read-model.writer';
import { createIndexSql, createTableSql, newToken, quote, tablesOf } from './schema';
import { dialectOf, distinctKeys, hash32, inTransaction, withExecutor, type SqlExecutor } from './sql-executor';

/** events applied together (their evicted rows loaded back in one query per table) */
const CHUNK = 5_000;

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
  /** events applied together, their evicted rows loaded back in one query per table (default 5,000) */
  chunkSize?: number;
}

export interface RebuildResult {
  /** where the time went (ms): waiting for the store's pages, applying, writing the shadow tables */
  timings: { readWaitMs: number; applyMs: number; flushMs: number; rowsWritten: number };
  projections: string[];
  events: number;
  /** the store position the swapped-in tables contain everything up to */
  position: number;
  seconds: number;
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
  const states = selected.map((p) => new ProjectionState(p));
  const tables = selected.flatMap(tablesOf);
  let position = 0;
  let count = 0;
  let total = await store.headPosition();
  let lastReport = 0;

  const report = (phase: RebuildProgress['phase'], force = false) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastReport < 250)) return;
    lastReport = now;
    const secs = (now - started) / 1000;
    const rate = secs > 0 ? count / secs : 0;
    options.onProgress({ phase, done: position, total: Math.max(total, position), eventsPerSecond: Math.round(rate), etaSeconds: rate > 0 ? Math.max(0, (total - position) / rate) : null });
  };

  // Rows and stream states live in memory while they are hot; after each flush the ones nothing touched
  // during the last window are dropped, and remembered by a 32-bit hash so that a later event touching
  // one loads it back from the shadow table first (a hash collision costs only a needless lookup).
  const evictedRows = new Map<string, Set<number>>();
  const evictedStreams = states.map(() => new Set<number>());
  const remember = (i: number) => (table: string | null, key: string) => {
    if (table === null) evictedStreams[i].add(hash32(key));
    else {
      let set = evictedRows.get(table);
      if (!set) evictedRows.set(table, (set = new Set()));
      set.add(hash32(key));
    }
  };

  const timings = { readWaitMs: 0, applyMs: 0, flushMs: 0, rowsWritten: 0 };
  // Flushes run in the background on their own connection while reading and applying go on (the
  // rows taken are immutable values, a consistent snapshot), one at a time so that a later flush
  // never races an earlier one. Eviction happens at the next flush, synchronously, once the previous
  // write is known to be in the shadow, and never while a chunk is half applied (a chunk's plan names
  // rows it expects to find in memory).
  let background: Promise<void> = Promise.resolve();
  let written = false;
  let failed: unknown;
  const writeAll = async (sql: SqlExecutor, taken: Array<ReturnType<ProjectionState['takeChanges']>>) => {
    const t0 = Date.now();
    for (let i = 0; i < states.length; i++) timings.rowsWritten += await writeTaken(sql, states[i].projection, taken[i], shadowNames);
    timings.flushMs += Date.now() - t0;
  };
  const flush = async (sqlIn?: SqlExecutor) => {
    await background;
    if (failed) throw failed;
    if (written) states.forEach((s, i) => s.evictCold(remember(i)));
    written = false;
    const taken = states.map((s) => s.takeChanges());
    if (sqlIn) {
      await writeAll(sqlIn, taken);
      return;
    }
    background = inTransaction(ds, (sql) => writeAll(sql, taken)).then(
      () => void (written = true),
      (err) => void (failed = err),
    );
  };
  const settle = async () => {
    await background;
    if (failed) throw failed;
  };

  /** Applies a chunk of events, first loading back whatever of it was evicted. */
  const applyChunk = async (chunk: RecordedEvent[], sqlIn?: SqlExecutor) => {
    for (let i = 0; i < states.length; i++) {
      const s = states[i];
      const missingStreams = evictedStreams[i].size
        ? [...new Set(chunk.filter((e) => s.handles(e) && !s.streams.has(e.streamId) && evictedStreams[i].has(hash32(e.streamId))).map((e) => e.streamId))]
        : [];
      if (missingStreams.length) await withSql(sqlIn, (sql) => loadStreams(sql, s, missingStreams, shadowNames));
      const plan = s.plan(chunk);
      const missing = new Map<TableDef, Row[]>();
      for (const step of plan) for (const c of step.changes) {
        const set = evictedRows.get(c.table.name);
        if (!set) continue;
        const k = keyString(c.table, c.key);
        if (s.rows.get(c.table.name)!.has(k) || !set.has(hash32(k))) continue;
        const l = missing.get(c.table);
        if (l) l.push(c.key);
        else missing.set(c.table, [c.key]);
      }
      if (missing.size) {
        await withSql(sqlIn, async (sql) => {
          for (const [t, keys] of missing) for (const r of await sql.loadRows(t, distinctKeys(t, keys), shadowNames(t))) s.seedRow(t, r, r);
        });
      }
      for (const step of plan) s.applyPlanned(step);
    }
  };
  const withSql = <T>(sql: SqlExecutor | undefined, work: (sql: SqlExecutor) => Promise<T>) => (sql ? work(sql) : withExecutor(ds, work));

  /** Reads everything after `position` that the store has sealed, flushing as it goes. */
  const replay = async (phase: RebuildProgress['phase'], flushIn?: SqlExecutor) => {
    let sinceFlush = 0;
    let chunk: RecordedEvent[] = [];
    const run = async () => {
      const t0 = Date.now();
      await applyChunk(chunk, flushIn);
      timings.applyMs += Date.now() - t0;
      position = chunk[chunk.length - 1].position;
      count += chunk.length;
      sinceFlush += chunk.length;
      chunk = [];
      if (sinceFlush >= flushEvery) {
        sinceFlush = 0;
        await flush(flushIn);
      }
      if (position > total) total = position;
      report(phase);
    };
    let waitFrom = Date.now();
    for await (const e of prefetch(store.readAll({ after: position }))) {
      if (chunk.length === 0) timings.readWaitMs += Date.now() - waitFrom;
      chunk.push(e);
      if (chunk.length >= chunkSize) {
        await run();
        waitFrom = Date.now();
      }
    }
    if (chunk.length) await run();
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
      total = await store.headPosition();
      if (total - position <= swapWithin) break;
      await replay('catch-up');
      await flush();
    }
    await settle();
    // Outside the swap lock (the live projector keeps writing meanwhile): make the shadows durable and
    // index them; what the swap transaction still adds is small.
    await inTransaction(ds, async (sql) => {
      for (const t of tables) {
        if (sql.dialect === 'postgres') await sql.query(`ALTER TABLE ${sql.table(shadowNames(t))} SET LOGGED`);
        for (const stmt of createIndexSql(t, sql.dialect, (n) => sql.table(n), shadowNames(t))) await sql.query(stmt);
      }
    });
    report('swap', true);
    await inTransaction(ds, async (sql) => {
      if (sql.dialect === 'postgres') await sql.query('SELECT pg_advisory_xact_lock(?, ?)', LOCK_SWAP);
      await replay('swap', sql);
      await flush(sql);
      await swap(sql, tables);
    });
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

/**
 * Reads the next page while the current one is being applied: the store's read is I/O, applying is
 * CPU, and on two cores they overlap.
 */
async function* prefetch(source: AsyncIterable<RecordedEvent>, ahead = 12_000): AsyncGenerator<RecordedEvent> {
  const it = source[Symbol.asyncIterator]();
  const buffer: RecordedEvent[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let space: (() => void) | undefined;
  let stopped = false;
  const pump = (async () => {
    try {
      for (;;) {
        if (buffer.length >= ahead) await new Promise<void>((r) => (space = r));
        if (stopped) break;
        const n = await it.next();
        if (n.done) break;
        buffer.push(n.value);
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
      if (buffer.length === 0) {
        if (done) break;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      const batch = buffer.splice(0, buffer.length);
      space?.();
      space = undefined;
      for (const e of batch) yield e;
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
