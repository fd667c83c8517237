import { Counter, Gauge, Histogram, Registry } from 'prom-client';

interface PartitionState {
  /** last applied offset */
  offset: number;
  /** offset the next message will get, as of the last fetch */
  highWatermark: number;
  /** recordedAt (ms) of the last applied event */
  recordedAt: number;
}

/** Seconds from the store's commit to the read model's commit: the freshness the commanders see. */
const FRESHNESS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The store's head position (EventStore.headPosition), read when /metrics is scraped. */
export type StoreHead = () => Promise<number>;

/**
 * Lag of this projector process, per partition it holds, computed when scraped:
 *  - events behind: messages in the partition after the last one applied (Kafka's high watermark);
 *  - ms behind: while anything is pending, the age of the last applied event (from its recordedAt,
 *    the store's commit time), i.e. how old the read model's view of that partition is; 0 when
 *    caught up.
 * Plus a histogram of each event's store-to-read-model delay and its store-to-Kafka part.
 * And, when given the store's head (`storeHead`), the lag behind the store itself, which also counts
 * what the relay has not published yet:
 *  - events behind the store: the store's head position minus the highest position this process
 *    has applied (with several processes in a group, each measures against the events it has seen);
 *  - ms behind the store: while behind, the age of the newest applied event (0 when caught up).
 * A registry of its own (or the app's), never prom-client's global one: several projectors may
 * share a process (the embedded mode, tests).
 */
export class ProjectorMetrics {
  readonly registry: Registry;
  readonly eventsApplied: Counter;
  readonly batchesApplied: Counter;
  readonly freshness: Histogram;
  readonly relayDelay: Histogram;
  private readonly partitions = new Map<number, PartitionState>();
  /** the highest store position applied, and when that event was recorded */
  private newest = { position: 0, recordedAt: NaN };

  constructor(registry?: Registry, private readonly clock: () => number = Date.now, storeHead?: StoreHead) {
    this.registry = registry ?? new Registry();
    const registers = [this.registry];
    this.eventsApplied = new Counter({ name: 'lumbung_projector_events_total', help: 'Events handed to the read models (redeliveries skipped by offset excluded)', registers });
    this.batchesApplied = new Counter({ name: 'lumbung_projector_batches_total', help: 'Read-model transactions committed', registers });
    this.freshness = new Histogram({
      name: 'lumbung_projector_freshness_seconds',
      help: 'Time from an event being recorded in the store to its read-model transaction committing',
      buckets: FRESHNESS_BUCKETS,
      registers,
    });
    this.relayDelay = new Histogram({
      name: 'lumbung_projector_relay_delay_seconds',
      help: 'Time from an event being recorded in the store to Kafka storing it (the relay and broker part of freshness)',
      buckets: FRESHNESS_BUCKETS,
      registers,
    });
    const partitions = this.partitions;
    const lagEvents = (s: PartitionState) => this.lagEvents(s);
    const lagMs = (s: PartitionState) => this.lagMs(s);
    new Gauge({
      name: 'lumbung_projector_lag_events',
      help: 'Events in the partition not yet applied by this process',
      labelNames: ['partition'],
      registers,
      collect() {
        this.reset();
        for (const [p, s] of partitions) this.set({ partition: String(p) }, lagEvents(s));
      },
    });
    new Gauge({
      name: 'lumbung_projector_lag_ms',
      help: 'While events are pending: milliseconds since the last applied event was recorded in the store; 0 when caught up',
      labelNames: ['partition'],
      registers,
      collect() {
        this.reset();
        for (const [p, s] of partitions) this.set({ partition: String(p) }, lagMs(s));
      },
    });
    if (storeHead) {
      const behind = async () => {
        const head = await storeHead();
        const events = Math.max(0, head - this.newest.position);
        return { events, ms: events > 0 && Number.isFinite(this.newest.recordedAt) ? Math.max(0, this.clock() - this.newest.recordedAt) : 0 };
      };
      new Gauge({
        name: 'lumbung_projector_store_lag_events',
        help: "Events in the store (its head position) after the newest one this process has applied, the relay's backlog included",
        registers,
        async collect() {
          this.set((await behind()).events);
        },
      });
      new Gauge({
        name: 'lumbung_projector_store_lag_ms',
        help: 'While behind the store: milliseconds since the newest applied event was recorded; 0 when caught up',
        registers,
        async collect() {
          this.set((await behind()).ms);
        },
      });
    }
  }

  assigned(partitions: number[]): void {
    for (const p of [...this.partitions.keys()]) if (!partitions.includes(p)) this.partitions.delete(p);
  }

  applied(partition: number, highWatermark: number, events: Array<{ offset: number; timestamp: number; recordedAt: string; position?: number }>): void {
    const now = this.clock();
    for (const e of events) {
      const recorded = Date.parse(e.recordedAt);
      if (e.position !== undefined && e.position > this.newest.position) this.newest = { position: e.position, recordedAt: recorded };
      if (Number.isFinite(recorded)) {
        this.freshness.observe(Math.max(0, now - recorded) / 1000);
        this.relayDelay.observe(Math.max(0, e.timestamp - recorded) / 1000);
      }
    }
    const last = events[events.length - 1];
    this.partitions.set(partition, { offset: last.offset, highWatermark, recordedAt: Date.parse(last.recordedAt) });
    this.eventsApplied.inc(events.length);
    this.batchesApplied.inc();
  }

  /** summed over the partitions this process holds */
  totalLag(): { events: number; ms: number } {
    let events = 0;
    let ms = 0;
    for (const s of this.partitions.values()) {
      events += this.lagEvents(s);
      ms = Math.max(ms, this.lagMs(s));
    }
    return { events, ms };
  }

  private lagEvents(s: PartitionState): number {
    return Math.max(0, s.highWatermark - 1 - s.offset);
  }

  private lagMs(s: PartitionState): number {
    return this.lagEvents(s) > 0 && Number.isFinite(s.recordedAt) ? Math.max(0, this.clock() - s.recordedAt) : 0;
  }
}
