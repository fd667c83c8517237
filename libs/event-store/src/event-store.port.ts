/**
 * The event store port. Every adapter (in-memory, SQLite, PostgreSQL, EventStoreDB) implements it
 * and passes the same contract suite (contract/event-store.contract.ts).
 *
 * Positions and revisions are plain numbers: a stream revision starts at 0, a global position at 1.
 * "after" arguments are exclusive, so a checkpoint is simply the last position a consumer handled
 * (0 = from the beginning).
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An exact revision (the revision of the stream's last event), or one of the EventStoreDB-style cases. */
export type ExpectedRevision = number | 'no-stream' | 'exists' | 'any';

/** Who, why, and which command and conversation an append belongs to (DESIGN.md invariant 5). */
export interface AppendMetadata {
  /** user id of the person or system that issued the command */
  actor: string;
  /** member organisation the actor acts for, where there is one */
  member?: string;
  /** role the actor used (eoc, warehouse, member, site, commander, auditor, admin, system) */
  role?: string;
  /** groups everything that belongs to one request through approval, dispatches and receipts */
  correlationId: string;
  /** the command (or event) that caused this append */
  causationId: string;
  /** why, where a person decided */
  reason?: string;
  /** when it happened in the world (ISO-8601), from the command, never from the store's clock */
  occurredAt: string;
  /** anything else worth keeping (incident, phase, idempotency key, projection version seen...) */
  extra?: JsonObject;
}

export interface NewEvent {
  /** UUID chosen by the caller; appending the same id again at the same place is a no-op */
  id: string;
  /** explicit type string, past tense (DispatchPlanned), never derived from a class name */
  type: string;
  /** schema version of data; old versions are upcast on read, never rewritten */
  schemaVersion?: number;
  data: JsonObject;
}

export interface EventMetadata extends AppendMetadata {
  /** when the store recorded it (ISO-8601), set by the adapter */
  recordedAt: string;
}

export interface RecordedEvent<D extends JsonObject = JsonObject> {
  id: string;
  type: string;
  streamId: string;
  /** 0-based revision of the event in its stream */
  revision: number;
  /** 1-based position in the global (commit-ordered, sealed) log */
  position: number;
  schemaVersion: number;
  data: D;
  metadata: EventMetadata;
  /** integrity hash: sha256 over the previous event's hash in the stream and this event's content */
  hash: string;
}

/**
 * What projections read of an event, and all that a rebuild's lean read of the log carries: no id,
 * metadata or hash (a replay of the whole log would otherwise transfer and parse them for nothing).
 */
export type EventForProjection<D extends JsonObject = JsonObject> = Pick<RecordedEvent<D>, 'type' | 'streamId' | 'revision' | 'position' | 'schemaVersion' | 'data'>;

export interface AppendResult {
  streamId: string;
  /** revision of the first event written by this append */
  firstRevision: number;
  /** revision of the last event written: pass it as expectedRevision for the next append */
  nextExpectedRevision: number;
  /**
   * Global position of the last event, where the adapter knows it at append time. PostgreSQL assigns
   * global positions when it seals the log behind the appends, so it returns null there.
   */
  position: number | null;
  /** true when every event id was already stored at this place: nothing was written */
  idempotentReplay: boolean;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  direction?: Direction;
  /** inclusive; default 0 forwards, the last revision backwards */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** exclusive global position; default 0 (from the start) */
  after?: number;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** exclusive global position to resume after: the last position the subscriber handled */
  after?: number;
}

/**
 * A catch-up subscription: first everything after the given position, then live appends,
 * each committed event exactly once, in global order. Consumed with `for await`; `close()` ends
 * the iteration. Backpressure: the adapter never reads more than a page ahead of the consumer.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface StreamHead {
  streamId: string;
  revision: number;
  hash: string;
}

export interface VerifyProblem {
  kind: 'altered' | 'removed' | 'reordered' | 'chain-broken';
  position?: number;
  streamId?: string;
  revision?: number;
  eventId?: string;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  /** events checked */
  checked: number;
  /** last position and log hash: an auditor keeps these outside the system as an anchor */
  headPosition: number;
  headLogHash: string;
  /** the first problem found, in log order */
  problem?: VerifyProblem;
}

/** One stream's part of an appendMultiple. */
export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
  metadata: AppendMetadata;
}

export interface CorrelationReadOptions {
  /** exclusive global position to start after (default 0) */
  after?: number;
  /** inclusive global position to stop at (an as-of read) */
  toPosition?: number;
  maxCount?: number;
}

export interface EventStore {
  /** Atomic: all events are written or none. */
  append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision, metadata: AppendMetadata): Promise<AppendResult>;
  /**
   * Atomic across streams: every part is written or none (one transaction), each part checked
   * against its own expected revision; a WrongExpectedRevisionError names the first stream that
   * failed. Results in the order of the parts. Streams must be distinct. A retry is recognised per
   * part by its event ids: parts already stored answer as replays and the others are written (so a
   * flow that older code wrote one stream at a time is finished, not doubled).
   */
  appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]>;
  /**
   * The sealed events whose metadata.correlationId is this, in global order (indexed where the
   * store allows: the auditor's trail of a request across its streams).
   */
  readByCorrelationId(correlationId: string, options?: CorrelationReadOptions): AsyncIterable<RecordedEvent>;
  /** Paged internally; never loads a whole stream into memory. Empty for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  /** Paged internally; only sealed (globally positioned) events. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * Optional, for replays of the whole log (a rebuild of the read models): readAll's events in the
   * same order, page by page (non-empty arrays), each with exactly the fields of EventForProjection
   * and nothing more. Cheaper where a store implements it: no metadata, id or hash to read and parse,
   * and a step of async iteration per page instead of per event. Callers use
   * readAllForProjection(store, ...), which falls back to readAll.
   */
  readAllForProjection?(options?: ReadAllOptions): AsyncIterable<EventForProjection[]>;
  /**
   * Optional, for as-of reads (the auditor's "as it was then"): the head of the log and one point of
   * it, in one read. `position`: that position and its event's recordedAt (null at 0 or beyond the
   * head); `at` (ISO-8601, to the millisecond): the last position recorded at or before it, found by
   * a binary search over [0, head] (the event at or after the middle; kept when within range and
   * recorded at or before `at`); neither: the head. The query API searches over readAll the same way
   * for a store without it (apps/query-api/src/as-of/as-of-cut.ts; its int spec checks both agree).
   */
  logCut?(cut?: { position?: number; at?: string }): Promise<LogPoint>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** The stream's last revision and hash, or null when it does not exist. */
  streamHead(streamId: string): Promise<StreamHead | null>;
  /** The last sealed global position (0 when empty). */
  headPosition(): Promise<number>;
  /** Walk the integrity chains: stream chains and the global log chain. */
  verify(options?: { onProgress?: (checked: number) => void }): Promise<VerifyReport>;
  close(): Promise<void>;
}

/** The head of the log and a point of it (EventStore.logCut). */
export interface LogPoint {
  head: number;
  position: number;
  recordedAt: string | null;
}

/**
 * The store's lean read of the log in pages where it has one; otherwise readAll's events in pages of
 * up to `pageSize` (they carry more fields than EventForProjection, which is harmless).
 */
export async function* readAllForProjection(store: EventStore, options?: ReadAllOptions, pageSize = 500): AsyncIterable<EventForProjection[]> {
  if (store.readAllForProjection) {
    yield* store.readAllForProjection(options);
    return;
  }
  let page: EventForProjection[] = [];
  for await (const e of store.readAll(options)) {
    page.push(e);
    if (page.length >= pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}
