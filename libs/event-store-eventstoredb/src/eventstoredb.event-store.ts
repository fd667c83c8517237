import {
  BACKWARDS, END, FORWARDS, KurrentDBClient, START, jsonEvent, streamNameFilter,
  type AllStreamSubscription, type Filter, type ReadPosition, type ReadRevision, type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  ChainVerifier, ConcurrencyRetriesExhaustedError, EventStoreClosedError, EventStoreError, GENESIS_HASH,
  chainEvents, checkExpectedRevision, idempotentReplay, prepareAppend, prepareAppends,
  type CorrelationReadOptions, type StreamAppend,
  type AppendMetadata, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent, type PreparedAppend,
  type ReadAllOptions, type ReadStreamOptions, type RecordedEvent, type StoredIdentity, type StreamHead,
  type SubscribeOptions, type Subscription, type VerifyReport,
} from '@lumbung/event-store';
import {
  ForeignEventError, assertNoReservedMetadataKeys, commitToPosition, fromStoreStreamName, headToClientStreamState,
  isStreamDeleted, isStreamNotFound, isWrongExpectedVersion, mapAppendError, namespacePrefix, toRecordedEvent,
  toStoreStreamName, toStoredMetadata,
} from './eventstoredb.mapping';
import { PositionIndex } from './position-index';

export interface EventStoreDbEventStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false`; ignored when `client` is given */
  connectionString?: string;
  /** an existing client; the store disposes it on close() */
  client?: KurrentDBClient;
  /**
   * Prefixes every stream name with `<namespace>/` and reads $all through a stream-name prefix filter,
   * so several stores (test runs, tenants) share one database without seeing each other's events.
   * Without it the database must be dedicated to lumbung: a non-system event that this adapter did
   * not write makes reads fail (ForeignEventError) rather than be passed on or counted silently.
   */
  namespace?: string;
  /** events per read request for readAll, verify, index building and stream scans (default 500) */
  pageSize?: number;
  /** attempts for appends with 'any'/'exists', which the adapter turns into exact revisions (default 10) */
  maxInternalAttempts?: number;
  /** events the catch-up subscription buffers ahead of the consumer (default 256) */
  subscriptionBuffer?: number;
  /** streams whose head and ids the adapter remembers between appends (default 1000) */
  scanCacheStreams?: number;
  clock?: () => Date;
}

/** A store event as read from $all, before renumbering: `position` is its $all commit position. */
type RawEvent = RecordedEvent;

/** What the adapter knows of a stream from reading it: head and the ids stored in it. */
interface StreamScan {
  revision: number;
  hash: string;
  ids: Map<string, { revision: number; type: string }>;
}

/**
 * The event store port over KurrentDB / EventStoreDB (gRPC client @kurrent/kurrentdb-client).
 *
 * - Appends chain hashes per stream: the adapter reads the stream (its last event's hash is in the event
 *   metadata), chains the new events from it, and appends with that exact revision. A concurrent writer
 *   therefore makes the append fail instead of forking the chain; for 'any'/'exists' the adapter
 *   re-reads and retries a bounded number of times on the caller's behalf.
 * - Event ids are ours (the client's `id`), so the server's own idempotency applies too; the adapter
 *   reads the stream before appending, and an append whose ids are already stored at the same place is
 *   reported as an idempotent replay (elsewhere in the stream: DuplicateEventIdError).
 * - Global positions are contiguous 1..n in $all order, numbered by a PositionIndex that each process
 *   builds from $all on first use and extends incrementally (position-index.ts, README.md).
 * - Ordered delivery is a catch-up subscription to $all, never a persistent subscription (those are
 *   at-least-once without ordering).
 *
 * Limits: EventStoreDB has no global index by event id, so an id already stored in *another* stream is
 * not detected (the SQL adapters refuse it with DuplicateEventIdError). append() returns position null:
 * numbering its events would mean extending the index through everything before them.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly prefix: string;
  private readonly pageSize: number;
  private readonly maxInternalAttempts: number;
  private readonly subscriptionBuffer: number;
  private readonly clock: () => Date;
  private readonly filter: Filter;
  private readonly index = new PositionIndex();
  /** the one index extension in flight, shared by every caller that needs it */
  private extending: Promise<void> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly scans = new Map<string, StreamScan>();
  private readonly scanCacheStreams: number;
  private closed = false;

  constructor(options: EventStoreDbEventStoreOptions) {
    if (options.client) {
      this.client = options.client;
    } else if (options.connectionString) {
      this.client = KurrentDBClient.connectionString(options.connectionString);
    } else {
      throw new Error('EventStoreDbEventStore needs a connectionString or a client');
    }
    this.prefix = namespacePrefix(options.namespace);
    this.pageSize = options.pageSize ?? 500;
    this.maxInternalAttempts = options.maxInternalAttempts ?? 10;
    this.subscriptionBuffer = options.subscriptionBuffer ?? 256;
    this.scanCacheStreams = options.scanCacheStreams ?? 1000;
    this.clock = options.clock ?? (() => new Date());
    // The server filters by stream name so that reads and subscriptions skip system and foreign
    // streams without shipping them; toRecordedEvent checks again on our side ($-types in our streams,
    // such as $streamDeleted, are only caught there).
    this.filter = this.prefix ? streamNameFilter({ prefixes: [this.prefix] }) : streamNameFilter({ regex: '^[^$]' });
  }

  static connect(connectionString: string, options: Omit<EventStoreDbEventStoreOptions, 'connectionString' | 'client'> = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore({ ...options, connectionString });
  }

  get namespace(): string {
    return this.prefix.slice(0, -1);
  }

  async append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision, metadata: AppendMetadata): Promise<AppendResult> {
    this.assertOpen();
    const prepared = prepareAppend(streamId, events, expectedRevision, metadata);
    assertNoReservedMetadataKeys(prepared.metadata);
    const name = toStoreStreamName(this.prefix, prepared.streamId);
    const exactByCaller = typeof expectedRevision === 'number' || expectedRevision === 'no-stream';

    for (let attempt = 1; ; attempt++) {
      // The head to chain from and the ids already stored: an id stored in the stream is either a
      // retry (same place) or an error, as with the SQL adapters.
      const { head, stored } = await this.scanStream(name, prepared);
      const replay = idempotentReplay(prepared, stored);
      if (replay) return replay;
      const current = head ? head.revision : -1;
      checkExpectedRevision(prepared.streamId, expectedRevision, current);

      const chained = chainEvents(prepared, current, head ? head.hash : GENESIS_HASH, this.clock().toISOString());
      const data = chained.map((c) =>
        jsonEvent({ id: c.id, type: c.type, data: c.data, metadata: toStoredMetadata(c.metadata, c.schemaVersion, c.hash) }),
      );
      try {
        const result = await this.client.appendToStream(name, data, { streamState: headToClientStreamState(current) });
        if (result.position === undefined) {
          // The server answers without a position when it recognised every id as already written
          // (its own idempotency check, e.g. a concurrent retry): report what is stored.
          const again = idempotentReplay(prepared, (await this.scanStream(name, prepared)).stored);
          if (again) return again;
        }
        const scan = this.scans.get(name);
        if (scan && scan.revision === current) {
          for (const c of chained) scan.ids.set(c.id, { revision: c.revision, type: c.type });
          scan.revision = chained[chained.length - 1].revision;
          scan.hash = chained[chained.length - 1].hash;
        }
        return {
          streamId: prepared.streamId,
          firstRevision: current + 1,
          nextExpectedRevision: chained[chained.length - 1].revision,
          position: null,
          idempotentReplay: false,
        };
      } catch (err) {
        if (!isWrongExpectedVersion(err)) throw mapAppendError(err, prepared.streamId, expectedRevision);
        // The writer that got in first may have been this very append (a concurrent retry).
        const again = idempotentReplay(prepared, (await this.scanStream(name, prepared)).stored);
        if (again) return again;
        // The caller's own expectation lost a race: that is the caller's conflict to handle.
        if (exactByCaller) throw mapAppendError(err, prepared.streamId, expectedRevision);
        // Our exact revision (standing in for 'any'/'exists') lost: read the new head and chain again.
        if (attempt >= this.maxInternalAttempts) throw new ConcurrencyRetriesExhaustedError(prepared.streamId, attempt);
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  /**
   * NOT atomic across streams on this adapter: the parts are appended one after the other, in stream
   * id order. KurrentDB 25.1's multiStreamAppend would make it atomic, but it carries metadata only
   * as string-valued properties, not the JSON metadata the hash chain and toRecordedEvent rely on;
   * moving the chain to properties is a storage-format change to be made against a real server.
   * What holds: each part is checked and retried like append(), and a retry of the whole call finds
   * the parts already written as replays and writes the rest (the command API's flows are keyed by
   * derived event ids, so repeating a command finishes a flow that stopped part-way). The contract
   * suite's atomicity case is not run for this adapter (its fixture says atomicMultiStream: false).
   */
  async appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    const parts = prepareAppends(appends);
    const order = parts.map((_, i) => i).sort((a, b) => (parts[a].streamId < parts[b].streamId ? -1 : parts[a].streamId > parts[b].streamId ? 1 : 0));
    const out: AppendResult[] = new Array(parts.length);
    for (const i of order) {
      const a = appends[i];
      out[i] = await this.append(a.streamId, a.events, a.expectedRevision, a.metadata);
    }
    return out;
  }

  /**
   * A scan of $all with a filter on our side: the server's $by_correlation_id projection keys on
   * the $correlationId metadata property, which this adapter's stored metadata does not use.
   * Linear in the log's length; fine for a trail now and then, not for a hot path.
   */
  async *readByCorrelationId(correlationId: string, options: CorrelationReadOptions = {}): AsyncIterable<RecordedEvent> {
    let remaining = options.maxCount ?? Infinity;
    const to = options.toPosition ?? Infinity;
    for await (const e of this.readAll({ after: options.after ?? 0 })) {
      if (e.position > to || remaining <= 0) return;
      if (e.metadata.correlationId !== correlationId) continue;
      remaining--;
      yield e;
    }
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const name = toStoreStreamName(this.prefix, streamId);
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    let from: ReadRevision = options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START;
    // Paged, so that a long stream is never held by one server call while the consumer works.
    while (remaining > 0) {
      const want = Math.min(remaining, this.pageSize);
      let n = 0;
      let lastRevision = -1;
      const page: RawEvent[] = [];
      for await (const { revision, event } of this.readStreamPage(name, backwards, from, want)) {
        n++;
        lastRevision = revision;
        if (event) page.push(event);
      }
      for (const e of page) {
        if (remaining <= 0) return;
        remaining--;
        yield await this.renumber(e);
      }
      if (n < want) return;
      if (backwards && lastRevision === 0) return;
      from = BigInt(backwards ? lastRevision - 1 : lastRevision + 1);
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    let after = options.after ?? 0;
    let remaining = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    while (remaining > 0) {
      const page = await this.readAllPage(after, Math.min(remaining, this.pageSize));
      for (const e of page) {
        remaining--;
        yield e;
      }
      if (page.length === 0) return;
      after = page[page.length - 1].position;
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const after = options.after ?? 0;
    let source: AllStreamSubscription | undefined;
    let closed = false;
    // The client emits 'error' on its Readable; without a listener an error raised while the consumer
    // is not iterating (server unreachable) would be an uncaught exception in the process.
    let early: unknown;

    const run = async function* (this: EventStoreDbEventStore): AsyncGenerator<RecordedEvent> {
      // Number the log up to the checkpoint first, so the subscription can start at its exact position.
      await this.extendIndex((idx) => idx.length >= after);
      if (closed) return;
      const start = Math.min(after, this.index.length);
      let previousCommit = this.index.commitOf(start);
      // A catch-up subscription: historical events first, then live ones, in $all order. The client's
      // subscription is a Readable with a bounded buffer, so a slow consumer stops the gRPC stream
      // (HTTP/2 flow control) instead of piling events up in memory.
      source = this.client.subscribeToAll(
        { fromPosition: previousCommit > 0 ? commitToPosition(previousCommit) : START, filter: this.filter },
        { highWaterMark: this.subscriptionBuffer },
      );
      source.on('error', (err) => {
        early ??= err;
      });
      let last = start;
      try {
        for await (const resolved of source) {
          if (closed) return;
          if (early !== undefined) throw early;
          const raw = toRecordedEvent(resolved, this.prefix);
          // Starting from a position is exclusive for subscriptions; the check also guards ordering.
          if (!raw || raw.position <= previousCommit) continue;
          const position = this.index.adopt(raw.position, previousCommit);
          previousCommit = raw.position;
          if (position !== last + 1) throw new Error(`subscription: position ${position} does not follow ${last}`);
          last = position;
          if (position <= after) continue;
          yield { ...raw, position };
        }
      } catch (err) {
        if (closed) return;
        throw err;
      }
    };

    const iterator = run.call(this);
    const subscription: Subscription = {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        if (closed) return;
        closed = true;
        this.subscriptions.delete(subscription);
        if (source) {
          await source.unsubscribe().catch(() => undefined);
          source.destroy();
        }
        await iterator.return(undefined).catch(() => undefined);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    this.assertOpen();
    const name = toStoreStreamName(this.prefix, streamId);
    for await (const { event } of this.readStreamPage(name, true, END, 1)) {
      return event ? { streamId, revision: event.revision, hash: event.hash } : null;
    }
    return null;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    await this.extendIndex(() => false);
    return this.index.length;
  }

  /**
   * Walks this store's log in $all order with the ChainVerifier (positions are contiguous by
   * construction; commit positions are checked to increase while numbering). There is no stored log
   * hash, so the verifier's log chain is computed, not compared: the report's (headPosition,
   * headLogHash) is the anchor to keep outside. Stream heads are read back from each stream, so a
   * stream deleted behind the store (its events still in $all until a scavenge) shows up as removed.
   * After a scavenge the events are gone from $all too: only a kept anchor reveals that.
   */
  async verify(options: { onProgress?: (checked: number) => void } = {}): Promise<VerifyReport> {
    this.assertOpen();
    const v = new ChainVerifier();
    const streams = new Set<string>();
    let after = 0;
    for (;;) {
      let page: RecordedEvent[];
      try {
        page = await this.readAllPage(after, this.pageSize);
      } catch (err) {
        // An event in our streams without our metadata was written around the adapter: report, not crash.
        if (!(err instanceof ForeignEventError)) throw err;
        v.problem = { kind: 'altered', eventId: err.eventId, streamId: fromStoreStreamName(this.prefix, err.storeStreamName) ?? err.storeStreamName, detail: err.message };
        return v.report();
      }
      if (page.length === 0) break;
      for (const e of page) {
        if (!v.check(e)) return v.report();
        streams.add(e.streamId);
        if (v.checked % 10000 === 0) options.onProgress?.(v.checked);
      }
      after = page[page.length - 1].position;
    }
    for (const streamId of streams) {
      const head = await this.streamHead(streamId);
      if (!head) {
        return { ...v.report(), ok: false, problem: { kind: 'removed', streamId, detail: `stream ${streamId} has events in $all but cannot be read (deleted or truncated behind the store)` } };
      }
      if (!v.checkHead(head)) break;
    }
    return v.report();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  /** Test and operations hook: soft-deletes a stream (its events stay in $all until a scavenge). */
  async deleteStream(streamId: string): Promise<void> {
    this.assertOpen();
    await this.client.deleteStream(toStoreStreamName(this.prefix, streamId));
  }

  /** One server read of a stream; `event` is null for records that are not ours ($-types such as deletions). */
  private async *readStreamPage(
    name: string, backwards: boolean, fromRevision: ReadRevision, maxCount: number,
  ): AsyncGenerator<{ revision: number; event: RawEvent | null }> {
    try {
      for await (const resolved of this.client.readStream(name, { direction: backwards ? BACKWARDS : FORWARDS, fromRevision, maxCount })) {
        const event = toRecordedEvent(resolved as ResolvedEvent, this.prefix);
        yield { revision: event ? event.revision : Number(resolved.event?.revision ?? -1n), event };
      }
    } catch (err) {
      // The port reads a stream that does not exist (or no longer does) as empty.
      if (isStreamNotFound(err) || isStreamDeleted(err)) return;
      throw err;
    }
  }

  /**
   * Store events with a commit position above `afterCommit` (0 = from the start), in $all order, at most
   * `max`; `end` is true when the read reached the end of the log.
   */
  private async readRawPage(afterCommit: number, max: number): Promise<{ events: RawEvent[]; end: boolean }> {
    const events: RawEvent[] = [];
    let from: ReadPosition = afterCommit > 0 ? commitToPosition(afterCommit) : START;
    let last = afterCommit;
    for (;;) {
      let n = 0;
      let lastRecord: ReadPosition | undefined;
      // Reading $all from a position includes the record at it: ask for one more than needed.
      const want = max - events.length + 1;
      for await (const resolved of this.client.readAll({ direction: FORWARDS, fromPosition: from, maxCount: want, filter: this.filter })) {
        n++;
        lastRecord = resolved.event?.position ?? lastRecord;
        const e = toRecordedEvent(resolved, this.prefix);
        if (!e || e.position <= last || events.length >= max) continue;
        last = e.position;
        events.push(e);
      }
      if (n < want || !lastRecord) return { events, end: true };
      // Full read: done when the page is full, otherwise $-typed records were skipped and we top up.
      if (events.length >= max) return { events, end: false };
      from = lastRecord;
    }
  }

  /** Events after position `after`, numbered, at most `max`. */
  private async readAllPage(after: number, max: number): Promise<RecordedEvent[]> {
    await this.extendIndex((idx) => idx.length >= after);
    if (after > this.index.length) return [];
    let previousCommit = this.index.commitOf(after);
    const { events } = await this.readRawPage(previousCommit, max);
    return events.map((raw) => {
      const position = this.index.adopt(raw.position, previousCommit);
      previousCommit = raw.position;
      return { ...raw, position };
    });
  }

  /** A stream event with its global position in place of its commit position. */
  private async renumber(raw: RawEvent): Promise<RecordedEvent> {
    const commit = raw.position;
    for (let attempt = 1; ; attempt++) {
      if (commit > this.index.lastCommit) await this.extendIndex((idx) => idx.lastCommit >= commit);
      const position = this.index.positionOf(commit);
      if (position !== undefined) return { ...raw, position };
      // $all and stream reads are served up to the same committed position, so this should not
      // happen; a short wait covers a server that lets a stream read run ahead of $all.
      if (attempt >= 3) {
        throw new EventStoreError(`event ${raw.id} (stream ${raw.streamId}) at $all position ${commit} is not in this store's log`, 'position-index-inconsistent');
      }
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }

  /**
   * Extends the position index along $all until `done(index)` holds or the log ends. One extension
   * runs at a time; concurrent callers wait for it and check again.
   */
  private async extendIndex(done: (index: PositionIndex) => boolean): Promise<void> {
    while (!done(this.index)) {
      if (this.extending) {
        await this.extending;
        continue;
      }
      let reachedEnd = false;
      this.extending = (async () => {
        let previousCommit = this.index.lastCommit;
        for (;;) {
          const { events, end } = await this.readRawPage(previousCommit, this.pageSize);
          for (const e of events) {
            this.index.adopt(e.position, previousCommit);
            previousCommit = e.position;
          }
          if (end) {
            reachedEnd = true;
            return;
          }
          if (done(this.index)) return;
        }
      })().finally(() => {
        this.extending = undefined;
      });
      await this.extending;
      if (reachedEnd) return;
    }
  }

  /**
   * The stream's head (to chain from) and where this append's ids are already stored. The first append
   * to a stream in this process reads it whole; later ones read only what was appended since, from a
   * small per-process cache of what has been read (events are immutable and revisions dense, so the
   * cache can only be behind, never wrong).
   */
  private async scanStream(name: string, prepared: PreparedAppend): Promise<{ head: { revision: number; hash: string } | null; stored: StoredIdentity[] }> {
    const scan = this.scans.get(name) ?? { revision: -1, hash: GENESIS_HASH, ids: new Map<string, { revision: number; type: string }>() };
    let from: ReadRevision = scan.revision >= 0 ? BigInt(scan.revision + 1) : START;
    for (;;) {
      let n = 0;
      let lastRevision = -1;
      for await (const { revision, event: e } of this.readStreamPage(name, false, from, this.pageSize)) {
        n++;
        lastRevision = revision;
        if (!e) continue;
        scan.ids.set(e.id, { revision: e.revision, type: e.type });
        if (e.revision > scan.revision) {
          scan.revision = e.revision;
          scan.hash = e.hash;
        }
      }
      if (n < this.pageSize) break;
      from = BigInt(lastRevision + 1);
    }
    this.remember(name, scan);
    const streamId = prepared.streamId;
    const stored: StoredIdentity[] = [];
    for (const e of prepared.events) {
      const s = scan.ids.get(e.id);
      // position: null, because numbering it could mean indexing the whole log on the write path.
      if (s) stored.push({ id: e.id, streamId, revision: s.revision, type: s.type, position: null });
    }
    return { head: scan.revision >= 0 ? { revision: scan.revision, hash: scan.hash } : null, stored };
  }

  /** Keeps the most recently used stream scans; the oldest is dropped beyond the limit. */
  private remember(name: string, scan: StreamScan): void {
    this.scans.delete(name);
    this.scans.set(name, scan);
    while (this.scans.size > this.scanCacheStreams) {
      const oldest = this.scans.keys().next().value as string;
      this.scans.delete(oldest);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}
