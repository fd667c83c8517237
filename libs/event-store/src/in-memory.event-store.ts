import { chainEvents, checkExpectedRevision, idempotentReplay } from './append-support';
import { EventStoreClosedError } from './errors';
import type {
  AppendMetadata, AppendResult, CorrelationReadOptions, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions,
  RecordedEvent, StreamAppend, StreamHead, SubscribeOptions, Subscription, VerifyReport,
} from './event-store.port';
import { GENESIS_HASH, logHash } from './integrity';
import { Notifier, pollingSubscription } from './subscription';
import { prepareAppend, prepareAppends, type PreparedAppend } from './validation';
import { ChainVerifier } from './verifier';

/**
 * In-memory adapter: for unit tests of deciders and handlers only. JavaScript runs an append without
 * interleaving (no await inside), so appends are atomic and positions are commit order.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: Array<{ event: RecordedEvent; logHash: string }> = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly notifier = new Notifier();
  private closed = false;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async append(streamId: string, events: NewEvent[], expectedRevision: ExpectedRevision, metadata: AppendMetadata): Promise<AppendResult> {
    this.assertOpen();
    const prepared = prepareAppend(streamId, events, expectedRevision, metadata);
    const replay = this.replayOf(prepared);
    if (replay) return replay;
    checkExpectedRevision(prepared.streamId, expectedRevision, this.currentRevision(prepared.streamId));
    const result = this.write(prepared);
    this.notifier.notify();
    return result;
  }

  async appendMultiple(appends: StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    const parts = prepareAppends(appends);
    // Every check before the first write: all parts or none.
    const replays = parts.map((p) => this.replayOf(p));
    parts.forEach((p, i) => {
      if (!replays[i]) checkExpectedRevision(p.streamId, p.expectedRevision, this.currentRevision(p.streamId));
    });
    const results = parts.map((p, i) => replays[i] ?? this.write(p));
    if (replays.some((r) => !r)) this.notifier.notify();
    return results;
  }

  async *readByCorrelationId(correlationId: string, options: CorrelationReadOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const max = options.maxCount ?? Infinity;
    const to = options.toPosition ?? Infinity;
    let n = 0;
    for (let i = options.after ?? 0; i < this.log.length && i < to && n < max; i++) {
      const e = this.log[i].event;
      if (e.metadata.correlationId !== correlationId) continue;
      n++;
      yield structuredClone(e);
    }
  }

  private replayOf(prepared: PreparedAppend): AppendResult | null {
    const stored = prepared.events.map((e) => this.byId.get(e.id)).filter((e): e is RecordedEvent => !!e);
    return idempotentReplay(prepared, stored);
  }

  private currentRevision(streamId: string): number {
    return (this.streams.get(streamId)?.length ?? 0) - 1;
  }

  /** Chains and stores one checked append; no await inside, so nothing interleaves. */
  private write(prepared: PreparedAppend): AppendResult {
    const stream = this.streams.get(prepared.streamId) ?? [];
    const current = stream.length - 1;
    const prevHash = current < 0 ? GENESIS_HASH : stream[current].hash;
    const chained = chainEvents(prepared, current, prevHash, this.clock().toISOString());
    for (const c of chained) {
      const { dataJson: _d, metadataJson: _m, ...rest } = c;
      const position = this.log.length + 1;
      const prevLog = this.log.length ? this.log[this.log.length - 1].logHash : GENESIS_HASH;
      const event: RecordedEvent = structuredClone({ ...rest, position });
      this.log.push({ event, logHash: logHash(prevLog, position, event.hash) });
      stream.push(event);
      this.byId.set(event.id, event);
    }
    this.streams.set(prepared.streamId, stream);
    const last = stream[stream.length - 1];
    return { streamId: prepared.streamId, firstRevision: current + 1, nextExpectedRevision: last.revision, position: last.position, idempotentReplay: false };
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const max = options.maxCount ?? Infinity;
    let n = 0;
    if (options.direction === 'backwards') {
      for (let r = Math.min(options.fromRevision ?? stream.length - 1, stream.length - 1); r >= 0 && n < max; r--, n++) yield structuredClone(stream[r]);
    } else {
      for (let r = options.fromRevision ?? 0; r < stream.length && n < max; r++, n++) yield structuredClone(stream[r]);
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const max = options.maxCount ?? Infinity;
    let n = 0;
    for (let i = options.after ?? 0; i < this.log.length && n < max; i++, n++) yield structuredClone(this.log[i].event);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    return pollingSubscription({
      after: options.after ?? 0,
      notifier: this.notifier,
      readPage: async (after, max) => this.log.slice(after, after + max).map((l) => structuredClone(l.event)),
    });
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    const stream = this.streams.get(streamId);
    if (!stream?.length) return null;
    const last = stream[stream.length - 1];
    return { streamId, revision: last.revision, hash: last.hash };
  }

  async headPosition(): Promise<number> {
    return this.log.length;
  }

  async verify(options: { onProgress?: (checked: number) => void } = {}): Promise<VerifyReport> {
    const v = new ChainVerifier();
    for (const l of this.log) {
      if (!v.check(l.event, l.logHash)) break;
      if (v.checked % 10000 === 0) options.onProgress?.(v.checked);
    }
    for (const [streamId, s] of this.streams) {
      if (!v.checkHead({ streamId, revision: s.length - 1, hash: s[s.length - 1].hash })) break;
    }
    return v.report();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.notifier.notify();
  }

  /** Test hook: lets the contract suite alter a stored event behind the store's back. */
  tamper(position: number, mutate: (e: RecordedEvent) => void): void {
    mutate(this.log[position - 1].event);
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }
}
