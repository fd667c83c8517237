import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import {
  chainEvents,
  ChainVerifier,
  checkExpectedRevision,
  EventStoreClosedError,
  GENESIS_HASH,
  idempotentReplay,
  logHash,
  Notifier,
  pollingSubscription,
  prepareAppend,
  prepareAppends,
  type CorrelationReadOptions,
  type PreparedAppend,
  type StreamAppend,
  type AppendMetadata,
  type AppendResult,
  type EventForProjection,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type LogPoint,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoredIdentity,
  type StreamHead,
  type SubscribeOptions,
  type Subscription,
  type VerifyReport,
} from '@lumbung/event-store';
import { migrate } from './sqlite.schema';

/**
 * When a commit reaches the disk.
 *  - NORMAL (WAL): the commit is written into the WAL file (the OS page cache) before append
 *    returns, and fsynced at checkpoints. Survives the process being killed (SIGKILL, OOM, crash);
 *    a power cut or kernel panic can lose the last commits (never corrupts the file).
 *  - FULL: the WAL is fsynced on every commit as well. Also survives a power cut.
 *  - EXTRA: FULL plus a directory sync; for filesystems that need it.
 */
export type SqliteSynchronous = 'NORMAL' | 'FULL' | 'EXTRA';

export interface SqliteEventStoreOptions {
  /** path of the database file; created (with its directory) when missing */
  file: string;
  /**
   * Default FULL: the embedded mode runs on field laptops and posts with generator power, where a
   * power cut is likelier than a process crash, and an acknowledged command that silently vanishes
   * is the one thing an event store must not do. NORMAL is several times faster per commit and
   * still survives a process kill; choose it where the machine has stable power (or a UPS).
   */
  synchronous?: SqliteSynchronous;
  /**
   * How long a connection waits for another connection's (or process's) write lock before failing.
   * better-sqlite3 waits synchronously, so this blocks the event loop while it waits; appends hold
   * the lock for well under a millisecond, so waits are short in practice.
   */
  busyTimeoutMs?: number;
  /** rows per page for reads, subscriptions and verify (keyset paging) */
  pageSize?: number;
  /** how often a caught-up subscription polls for appends by other processes on the same file */
  pollMs?: number;
  /** recordedAt source; tests pin it */
  clock?: () => Date;
}

interface EventRow {
  position: number;
  id: string;
  stream_id: string;
  revision: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  hash: string;
  log_hash: string;
}

const EVENT_COLUMNS = 'position, id, stream_id, revision, type, schema_version, data, metadata, hash, log_hash';

function toRecorded(r: EventRow): RecordedEvent {
  return {
    id: r.id,
    type: r.type,
    streamId: r.stream_id,
    revision: r.revision,
    position: r.position,
    schemaVersion: r.schema_version,
    data: JSON.parse(r.data) as JsonObject,
    metadata: JSON.parse(r.metadata) as EventMetadata,
    hash: r.hash,
  };
}

function openConnection(file: string, o: { synchronous: SqliteSynchronous; busyTimeoutMs: number; readonly?: boolean }): Database.Database {
  const db = new Database(file, { readonly: o.readonly ?? false, fileMustExist: o.readonly ?? false });
  try {
    // busy_timeout first: switching to WAL needs a lock that another opener may hold.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(o.busyTimeoutMs))}`);
    if (!o.readonly) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal' && file !== ':memory:') {
        throw new Error(`could not switch ${file} to WAL (journal_mode is ${String(mode)})`);
      }
      db.pragma(`synchronous = ${o.synchronous}`);
    }
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * The embedded event store: one SQLite file in WAL mode. SQLite lets one writer in at a time, so
 * each append runs in one BEGIN IMMEDIATE transaction that checks the expected revision, chains
 * the hashes and assigns the global position and log hash directly: the log is sealed at commit.
 * Several connections and processes may share the file; they queue on the write lock.
 */
export class SqliteEventStore implements EventStore {
  private readonly notifier = new Notifier();
  private readonly subscriptions = new Set<Subscription>();
  private readonly pageSize: number;
  private readonly pollMs: number;
  private readonly clock: () => Date;
  private closed = false;

  private readonly stmt: {
    eventById: Database.Statement<[string], { id: string; stream_id: string; revision: number; type: string; position: number }>;
    streamHead: Database.Statement<[string], { revision: number; last_hash: string }>;
    logHead: Database.Statement<[], { position: number; log_hash: string }>;
    insertEvent: Database.Statement<unknown[]>;
    upsertStream: Database.Statement<unknown[]>;
    updateLogHead: Database.Statement<unknown[]>;
    streamForwards: Database.Statement<[string, number, number], EventRow>;
    streamBackwards: Database.Statement<[string, number, number], EventRow>;
    allAfter: Database.Statement<[number, number], EventRow>;
    /** rows as arrays: position, stream_id, revision, type, schema_version, data */
    allAfterForProjection: Database.Statement<[number, number], [number, string, number, string, number, string]>;
    byCorrelation: Database.Statement<[string, number, number, number], EventRow>;
    pointAtOrAfter: Database.Statement<[number], { position: number; recorded_at: string }>;
  };
  private readonly appendTx: (prepared: PreparedAppend, expected: ExpectedRevision) => AppendResult;
  private readonly appendManyTx: (parts: Array<PreparedAppend & { expectedRevision: ExpectedRevision }>) => AppendResult[];

  private constructor(
    private readonly db: Database.Database,
    private readonly options: Required<Pick<SqliteEventStoreOptions, 'file' | 'synchronous' | 'busyTimeoutMs'>>,
    o: SqliteEventStoreOptions,
  ) {
    this.pageSize = o.pageSize ?? 500;
    this.pollMs = o.pollMs ?? 100;
    this.clock = o.clock ?? (() => new Date());
    this.stmt = {
      eventById: db.prepare('SELECT id, stream_id, revision, type, position FROM events WHERE id = ?'),
      streamHead: db.prepare('SELECT revision, last_hash FROM streams WHERE stream_id = ?'),
      logHead: db.prepare('SELECT position, log_hash FROM log_head WHERE id = 1'),
      insertEvent: db.prepare(
        `INSERT INTO events (position, id, stream_id, revision, type, schema_version, data, metadata, recorded_at, hash, log_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      upsertStream: db.prepare(
        `INSERT INTO streams (stream_id, revision, last_hash) VALUES (?, ?, ?)
         ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash`,
      ),
      updateLogHead: db.prepare('UPDATE log_head SET position = ?, log_hash = ? WHERE id = 1'),
      streamForwards: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`),
      streamBackwards: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`),
      allAfter: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`),
      allAfterForProjection: db
        .prepare<[number, number], [number, string, number, string, number, string]>(
          'SELECT position, stream_id, revision, type, schema_version, data FROM events WHERE position > ? ORDER BY position ASC LIMIT ?',
        )
        .raw(true),
      // The same expression as the index events_correlation (migration 2), so the planner uses it.
      byCorrelation: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE json_extract(metadata, '$.correlationId') = ? AND position > ? AND position <= ? ORDER BY position ASC LIMIT ?`,
      ),
      pointAtOrAfter: db.prepare('SELECT position, recorded_at FROM events WHERE position >= ? ORDER BY position ASC LIMIT 1'),
    };
    // Everything inside runs synchronously: no other append of this connection can interleave, and
    // other connections wait on the write lock taken by BEGIN IMMEDIATE (not upgraded later, so no
    // SQLITE_BUSY_SNAPSHOT deadlock between two deferred readers turning writers).
    this.appendTx = db.transaction((prepared: PreparedAppend, expected: ExpectedRevision): AppendResult => this.appendInTx(prepared, expected)).immediate;
    // A throw from any part rolls the whole transaction back: all parts or none.
    this.appendManyTx = db.transaction((parts: Array<PreparedAppend & { expectedRevision: ExpectedRevision }>): AppendResult[] =>
      parts.map((p) => this.appendInTx(p, p.expectedRevision)),
    ).immediate;
  }

  /** One stream's append, inside a BEGIN IMMEDIATE transaction (synchronous: nothing interleaves). */
  private appendInTx(prepared: PreparedAppend, expected: ExpectedRevision): AppendResult {
    const stored: StoredIdentity[] = [];
    for (const e of prepared.events) {
      const s = this.stmt.eventById.get(e.id);
      if (s) stored.push({ id: s.id, streamId: s.stream_id, revision: s.revision, type: s.type, position: s.position });
    }
    const replay = idempotentReplay(prepared, stored);
    if (replay) return replay;

    const head = this.stmt.streamHead.get(prepared.streamId);
    const current = head ? head.revision : -1;
    checkExpectedRevision(prepared.streamId, expected, current);
    const recordedAt = this.clock().toISOString();
    const chained = chainEvents(prepared, current, head ? head.last_hash : GENESIS_HASH, recordedAt);

    const log = this.stmt.logHead.get();
    if (!log) throw new Error('event store file has no log_head row: the schema was damaged');
    let position = log.position;
    let prevLog = log.log_hash;
    for (const c of chained) {
      position++;
      prevLog = logHash(prevLog, position, c.hash);
      this.stmt.insertEvent.run(position, c.id, c.streamId, c.revision, c.type, c.schemaVersion, c.dataJson, c.metadataJson, recordedAt, c.hash, prevLog);
    }
    const last = chained[chained.length - 1];
    this.stmt.upsertStream.run(prepared.streamId, last.revision, last.hash);
    this.stmt.updateLogHead.run(position, prevLog);
    return { streamId: prepared.streamId, firstRevision: current + 1, nextExpectedRevision: last.revision, position, idempotentReplay: false };
  }

  /** Opens (creating when missing) the file, switches it to WAL and brings the schema up to date. */
  static open(options: SqliteEventStoreOptions): SqliteEventStore {
    const resolved = { file: options.file, synchronous: options.synchronous ?? 'FULL', busyTimeoutMs: options.busyTimeoutMs ?? 5000 } as const;
    if (!['NORMAL', 'FULL', 'EXTRA'].includes(resolved.synchronous)) throw new Error(`synchronous must be NORMAL, FULL or EXTRA, not ${resolved.synchronous}`);
    if (resolved.file !== ':memory:') mkdirSync(dirname(resolved.file), { recursive: true });
    const db = openConnection(resolved.file, resolved);
    try {
      migrate(db, options.clock ?? (() => new Date()));
      return new SqliteEventStore(db, resolved, options);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  get file(): string {
    return this.options.file;
  }

  async append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision, metadata: AppendMetadata): Promise<AppendResult> {
    this.assertOpen();
    const prepared = prepareAppend(streamId, events, expectedRevision, metadata);
    const result = this.appendTx(prepared, expectedRevision);
    if (!result.idempotentReplay) this.notifier.notify();
    return result;
  }

  async appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    const results = this.appendManyTx(prepareAppends(appends));
    if (results.some((r) => !r.idempotentReplay)) this.notifier.notify();
    return results;
  }

  /** By the expression index on the metadata's correlation id (migration 2), page by page. */
  async *readByCorrelationId(correlationId: string, options: CorrelationReadOptions = {}): AsyncIterable<RecordedEvent> {
    let remaining = options.maxCount ?? Infinity;
    let after = options.after ?? 0;
    const to = options.toPosition ?? Number.MAX_SAFE_INTEGER;
    while (remaining > 0) {
      this.assertOpen();
      const limit = Math.min(this.pageSize, remaining);
      const rows = this.stmt.byCorrelation.all(correlationId, after, to, limit);
      for (const r of rows) yield toRecorded(r);
      remaining -= rows.length;
      if (rows.length < limit) return;
      after = rows[rows.length - 1].position;
    }
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Infinity;
    // Keyset paging on (stream_id, revision): each page is its own short read, so appends go on
    // between pages and memory holds one page at most.
    let next = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    while (remaining > 0) {
      this.assertOpen();
      const limit = Math.min(this.pageSize, remaining);
      const rows = backwards ? this.stmt.streamBackwards.all(streamId, next, limit) : this.stmt.streamForwards.all(streamId, next, limit);
      for (const r of rows) yield toRecorded(r);
      remaining -= rows.length;
      if (rows.length < limit) return;
      next = backwards ? rows[rows.length - 1].revision - 1 : rows[rows.length - 1].revision + 1;
      if (backwards && next < 0) return;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    for await (const page of this.readLog(options, (after, max) => this.readAllPage(after, max))) for (const e of page) yield e;
  }

  /** The log as readAll reads it, with only what projections read: no metadata to parse, no id or hash. */
  readAllForProjection(options: ReadAllOptions = {}): AsyncIterable<EventForProjection[]> {
    return this.readLog(options, (after, max) => {
      this.assertOpen();
      const rows = this.stmt.allAfterForProjection.all(after, max);
      const page: EventForProjection[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const [position, streamId, revision, type, schemaVersion, data] = rows[i];
        page[i] = { type, streamId, revision, position, schemaVersion, data: JSON.parse(data) as JsonObject };
      }
      return page;
    });
  }

  /** The log after options.after, up to options.maxCount events, in pages (non-empty). */
  private async *readLog<E extends { position: number }>(options: ReadAllOptions, readPage: (after: number, max: number) => E[]): AsyncIterable<E[]> {
    let remaining = options.maxCount ?? Infinity;
    let after = options.after ?? 0;
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const rows = readPage(after, limit);
      if (rows.length) yield rows;
      remaining -= rows.length;
      if (rows.length < limit) return;
      after = rows[rows.length - 1].position;
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const sub = pollingSubscription({
      after: options.after ?? 0,
      notifier: this.notifier,
      pageSize: this.pageSize,
      // The notifier wakes it after this connection's appends; the poll finds other processes' appends.
      pollMs: this.pollMs,
      readPage: async (after, max) => this.readAllPage(after, max),
      onClose: () => this.subscriptions.delete(sub),
    });
    this.subscriptions.add(sub);
    return sub;
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    this.assertOpen();
    const h = this.stmt.streamHead.get(streamId);
    return h ? { streamId, revision: h.revision, hash: h.last_hash } : null;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.stmt.logHead.get()?.position ?? 0;
  }

  /**
   * The head of the log and one point of it: what the query API's as-of reads resolve their cut to
   * (apps/query-api/src/as-of/as-of-cut.ts, which does the same over the port's reads for stores
   * without this method, with the same answers).
   *  - `position`: that position and the recordedAt of the event there (null at 0 or beyond the head);
   *  - `at` (ISO-8601): resolveCut's binary search over [0, head], step for step, on the position and
   *    recorded_at columns alone (the same text as metadata.recordedAt), without reading and parsing
   *    a whole event per step as readAll would;
   *  - neither: the head and the recordedAt of its event.
   */
  async logCut(cut: { position?: number; at?: string } = {}): Promise<LogPoint> {
    this.assertOpen();
    const head = this.stmt.logHead.get()?.position ?? 0;
    if (cut.at !== undefined) {
      const t = Date.parse(cut.at);
      let lo = 0;
      let loRecordedAt: string | null = null;
      let hi = head;
      while (lo < hi) {
        const mid = lo + Math.ceil((hi - lo) / 2);
        // at or after: a gap in the positions (rows removed behind the store's back) is stepped over as readAll would
        const e = this.stmt.pointAtOrAfter.get(mid);
        if (e && e.position <= hi && Date.parse(e.recorded_at) <= t) {
          lo = e.position;
          loRecordedAt = e.recorded_at;
        } else hi = mid - 1;
      }
      return { head, position: lo, recordedAt: loRecordedAt };
    }
    const position = cut.position ?? head;
    const recordedAt = position >= 1 && position <= head ? (this.stmt.pointAtOrAfter.get(position)?.recorded_at ?? null) : null;
    return { head, position, recordedAt };
  }

  /**
   * Walks the log on a separate read-only connection inside one read transaction: WAL gives it a
   * snapshot, so appends (from here or other processes) go on meanwhile without making the stream
   * heads look inconsistent with the log walked, and the event loop is yielded between pages.
   */
  async verify(options: { onProgress?: (checked: number) => void } = {}): Promise<VerifyReport> {
    this.assertOpen();
    const snapshotable = this.options.file !== ':memory:';
    const db = snapshotable ? openConnection(this.options.file, { ...this.options, readonly: true }) : this.db;
    try {
      if (snapshotable) db.exec('BEGIN');
      const page = db.prepare<[number, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`);
      const v = new ChainVerifier();
      let after = 0;
      for (;;) {
        const rows = page.all(after, this.pageSize);
        for (const r of rows) {
          let e: RecordedEvent;
          try {
            e = toRecorded(r);
          } catch (err) {
            v.problem = { kind: 'altered', position: r.position, streamId: r.stream_id, revision: r.revision, eventId: r.id, detail: `stored JSON does not parse: ${(err as Error).message}` };
            break;
          }
          if (!v.check(e, r.log_hash)) break;
        }
        if (v.problem || rows.length < this.pageSize) break;
        after = rows[rows.length - 1].position;
        options.onProgress?.(v.checked);
        if (snapshotable) await yieldToEventLoop();
      }
      if (!v.problem) {
        const heads = db.prepare<[string, number], { stream_id: string; revision: number; last_hash: string }>(
          'SELECT stream_id, revision, last_hash FROM streams WHERE stream_id > ? ORDER BY stream_id LIMIT ?',
        );
        let last = '';
        for (;;) {
          const rows = heads.all(last, this.pageSize);
          for (const h of rows) if (!v.checkHead({ streamId: h.stream_id, revision: h.revision, hash: h.last_hash })) break;
          if (v.problem || rows.length < this.pageSize) break;
          last = rows[rows.length - 1].stream_id;
        }
      }
      options.onProgress?.(v.checked);
      const report = v.report();
      if (report.ok) {
        const anchor = db.prepare<[], { position: number; log_hash: string }>('SELECT position, log_hash FROM log_head WHERE id = 1').get();
        if (!anchor || anchor.position !== report.headPosition || anchor.log_hash !== report.headLogHash) {
          return {
            ...report,
            ok: false,
            problem: {
              kind: anchor && anchor.position > report.headPosition ? 'removed' : 'chain-broken',
              position: report.headPosition,
              detail: anchor
                ? `the log ends at position ${report.headPosition}, but the log head records position ${anchor.position}: events were removed from the end`
                : 'the log head row is missing',
            },
          };
        }
      }
      return report;
    } finally {
      if (snapshotable) db.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // End subscribers cleanly before the connection goes, so none of them reads a closed handle.
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.notifier.notify();
    this.db.close();
  }

  private readAllPage(after: number, max: number): RecordedEvent[] {
    this.assertOpen();
    return this.stmt.allAfter.all(after, max).map(toRecorded);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}
