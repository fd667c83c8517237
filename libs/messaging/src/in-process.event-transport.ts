import type { RecordedEvent } from '@lumbung/event-store';
import type { ConsumerHandlers, ConsumerOptions, DeliveredEvent, EventConsumer, EventPublisher, EventTransport } from './event-transport';
import { decodeEvent, encodeEvent, WireContractError, type WireMessage } from './wire-contract';

export interface InProcessTransportOptions {
  /** names the log in DeliveredBatch.source (default in-process:lumbung.events) */
  name?: string;
  /** default 1: one process gains nothing from more, and one partition keeps global order too */
  partitions?: number;
}

interface Stored {
  message: WireMessage;
  timestamp: number;
}

/**
 * The embedded mode's bus: the same contract and the same consumer semantics as Kafka (partitions
 * by stream id, consumer groups, at-least-once with the consumer's own checkpoint), kept in memory.
 * Messages go through encode/decode, so a consumer tested here reads exactly what Kafka would carry,
 * and never shares objects with the publisher. Nothing survives the process: after a restart the
 * embedded relay republishes from its checkpoint and consumers skip what they applied.
 */
export class InProcessEventTransport implements EventTransport {
  readonly source: string;
  readonly partitions: number;
  private readonly logs: Stored[][];
  private readonly groups = new Map<string, Group>();
  private waiters = new Set<() => void>();

  constructor(options: InProcessTransportOptions = {}) {
    this.source = options.name ?? 'in-process:lumbung.events';
    this.partitions = options.partitions ?? 1;
    if (!Number.isInteger(this.partitions) || this.partitions < 1) throw new Error(`partitions must be a positive integer, got ${this.partitions}`);
    this.logs = Array.from({ length: this.partitions }, () => []);
  }

  partitionOf(streamId: string): number {
    // FNV-1a: stable across runs, which is all a single process needs.
    let h = 0x811c9dc5;
    for (let i = 0; i < streamId.length; i++) {
      h ^= streamId.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % this.partitions;
  }

  /** messages stored per partition (tests) */
  sizes(): number[] {
    return this.logs.map((l) => l.length);
  }

  publisher(): EventPublisher {
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      publish: async (events: readonly RecordedEvent[]) => {
        const now = Date.now();
        for (const e of events) {
          const message = encodeEvent(e);
          this.logs[this.partitionOf(e.streamId)].push({ message, timestamp: now });
        }
        this.wake();
      },
    };
  }

  consumer(options: ConsumerOptions): EventConsumer {
    let group = this.groups.get(options.groupId);
    if (!group) {
      group = new Group(this.partitions);
      this.groups.set(options.groupId, group);
    }
    return new InProcessConsumer(this, group, options);
  }

  /** internal: read a partition from an offset */
  read(partition: number, from: number, max: number): { items: Stored[]; highWatermark: number } {
    const log = this.logs[partition];
    return { items: log.slice(from, from + max), highWatermark: log.length };
  }

  /** internal: resolves on the next publish, or after ms */
  waitForPublish(ms: number): { promise: Promise<void>; cancel: () => void } {
    let done!: () => void;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<void>((resolve) => {
      done = resolve;
      timer = setTimeout(resolve, ms);
      this.waiters.add(resolve);
    }).finally(() => {
      clearTimeout(timer);
      this.waiters.delete(done);
    });
    return { promise, cancel: () => done() };
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }
}

/** Members of one consumer group: partitions shared round-robin, one member per partition at a time. */
class Group {
  readonly members: InProcessConsumer[] = [];
  /** next offset to deliver per partition (the group's committed offset) */
  readonly committed: number[];
  /** serialises delivery of a partition across a reassignment */
  readonly locks: Promise<void>[];

  constructor(partitions: number) {
    this.committed = Array.from({ length: partitions }, () => 0);
    this.locks = Array.from({ length: partitions }, () => Promise.resolve());
  }

  rebalance(): void {
    const n = this.committed.length;
    for (const m of this.members) m.assigned = [];
    if (this.members.length === 0) return;
    for (let p = 0; p < n; p++) this.members[p % this.members.length].assigned.push(p);
    for (const m of this.members) m.assignmentChanged();
  }
}

class InProcessConsumer implements EventConsumer {
  assigned: number[] = [];
  private handlers!: ConsumerHandlers;
  private running = false;
  private loop: Promise<void> | undefined;
  private wait: { cancel: () => void } | undefined;
  /** last applied offset per partition, from the consumer's database; cleared on reassignment */
  private readonly applied = new Map<number, number>();
  private readonly maxBatchEvents: number;

  constructor(
    private readonly t: InProcessEventTransport,
    private readonly group: Group,
    private readonly options: ConsumerOptions,
  ) {
    this.maxBatchEvents = options.maxBatchEvents ?? 1000;
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    if (this.running) throw new Error('consumer already started');
    this.handlers = handlers;
    this.running = true;
    this.group.members.push(this);
    this.group.rebalance();
    this.loop = this.run().catch((err: Error) => {
      this.running = false;
      this.options.onFatal?.(err);
    });
  }

  assignmentChanged(): void {
    this.applied.clear();
    this.handlers?.onAssignment?.([...this.assigned]);
    this.wait?.cancel();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delivered = false;
      for (const partition of [...this.assigned]) {
        if (!this.running) return;
        try {
          delivered = (await this.deliver(partition)) || delivered;
        } catch (err) {
          if (err instanceof WireContractError) throw err;
          // Like Kafka: the batch stays unacknowledged and comes again after a pause.
          this.options.onError?.(err as Error);
          this.applied.delete(partition);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      if (!delivered && this.running) {
        const w = this.t.waitForPublish(200);
        this.wait = w;
        await w.promise;
        this.wait = undefined;
      }
    }
  }

  private deliver(partition: number): Promise<boolean> {
    const previous = this.group.locks[partition];
    const run = previous.then(async () => {
      if (!this.running || !this.assigned.includes(partition)) return false;
      let applied = this.applied.get(partition);
      if (applied === undefined) {
        applied = (await this.handlers.appliedOffset(partition)) ?? -1;
        this.applied.set(partition, applied);
      }
      const from = Math.max(this.group.committed[partition], applied + 1);
      const { items, highWatermark } = this.t.read(partition, from, this.maxBatchEvents);
      if (items.length === 0) return false;
      const events: DeliveredEvent[] = items.map((s, i) => ({ event: decodeEvent(s.message), offset: from + i, timestamp: s.timestamp }));
      await this.handlers.handleBatch({ source: this.t.source, partition, events, highWatermark });
      const last = events[events.length - 1].offset;
      this.applied.set(partition, last);
      this.group.committed[partition] = Math.max(this.group.committed[partition], last + 1);
      return true;
    });
    this.group.locks[partition] = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wait?.cancel();
    await this.loop;
    const i = this.group.members.indexOf(this);
    if (i >= 0) this.group.members.splice(i, 1);
    this.group.rebalance();
  }
}
