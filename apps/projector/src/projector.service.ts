import type { RecordedEvent } from '@lumbung/event-store';
import type { DeliveredBatch, EventConsumer, EventTransport, TransportLogger } from '@lumbung/messaging';
import { NO_LOG } from '@lumbung/messaging';
import type { Registry } from 'prom-client';
import { ProjectorMetrics, type StoreHead } from './projector.metrics';

/** Where a projector writes: libs/read-model's ReadModelWriter fits it. */
export interface ReadModelSink {
  /**
   * Stores the rows the events make and the checkpoint, in one transaction; events a stream has
   * already applied (by revision) have no second effect.
   */
  applyBatch(events: RecordedEvent[], checkpoint: { source: string; partition: number; position: number }): Promise<unknown>;
  /** the position stored with the last batch of that source and partition; 0 (or null) when none */
  getCheckpoint(source: string, partition: number): Promise<number | null | undefined>;
}

export interface ProjectorOptions {
  transport: EventTransport;
  sink: ReadModelSink;
  /** members of one group share the partitions (default lumbung-projector) */
  groupId?: string;
  /** events per read-model transaction at most (default 1000) */
  maxBatchEvents?: number;
  /** the app's registry, to serve on its /metrics (default: a registry of its own) */
  registry?: Registry;
  /** the store's head position, for the lag behind the store on /metrics (e.g. () => store.headPosition()) */
  storeHead?: StoreHead;
  logger?: TransportLogger;
  /** the consumer cannot go on (a message this build cannot read): main.ts exits non-zero */
  onFatal?: (err: Error) => void;
}

/**
 * Kafka (or the in-process bus) to read models. Each delivered batch is applied with its checkpoint
 * (source = the transport's log, partition, position) in one database transaction;
 * only after that commits does the transport commit its own offset. A crash between the two leaves
 * Kafka's offset behind the database's: on assignment the consumer resumes after the database's
 * checkpoint, and anything redelivered by a stream revision is skipped by the writer.
 */
export class ProjectorService {
  readonly metrics: ProjectorMetrics;
  readonly groupId: string;
  private consumer: EventConsumer | undefined;
  private readonly log: TransportLogger;
  private fatal: Error | undefined;

  constructor(private readonly o: ProjectorOptions) {
    this.groupId = o.groupId ?? 'lumbung-projector';
    this.metrics = new ProjectorMetrics(o.registry, Date.now, o.storeHead);
    this.log = o.logger ?? NO_LOG;
  }

  get failure(): Error | undefined {
    return this.fatal;
  }

  async start(): Promise<void> {
    if (this.consumer) throw new Error('projector already started');
    const source = this.o.transport.source;
    this.consumer = this.o.transport.consumer({
      groupId: this.groupId,
      maxBatchEvents: this.o.maxBatchEvents,
      onError: (err) => this.log.warn({ err: err.message }, 'batch failed; it will be redelivered'),
      onFatal: (err) => {
        this.fatal = err;
        this.log.error({ err: err.message }, 'projector cannot go on');
        this.o.onFatal?.(err);
      },
    });
    await this.consumer.start({
      appliedOffset: async (partition) => appliedOffsetOf(await this.o.sink.getCheckpoint(source, partition)),
      handleBatch: (batch) => this.apply(batch),
      onAssignment: (partitions) => this.metrics.assigned(partitions),
    });
    this.log.info({ groupId: this.groupId, source }, 'projector started');
  }

  private async apply(batch: DeliveredBatch): Promise<void> {
    const events = batch.events.map((d) => d.event);
    const position = checkpointOf(batch.events[batch.events.length - 1].offset);
    await this.o.sink.applyBatch(events, { source: batch.source, partition: batch.partition, position });
    this.metrics.applied(
      batch.partition,
      batch.highWatermark,
      batch.events.map((d) => ({ offset: d.offset, timestamp: d.timestamp, recordedAt: d.event.metadata.recordedAt, position: d.event.position })),
    );
    this.log.debug({ partition: batch.partition, events: events.length, offset: position }, 'batch applied');
  }

  /** Finishes the batch in hand (its transaction and offset commit), then leaves the group. */
  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    await c?.stop();
  }
}

/**
 * The checkpoint stored for a partition is the offset to read next (the last applied offset + 1),
 * Kafka's own convention for committed offsets. Offsets start at 0, so storing the last offset
 * itself could not tell "applied offset 0" from "nothing applied" (which reads as 0 too).
 */
export function checkpointOf(lastAppliedOffset: number): number {
  return lastAppliedOffset + 1;
}

export function appliedOffsetOf(checkpoint: number | null | undefined): number | null {
  return checkpoint === null || checkpoint === undefined || checkpoint <= 0 ? null : Number(checkpoint) - 1;
}
