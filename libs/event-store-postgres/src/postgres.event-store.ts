import { escapeIdentifier, Pool, type PoolClient, type QueryConfig } from 'pg';
import {
  chainEvents, ChainVerifier, checkExpectedRevision, DuplicateEventIdError, EventStoreClosedError, GENESIS_HASH, idempotentReplay,
  InvalidAppendError, Notifier, pollingSubscription, prepareAppend, WrongExpectedRevisionError,
  type AppendMetadata, type AppendResult, type EventForProjection, type EventMetadata, type EventStore, type ExpectedRevision, type JsonObject, type NewEvent,
  prepareAppends, type CorrelationReadOptions, type StreamAppend,
  type PreparedAppend, type ReadAllOptions, type ReadStreamOptions, type RecordedEvent, type StoredIdentity, type StreamHead,
  type LogPoint, type SubscribeOptions, type Subscription, type VerifyProblem, type VerifyReport,
} from '@lumbung/event-store';
import { MIGRATIONS } from './migrations';
import { runMigrations } from './postgres.migration-runner';
import { LogSealer, type SealerOptions } from './postgres.sealer';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** schema holding the store's tables (default public); created if missing */
  schema?: string;
  /** connections in the pool (default 10); the sealer uses one more of its own */
  poolSize?: number;
  /** rows per page for reads, subscriptions and verify (default 500) */
  pageSize?: number;
  /**
   * how often a caught-up subscription polls when nothing wakes it (default 25 ms): a subscriber in
   * another process than the sealer (the relay) learns of new events only by polling, and this is
   * most of the relay's share of end-to-end freshness; an empty indexed read 40 times a second is cheap
   */
  subscriptionPollMs?: number;
  sealer?: Pick<SealerOptions, 'batchSize' | 'busyPollMs' | 'idlePollMs' | 'takeoverMs'>;
  /** stream heads remembered for the one-round-trip append (default 10,000) */
  headCacheSize?: number;
  /** recordedAt clock (tests) */
  clock?: () => Date;
  /** sealer and pool errors that the store recovers from by itself (default: ignored) */
  onError?: (err: Error) => void;
}

interface EventRow {
  position: string | null;
  id: string;
  stream_id: string;
  revision: string;
  type: string;
  schema_version: number;
  data: JsonObject;
  metadata: EventMetadata;
  hash: string;
}

interface Head {
  revision: number;
  hash: string;
}

type MultiPart = PreparedAppend & { expectedRevision: ExpectedRevision };

/** Type parsers that leave every value as the text PostgreSQL sent (the caller converts). */
const AS_TEXT = { getTypeParser: () => (value: string) => value };

const EVENT_COLUMNS = 'e.id, e.stream_id, e.revision, e.type, e.schema_version, e.data, e.metadata, e.hash';
/** Appends of up to this many events use a named (once-parsed) statement per connection. */
const MAX_NAMED_APPEND = 16;
const MAX_LOCKED_ATTEMPTS = 3;

/**
 * PostgreSQL adapter of the event store port.
 *
 * Appends lock only their own stream's row in `streams` (the head: revision and last hash), so
 * appends to different streams run in parallel. Global positions are not taken at append time: the
 * LogSealer (postgres.sealer.ts) numbers committed events into the `log` table behind the appends, in
 * an order that can never be overtaken, and readAll, subscribeToAll and headPosition read only that
 * sealed log. append therefore returns position null, and readStream reports position 0 for an event
 * that is not sealed yet.
 *
 * Round trips per append (the pool runs its connections in pipeline mode):
 *  - 'no-stream': 1 (one statement creates the head row and inserts the events);
 *  - a revision, 'exists' or 'any' when this process knows the stream's head (from its last append,
 *    readStream to the end, or streamHead): 1 (one statement moves the head, guarded by the known
 *    revision and hash, and inserts the events);
 *  - otherwise 2: [BEGIN, lock the head, look up the ids] then [insert + move the head, COMMIT].
 */
export class PostgresEventStore implements EventStore {
  private readonly s: string;
  private readonly appendNotifier = new Notifier();
  private readonly sealNotifier = new Notifier();
  private readonly sealer: LogSealer;
  private readonly heads = new Map<string, Head>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly pageSize: number;
  private readonly headCacheSize: number;
  private readonly clock: () => Date;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    readonly schema: string,
    private readonly options: PostgresEventStoreOptions,
  ) {
    this.s = escapeIdentifier(schema);
    this.pageSize = options.pageSize ?? 500;
    this.headCacheSize = options.headCacheSize ?? 10_000;
    this.clock = options.clock ?? (() => new Date());
    this.sealer = new LogSealer({
      ...options.sealer,
      connectionString: options.connectionString,
      schema,
      appendNotifier: this.appendNotifier,
      sealNotifier: this.sealNotifier,
      onError: options.onError,
    });
  }

  /** Opens the pool, brings the schema up to date (safe to race with other processes) and starts sealing. */
  static async connect(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const schema = options.schema ?? 'public';
    const pool = new Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10, pipeline: true, application_name: 'lumbung-event-store' });
    // An idle pooled connection that the server drops emits 'error' on the pool; unhandled, it would crash the process.
    pool.on('error', (err) => options.onError?.(err));
    try {
      await runMigrations(pool, schema, MIGRATIONS);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    const store = new PostgresEventStore(pool, schema, options);
    store.sealer.start();
    return store;
  }

  /** true while this instance is the one sealing the log (tests and health checks) */
  get isSealing(): boolean {
    return this.sealer.isSealing;
  }

  // ---------------------------------------------------------------------------------------------
  // append

  async append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision, metadata: AppendMetadata): Promise<AppendResult> {
    this.assertOpen();
    const p = prepareAppend(streamId, events, expectedRevision, metadata);
    try {
      const result = (await this.fastAppend(p, expectedRevision)) ?? (await this.lockedAppend(p, expectedRevision));
      if (!result.idempotentReplay) this.appendNotifier.notify();
      return result;
    } catch (err) {
      throw translateDataError(err);
    }
  }

  /**
   * One statement in autocommit, when the head is known without reading it: a new stream starts at
   * GENESIS, an existing one at the head this process saw last. Returns null when the guess was stale
   * (nothing written) or the fast path does not apply.
   */
  private async fastAppend(p: PreparedAppend, expected: ExpectedRevision): Promise<AppendResult | null> {
    let kind: 'create' | 'advance';
    let head: Head;
    if (expected === 'no-stream') {
      if (this.heads.has(p.streamId)) return null; // most likely a retry: let the locked path sort it out
      kind = 'create';
      head = { revision: -1, hash: GENESIS_HASH };
    } else {
      const known = this.heads.get(p.streamId);
      if (!known || (typeof expected === 'number' && expected !== known.revision)) return null;
      kind = 'advance';
      head = known;
    }
    const chained = chainEvents(p, head.revision, head.hash, this.clock().toISOString());
    try {
      const res = await this.pool.query(this.appendStatement(kind, head, chained));
      if (res.rowCount !== chained.length) {
        this.heads.delete(p.streamId);
        return null;
      }
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      this.heads.delete(p.streamId);
      // A unique violation means another append got there first. If it stored these very ids at this
      // place, this is a retry; otherwise the locked path reads the real head and reports the conflict.
      const replay = idempotentReplay(p, await this.lookupIds(this.pool, p));
      if (replay) return replay;
      return null;
    }
    return this.appended(p, chained);
  }

  /** The general path: lock the head row, look up the ids, check, insert, commit. */
  private async lockedAppend(p: PreparedAppend, expected: ExpectedRevision): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      let inTx = false;
      try {
        inTx = true;
        const begin = client.query('BEGIN');
        // 'any' and 'no-stream' may create the stream: a placeholder head (revision -1) gives the
        // append a row to lock, so two creators queue on it instead of racing. It is only ever
        // committed together with the events that move it to revision >= 0.
        const placeholder =
          expected === 'any' || expected === 'no-stream'
            ? client.query({
                name: 'lumbung_head_placeholder',
                text: `INSERT INTO ${this.s}.streams (stream_id, revision, last_hash) VALUES ($1, -1, $2) ON CONFLICT (stream_id) DO NOTHING`,
                values: [p.streamId, GENESIS_HASH],
              })
            : undefined;
        const lock = client.query<{ revision: string; last_hash: string }>({
          name: 'lumbung_head_lock',
          text: `SELECT revision, last_hash FROM ${this.s}.streams WHERE stream_id = $1 FOR UPDATE`,
          values: [p.streamId],
        });
        // Looked up after the lock (same pipeline, later statement, fresh snapshot): a concurrent
        // append of the same ids to this stream has committed by now and is seen.
        const ids = this.lookupIds(client, p);
        const [, , lockRes, stored] = await all([begin, placeholder, lock, ids]);

        const replay = idempotentReplay(p, stored);
        if (replay) {
          await client.query('ROLLBACK');
          inTx = false;
          return replay;
        }
        const row = lockRes.rows[0];
        const head: Head = row ? { revision: Number(row.revision), hash: row.last_hash } : { revision: -1, hash: GENESIS_HASH };
        if (head.revision >= 0) this.rememberHead(p.streamId, head);
        try {
          checkExpectedRevision(p.streamId, expected, head.revision);
        } catch (err) {
          await client.query('ROLLBACK');
          inTx = false;
          throw err;
        }
        const chained = chainEvents(p, head.revision, head.hash, this.clock().toISOString());
        // If the insert fails, the COMMIT behind it in the pipeline ends the aborted transaction as a rollback.
        const insert = client.query(this.appendStatement('advance', head, chained));
        const commit = client.query('COMMIT');
        const [ins] = await all([insert, commit]);
        inTx = false;
        if (ins.rowCount !== chained.length) {
          // Cannot happen while the row lock is held; refuse rather than guess.
          throw new Error(`stream ${p.streamId}: head moved while locked`);
        }
        return this.appended(p, chained);
      } catch (err) {
        if (inTx) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        if (!isUniqueViolation(err)) {
          if (!(err instanceof WrongExpectedRevisionError || err instanceof DuplicateEventIdError || isDataError(err))) broken ??= asError(err);
          throw err;
        }
        const constraint = (err as { constraint?: string }).constraint;
        if (constraint === 'events_pkey') {
          // An id committed elsewhere between the lookup and the insert: a retry or a true duplicate.
          const replay = idempotentReplay(p, await this.lookupIds(client, p));
          if (replay) return replay;
          if (attempt < MAX_LOCKED_ATTEMPTS) continue;
          throw new DuplicateEventIdError(p.events[0].id, 'a concurrent append stored one of these ids');
        }
        // (stream_id, revision) or the stream row: someone else wrote this stream first.
        throw new WrongExpectedRevisionError(p.streamId, expected, await this.actualRevision(client, p.streamId));
      } finally {
        client.release(broken);
      }
    }
  }

  /**
   * Several streams in one transaction (one commit). Parts are taken in stream id order, so two
   * multi-stream appends that share streams lock them in the same order and never deadlock.
   * Fast path when this process knows every head (or creates the stream): BEGIN, one guarded
   * statement per part, then COMMIT, or ROLLBACK and the locked path when a guess was stale.
   */
  async appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    const parts = prepareAppends(appends);
    const order = parts.map((_, i) => i).sort((a, b) => (parts[a].streamId < parts[b].streamId ? -1 : parts[a].streamId > parts[b].streamId ? 1 : 0));
    const sorted = order.map((i) => parts[i]);
    try {
      const results = (await this.fastAppendMultiple(sorted)) ?? (await this.lockedAppendMultiple(sorted));
      if (results.some((r) => !r.idempotentReplay)) this.appendNotifier.notify();
      const out: AppendResult[] = new Array(parts.length);
      order.forEach((orig, k) => (out[orig] = results[k]));
      return out;
    } catch (err) {
      throw translateDataError(err);
    }
  }

  private async fastAppendMultiple(parts: MultiPart[]): Promise<AppendResult[] | null> {
    const planned: Array<{ kind: 'create' | 'advance'; head: Head }> = [];
    for (const p of parts) {
      if (p.expectedRevision === 'no-stream') {
        if (this.heads.has(p.streamId)) return null;
        planned.push({ kind: 'create', head: { revision: -1, hash: GENESIS_HASH } });
      } else {
        const known = this.heads.get(p.streamId);
        if (!known || (typeof p.expectedRevision === 'number' && p.expectedRevision !== known.revision)) return null;
        planned.push({ kind: 'advance', head: known });
      }
    }
    const recordedAt = this.clock().toISOString();
    const chained = parts.map((p, i) => chainEvents(p, planned[i].head.revision, planned[i].head.hash, recordedAt));
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      // One round trip: the hot stock row is locked from the first statement to the COMMIT queued
      // right behind it, never across a turn of this process's event loop.
      const settled = await Promise.allSettled([
        client.query('BEGIN'),
        ...parts.map((_, i) => client.query(this.appendStatement(planned[i].kind, planned[i].head, chained[i], true))),
        client.query('COMMIT'),
      ]);
      const commit = settled[settled.length - 1];
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed || (commit.status === 'fulfilled' && commit.value.command !== 'COMMIT')) {
        // A failed statement aborted the transaction and the queued COMMIT rolled it back.
        const cause = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isInFailedTransaction(r.reason))?.reason;
        if (commit.status === 'rejected' && cause === commit.reason) throw cause;
        if (cause !== undefined && !isUniqueViolation(cause) && !isStaleHead(cause)) throw cause;
        // A stale head or a concurrent writer: forget what was guessed and take the locked path.
        for (const p of parts) this.heads.delete(p.streamId);
        return null;
      }
    } catch (err) {
      broken ??= isDataError(err) ? undefined : asError(err);
      throw err;
    } finally {
      client.release(broken);
    }
    return parts.map((p, i) => this.appended(p, chained[i]));
  }

  /** Locks every head (in stream order), looks up the ids, checks each part, inserts, commits. */
  private async lockedAppendMultiple(parts: MultiPart[]): Promise<AppendResult[]> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      let inTx = false;
      try {
        inTx = true;
        const queries: Array<Promise<unknown>> = [client.query('BEGIN')];
        const locks: Array<Promise<{ rows: Array<{ revision: string; last_hash: string }> }>> = [];
        for (const p of parts) {
          if (p.expectedRevision === 'any' || p.expectedRevision === 'no-stream') {
            queries.push(
              client.query({
                name: 'lumbung_head_placeholder',
                text: `INSERT INTO ${this.s}.streams (stream_id, revision, last_hash) VALUES ($1, -1, $2) ON CONFLICT (stream_id) DO NOTHING`,
                values: [p.streamId, GENESIS_HASH],
              }),
            );
          }
          const lock = client.query<{ revision: string; last_hash: string }>({
            name: 'lumbung_head_lock',
            text: `SELECT revision, last_hash FROM ${this.s}.streams WHERE stream_id = $1 FOR UPDATE`,
            values: [p.streamId],
          });
          locks.push(lock);
          queries.push(lock);
        }
        const allIds: PreparedAppend = { ...parts[0], events: parts.flatMap((p) => p.events) };
        const lookup = this.lookupIds(client, allIds);
        queries.push(lookup);
        await all(queries);
        const stored = await lookup;
        const lockRows = await Promise.all(locks);

        const results: Array<AppendResult | null> = [];
        const heads: Head[] = [];
        try {
          parts.forEach((p, i) => {
            const ids = new Set(p.events.map((e) => e.id));
            const replay = idempotentReplay(p, stored.filter((s) => ids.has(s.id)));
            const row = lockRows[i].rows[0];
            const head: Head = row ? { revision: Number(row.revision), hash: row.last_hash } : { revision: -1, hash: GENESIS_HASH };
            if (head.revision >= 0) this.rememberHead(p.streamId, head);
            if (!replay) checkExpectedRevision(p.streamId, p.expectedRevision, head.revision);
            results.push(replay);
            heads.push(head);
          });
        } catch (err) {
          await client.query('ROLLBACK');
          inTx = false;
          throw err;
        }
        const recordedAt = this.clock().toISOString();
        const chained = parts.map((p, i) => (results[i] ? null : chainEvents(p, heads[i].revision, heads[i].hash, recordedAt)));
        const inserts = parts.map((_, i) => (chained[i] ? client.query(this.appendStatement('advance', heads[i], chained[i])) : undefined));
        const commit = client.query('COMMIT');
        const done = await all([...inserts, commit]);
        inTx = false;
        parts.forEach((_, i) => {
          const c = chained[i];
          if (c && (done[i] as { rowCount: number }).rowCount !== c.length) throw new Error(`stream ${parts[i].streamId}: head moved while locked`);
        });
        return parts.map((p, i) => results[i] ?? this.appended(p, chained[i]!));
      } catch (err) {
        if (inTx) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        if (!isUniqueViolation(err)) {
          if (!(err instanceof WrongExpectedRevisionError || err instanceof DuplicateEventIdError || err instanceof InvalidAppendError || isDataError(err))) broken ??= asError(err);
          throw err;
        }
        if (attempt < MAX_LOCKED_ATTEMPTS) continue;
        throw new DuplicateEventIdError(parts[0].events[0].id, 'a concurrent append stored one of these ids');
      } finally {
        client.release(broken);
      }
    }
  }

  /** The sealed events of one conversation, by the correlation index (migration 2), page by page. */
  async *readByCorrelationId(correlationId: string, options: CorrelationReadOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    let after = options.after ?? 0;
    const to = options.toPosition ?? Number.MAX_SAFE_INTEGER;
    let remaining = options.maxCount ?? Infinity;
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const { rows } = await this.pool.query<EventRow>({
        name: 'lumbung_read_correlation',
        // Driven by the correlation index, then each event's log row by its key: as a plain join, a
        // cached generic plan of this named statement could flip to walking the whole log by position.
        text: `SELECT ${EVENT_COLUMNS}, l.position
                 FROM ${this.s}.events e
                 CROSS JOIN LATERAL (SELECT position FROM ${this.s}.log WHERE seq = e.seq OFFSET 0) l
                WHERE e.metadata->>'correlationId' = $1 AND l.position > $2 AND l.position <= $3
                ORDER BY l.position
                LIMIT $4`,
        values: [correlationId, after, to, limit],
      });
      for (const r of rows) yield toRecorded(r);
      if (rows.length < limit) return;
      remaining -= rows.length;
      after = Number(rows[rows.length - 1].position);
    }
  }

  /** Multi-row insert of the events behind a data-modifying CTE that creates or advances the head. */
  /**
   * strict: instead of writing nothing when the head guard fails, the statement fails (22P02 with
   * STALE_HEAD in its message), so that it aborts its transaction: a multi-stream append can then
   * send BEGIN, its statements and COMMIT in one pipeline, and a stale guess turns the COMMIT into a
   * rollback. (The message is built from a subquery's value, so the planner cannot fold it early.)
   */
  private appendStatement(kind: 'create' | 'advance', head: Head, chained: ReturnType<typeof chainEvents>, strict = false): QueryConfig {
    const last = chained[chained.length - 1];
    const values: unknown[] =
      kind === 'create'
        ? [chained[0].streamId, last.revision, last.hash]
        : [chained[0].streamId, last.revision, last.hash, head.revision, head.hash];
    const headSql =
      kind === 'create'
        ? `INSERT INTO ${this.s}.streams (stream_id, revision, last_hash) VALUES ($1, $2, $3) RETURNING 1`
        : `UPDATE ${this.s}.streams SET revision = $2, last_hash = $3 WHERE stream_id = $1 AND revision = $4 AND last_hash = $5 RETURNING 1`;
    const m = values.length + 1;
    values.push(chained[0].metadataJson, chained[0].metadata.recordedAt);
    const rows: string[] = [];
    for (const e of chained) {
      const k = values.length + 1;
      rows.push(`($${k}::uuid, $${k + 1}::bigint, $${k + 2}::text, $${k + 3}::integer, $${k + 4}::jsonb, $${k + 5}::text)`);
      values.push(e.id, e.revision, e.type, e.schemaVersion, e.dataJson, e.hash);
    }
    // VALUES is scanned in list order, so seq (and with it the sealed order within this transaction)
    // follows the revisions.
    const insert = `INSERT INTO ${this.s}.events (id, stream_id, revision, type, schema_version, data, metadata, recorded_at, hash)
      SELECT v.id, $1, v.revision, v.type, v.schema_version, v.data, $${m}::jsonb, $${m + 1}::timestamptz, v.hash
        FROM (VALUES ${rows.join(', ')}) AS v(id, revision, type, schema_version, data, hash)
       WHERE EXISTS (SELECT 1 FROM head)`;
    const text = strict
      ? `WITH head AS (${headSql}), ins AS (${insert} RETURNING 1)
         SELECT CASE WHEN n = ${chained.length} THEN n ELSE (n::text || ' rows: ${STALE_HEAD}')::int END AS written
           FROM (SELECT count(*)::int AS n FROM ins) c`
      : `WITH head AS (${headSql}) ${insert}`;
    const name = `lumbung_append_${kind}_${chained.length}${strict ? '_strict' : ''}`;
    return chained.length <= MAX_NAMED_APPEND ? { name, text, values } : { text, values };
  }

  private appended(p: PreparedAppend, chained: ReturnType<typeof chainEvents>): AppendResult {
    const last = chained[chained.length - 1];
    this.rememberHead(p.streamId, { revision: last.revision, hash: last.hash });
    return { streamId: p.streamId, firstRevision: chained[0].revision, nextExpectedRevision: last.revision, position: null, idempotentReplay: false };
  }

  private async lookupIds(q: Pool | PoolClient, p: PreparedAppend): Promise<StoredIdentity[]> {
    const { rows } = await q.query<{ id: string; stream_id: string; revision: string; type: string; position: string | null }>({
      name: 'lumbung_lookup_ids',
      text: `SELECT e.id, e.stream_id, e.revision, e.type, l.position
               FROM ${this.s}.events e LEFT JOIN ${this.s}.log l ON l.seq = e.seq
              WHERE e.id = ANY($1::uuid[])`,
      values: [p.events.map((e) => e.id)],
    });
    return rows.map((r) => ({ id: r.id, streamId: r.stream_id, revision: Number(r.revision), type: r.type, position: r.position === null ? null : Number(r.position) }));
  }

  private async actualRevision(q: Pool | PoolClient, streamId: string): Promise<number | 'no-stream'> {
    const { rows } = await q.query<{ revision: string | null }>(
      `SELECT coalesce((SELECT revision FROM ${this.s}.streams WHERE stream_id = $1 AND revision >= 0),
                       (SELECT max(revision) FROM ${this.s}.events WHERE stream_id = $1)) AS revision`,
      [streamId],
    );
    return rows[0].revision === null ? 'no-stream' : Number(rows[0].revision);
  }

  private rememberHead(streamId: string, head: Head): void {
    // Map iteration order is insertion order: re-inserting keeps recently used heads at the end.
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.headCacheSize) this.heads.delete(this.heads.keys().next().value as string);
  }

  // ---------------------------------------------------------------------------------------------
  // reads

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    let from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    let remaining = options.maxCount ?? Infinity;
    const text = `SELECT ${EVENT_COLUMNS}, l.position
                    FROM ${this.s}.events e LEFT JOIN ${this.s}.log l ON l.seq = e.seq
                   WHERE e.stream_id = $1 AND e.revision ${backwards ? '<=' : '>='} $2
                   ORDER BY e.revision ${backwards ? 'DESC' : 'ASC'}
                   LIMIT $3`;
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const { rows } = await this.pool.query<EventRow>({ name: `lumbung_read_stream_${backwards ? 'b' : 'f'}`, text, values: [streamId, from, limit] });
      if (rows.length === 0) return;
      const events = rows.map(toRecorded);
      const last = events[events.length - 1];
      // A forward read that came up short has just seen the stream's head: remember it for the next append.
      if (!backwards && rows.length < limit) this.rememberHead(streamId, { revision: last.revision, hash: last.hash });
      for (const e of events) yield e;
      if (rows.length < limit) return;
      remaining -= rows.length;
      from = backwards ? last.revision - 1 : last.revision + 1;
      if (from < 0) return;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    for await (const page of this.readLog(options, (after, max) => this.readLogPage(after, max))) for (const e of page) yield e;
  }

  /**
   * The log as readAll reads it, with only what projections read: no metadata (a JSON document as
   * large as the data, for the driver to parse), id or hash. Every column comes as text and is
   * converted here, the few it takes (the driver's own type parsers cost more per value).
   */
  readAllForProjection(options: ReadAllOptions = {}): AsyncIterable<EventForProjection[]> {
    return this.readLog(options, async (after, max) => {
      const { rows } = await this.pool.query<[string, string, string, string, string, string]>({
        name: 'lumbung_read_log_for_projection',
        text: `SELECT l.position, e.stream_id, e.revision, e.type, e.schema_version, e.data
                 FROM ${this.s}.log l JOIN ${this.s}.events e ON e.seq = l.seq
                WHERE l.position > $1
                ORDER BY l.position
                LIMIT $2`,
        values: [after, max],
        rowMode: 'array',
        types: AS_TEXT,
      });
      const page: EventForProjection[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        page[i] = { type: r[3], streamId: r[1], revision: Number(r[2]), position: Number(r[0]), schemaVersion: Number(r[4]), data: JSON.parse(r[5]) as JsonObject };
      }
      return page;
    });
  }

  /** The sealed log after options.after, up to options.maxCount events, in pages (non-empty). */
  private async *readLog<E extends { position: number }>(options: ReadAllOptions, readPage: (after: number, max: number) => Promise<E[]>): AsyncIterable<E[]> {
    this.assertOpen();
    let after = options.after ?? 0;
    let remaining = options.maxCount ?? Infinity;
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const page = await readPage(after, limit);
      if (page.length) yield page;
      if (page.length < limit) return;
      remaining -= page.length;
      after = page[page.length - 1].position;
    }
  }

  private async readLogPage(after: number, max: number): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>({
      name: 'lumbung_read_log',
      text: `SELECT ${EVENT_COLUMNS}, l.position
               FROM ${this.s}.log l JOIN ${this.s}.events e ON e.seq = l.seq
              WHERE l.position > $1
              ORDER BY l.position
              LIMIT $2`,
      values: [after, max],
    });
    return rows.map(toRecorded);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const sub: Subscription = pollingSubscription({
      after: options.after ?? 0,
      notifier: this.sealNotifier,
      pageSize: this.pageSize,
      pollMs: this.options.subscriptionPollMs ?? 25,
      readPage: (after, max) => this.readLogPage(after, max),
      onClose: () => this.subscriptions.delete(sub),
    });
    this.subscriptions.add(sub);
    return sub;
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ revision: string; last_hash: string }>({
      name: 'lumbung_stream_head',
      text: `SELECT revision, last_hash FROM ${this.s}.streams WHERE stream_id = $1 AND revision >= 0`,
      values: [streamId],
    });
    if (rows.length === 0) return null;
    const head = { revision: Number(rows[0].revision), hash: rows[0].last_hash };
    this.rememberHead(streamId, head);
    return { streamId, ...head };
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ p: string }>(`SELECT coalesce(max(position), 0) AS p FROM ${this.s}.log`);
    return Number(rows[0].p);
  }

  /**
   * The head of the sealed log and one point of it, in one statement: what the query API's as-of
   * reads resolve their cut to (apps/query-api/src/as-of/as-of-cut.ts, which does the same over the
   * port's reads for stores without this method, with the same answers).
   *  - `position`: that position and the recordedAt of the event there (null at 0 or beyond the head);
   *  - `at` (ISO-8601): the binary search of resolveCut over [0, head], step for step (the event at or
   *    after the middle; kept when it is within the range and recorded at or before `at`), in SQL:
   *    ~log2(head) lookups of two index rows each instead of as many round trips and events parsed;
   *  - neither: the head and the recordedAt of its event.
   * recorded_at is compared: the append writes it from the very value it puts in metadata.recordedAt.
   */
  async logCut(cut: { position?: number; at?: string } = {}): Promise<LogPoint> {
    this.assertOpen();
    if (cut.at !== undefined) {
      const { rows } = await this.pool.query<{ head: string; position: string; recorded_at: string | null }>({
        name: 'lumbung_log_cut_at',
        text: `WITH RECURSIVE
                 h AS (SELECT coalesce(max(position), 0) AS head FROM ${this.s}.log),
                 b(lo, hi, lo_seq) AS (
                   SELECT 0::bigint, head, NULL::bigint FROM h
                   UNION ALL
                   SELECT CASE WHEN x.ok THEN x.position ELSE b.lo END,
                          CASE WHEN x.ok THEN b.hi ELSE b.mid - 1 END,
                          CASE WHEN x.ok THEN x.seq ELSE b.lo_seq END
                     FROM (SELECT lo, hi, lo_seq, lo + (hi - lo + 1) / 2 AS mid FROM b WHERE lo < hi) b
                     LEFT JOIN LATERAL (
                       SELECT l.position, l.seq, (l.position <= b.hi AND e.recorded_at <= $1::timestamptz) AS ok
                         FROM ${this.s}.log l JOIN ${this.s}.events e ON e.seq = l.seq
                        WHERE l.position >= b.mid
                        ORDER BY l.position
                        LIMIT 1) x ON true
                 )
               SELECT h.head, b.lo AS position, e.metadata->>'recordedAt' AS recorded_at
                 FROM h CROSS JOIN b LEFT JOIN ${this.s}.events e ON e.seq = b.lo_seq
                WHERE b.lo >= b.hi`,
        values: [cut.at],
      });
      const r = rows[0];
      return { head: Number(r.head), position: Number(r.position), recordedAt: r.recorded_at };
    }
    const { rows } = await this.pool.query<{ head: string; position: string; recorded_at: string | null }>({
      name: 'lumbung_log_cut_position',
      text: `SELECT h.head, p.position, e.metadata->>'recordedAt' AS recorded_at
               FROM (SELECT coalesce(max(position), 0) AS head FROM ${this.s}.log) h
               CROSS JOIN LATERAL (SELECT coalesce($1::bigint, h.head) AS position) p
               LEFT JOIN LATERAL (
                 SELECT l.seq FROM ${this.s}.log l
                  WHERE l.position >= p.position AND p.position BETWEEN 1 AND h.head
                  ORDER BY l.position
                  LIMIT 1) at ON true
               LEFT JOIN ${this.s}.events e ON e.seq = at.seq`,
      values: [cut.position ?? null],
    });
    const r = rows[0];
    return { head: Number(r.head), position: Number(r.position), recordedAt: r.recorded_at };
  }

  // ---------------------------------------------------------------------------------------------
  // sealing

  /**
   * Resolves when every event committed before the call is in the sealed log, whichever instance
   * seals. Transactions still open at the call are waited for too (the horizon cannot pass them).
   * Rejects after timeoutMs (a long transaction elsewhere in the cluster can hold the horizon back).
   */
  async settle(timeoutMs = 30_000): Promise<void> {
    this.assertOpen();
    const deadline = Date.now() + timeoutMs;
    // Every transaction id below xmax was handed out before this call.
    const { rows } = await this.pool.query<{ target: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS target');
    const target = rows[0].target;
    for (;;) {
      // The cursor as scalar subqueries, so that the row comparison bounds the index scan (a join
      // with sealer_state would scan every event below the target).
      const r = await this.pool.query<{ horizon: boolean; sealed: boolean }>({
        name: 'lumbung_settled',
        text: `SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::xid8 AS horizon,
                      NOT EXISTS (SELECT 1 FROM ${this.s}.events e
                                   WHERE (e.tx_id, e.seq) > ((SELECT cursor_tx FROM ${this.s}.sealer_state), (SELECT cursor_seq FROM ${this.s}.sealer_state))
                                     AND e.tx_id < $1::xid8) AS sealed`,
        values: [target],
      });
      if (r.rows[0].horizon && r.rows[0].sealed) return;
      if (Date.now() > deadline) {
        throw new Error(`settle: events before transaction ${target} not sealed within ${timeoutMs} ms (a long-running transaction holds the horizon back?)`);
      }
      this.sealer.wake();
      await this.sealNotifier.wait(20).promise;
      this.assertOpen();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // verify

  /**
   * Settles, then checks the sealed log (as it stood after settling) page by page in position order,
   * the log's end against the sealer state, that no event below the sealer's cursor is missing from
   * the log, and every stream head. Appends that go on meanwhile are not reported: a head that moved
   * past the checked part of the log is compared as it stood at the cursor.
   */
  async verify(options: { onProgress?: (checked: number) => void } = {}): Promise<VerifyReport> {
    this.assertOpen();
    // If the horizon is held back, verify what is sealed: every check below is relative to the cursor.
    await this.settle().catch((err: Error) => this.options.onError?.(err));
    const v = new ChainVerifier();
    const fail = (problem: VerifyProblem): VerifyReport => ({ ...v.report(), ok: false, problem });

    const st = (
      await this.pool.query<{ cursor_tx: string; cursor_seq: string; position: string; log_hash: string }>(
        `SELECT cursor_tx::text, cursor_seq::text, position, log_hash FROM ${this.s}.sealer_state`,
      )
    ).rows[0];
    const end = Number(st.position);

    let after = 0;
    while (after < end) {
      const { rows } = await this.pool.query<EventRow & { log_hash: string }>({
        name: 'lumbung_verify_log',
        text: `SELECT ${EVENT_COLUMNS}, l.position, l.log_hash
                 FROM ${this.s}.log l JOIN ${this.s}.events e ON e.seq = l.seq
                WHERE l.position > $1 AND l.position <= $2
                ORDER BY l.position
                LIMIT $3`,
        values: [after, end, this.pageSize],
      });
      if (rows.length === 0) break;
      for (const r of rows) if (!v.check(toRecorded(r), r.log_hash)) return v.report();
      after = Number(rows[rows.length - 1].position);
      options.onProgress?.(v.checked);
    }
    const walked = v.report();
    if (walked.headPosition !== end) {
      return fail({ kind: 'removed', position: walked.headPosition + 1, detail: `the log ends at position ${walked.headPosition}, the sealer recorded ${end}` });
    }
    if (walked.headLogHash !== st.log_hash) {
      return fail({ kind: 'chain-broken', position: end, detail: 'the log hash at the end of the log differs from the one the sealer recorded' });
    }

    const cursor = [st.cursor_tx, st.cursor_seq];
    const missing = await this.pool.query<{ id: string; stream_id: string; revision: string }>(
      `SELECT e.id, e.stream_id, e.revision FROM ${this.s}.events e
        WHERE (e.tx_id, e.seq) <= ($1::xid8, $2::bigint)
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.log l WHERE l.seq = e.seq)
        ORDER BY e.tx_id, e.seq LIMIT 1`,
      cursor,
    );
    if (missing.rows.length) {
      const m = missing.rows[0];
      return fail({ kind: 'removed', streamId: m.stream_id, revision: Number(m.revision), eventId: m.id, detail: 'a sealed event is missing from the log' });
    }

    let lastStream = '';
    for (;;) {
      const { rows } = await this.pool.query<{ stream_id: string; revision: string; last_hash: string; moved: boolean | null }>({
        name: 'lumbung_verify_heads',
        text: `SELECT s.stream_id, s.revision, s.last_hash, (e.tx_id, e.seq) > ($2::xid8, $3::bigint) AS moved
                 FROM ${this.s}.streams s
                 LEFT JOIN ${this.s}.events e ON e.stream_id = s.stream_id AND e.revision = s.revision
                WHERE s.stream_id > $1 AND s.revision >= 0
                ORDER BY s.stream_id
                LIMIT $4`,
        values: [lastStream, ...cursor, this.pageSize],
      });
      for (const r of rows) {
        let head: StreamHead | null = { streamId: r.stream_id, revision: Number(r.revision), hash: r.last_hash };
        if (r.moved) head = await this.headAtCursor(r.stream_id, cursor);
        if (head && !v.checkHead(head)) return v.report();
      }
      if (rows.length < this.pageSize) break;
      lastStream = rows[rows.length - 1].stream_id;
    }
    options.onProgress?.(v.checked);
    return v.report();
  }

  /** The stream's head as it stood at the sealer cursor (null: the stream began after it). */
  private async headAtCursor(streamId: string, cursor: string[]): Promise<StreamHead | null> {
    const { rows } = await this.pool.query<{ revision: string; hash: string }>(
      `SELECT revision, hash FROM ${this.s}.events
        WHERE stream_id = $1 AND (tx_id, seq) <= ($2::xid8, $3::bigint)
        ORDER BY revision DESC LIMIT 1`,
      [streamId, ...cursor],
    );
    return rows.length ? { streamId, revision: Number(rows[0].revision), hash: rows[0].hash } : null;
  }

  // ---------------------------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.sealer.stop();
    this.sealNotifier.notify();
    this.appendNotifier.notify();
    await this.pool.end();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}

function toRecorded(r: EventRow): RecordedEvent {
  return {
    id: r.id,
    type: r.type,
    streamId: r.stream_id,
    revision: Number(r.revision),
    position: r.position === null ? 0 : Number(r.position),
    schemaVersion: r.schema_version,
    data: r.data,
    metadata: r.metadata,
    hash: r.hash,
  };
}

/** Awaits pipelined queries together, so a failure is reported only after every reply is in. */
async function all<T extends readonly unknown[]>(qs: readonly [...T]): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(qs);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { [K in keyof T]: Awaited<T[K]> };
}

function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as { code?: string }).code : undefined;
}

function isUniqueViolation(err: unknown): boolean {
  return pgCode(err) === '23505';
}

/** Raised by a strict append statement whose head guard failed (see appendStatement). */
const STALE_HEAD = 'lumbung stale head';

function isStaleHead(err: unknown): boolean {
  return pgCode(err) === '22P02' && String((err as Error).message).includes(STALE_HEAD);
}

/** A statement queued behind one that failed in the same transaction (pipeline mode). */
function isInFailedTransaction(err: unknown): boolean {
  return pgCode(err) === '25P02';
}

/**
 * Text that JSON allows but PostgreSQL cannot store: \u0000 in jsonb or text (22P05, 22021) and lone
 * UTF-16 surrogates in jsonb (22P02). These are refused input, not store failures.
 */
function isDataError(err: unknown): boolean {
  const code = pgCode(err);
  return code === '22P05' || code === '22021' || (code === '22P02' && /json|unicode/i.test((err as Error).message));
}

function translateDataError(err: unknown): unknown {
  if (!isDataError(err)) return err;
  return new InvalidAppendError('events', `PostgreSQL cannot store this text: ${(err as Error).message}`);
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

