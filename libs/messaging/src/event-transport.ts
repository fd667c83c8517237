import type { RecordedEvent } from '@lumbung/event-store';

/**
 * How events travel from the relay to projections and other readers, behind one abstraction so that
 * the distributed mode (Kafka) and the embedded mode (in-process) run the same relay and projector
 * code, and so that kafkajs (unmaintained since 2.2.4) can be swapped without touching the apps.
 *
 * Guarantees every transport gives:
 *  - publish resolves only once every event of the call is stored durably by the transport;
 *  - events of one stream are delivered in the order they were published (one stream = one partition);
 *  - at-least-once: a consumer may see an event again (after a crash or a rebalance), never miss one.
 *    Consumers are idempotent by stream and revision, and keep their position in their own database.
 */
export interface EventPublisher {
  /** Connects (creating the topic if it is missing). Safe to call again after a failure. */
  connect(): Promise<void>;
  /** Resolves once every event is acknowledged. On rejection, some of them may have been stored. */
  publish(events: readonly RecordedEvent[]): Promise<void>;
  /** Drops the connection (and producer state) so that the next connect() starts afresh. */
  disconnect(): Promise<void>;
}

export interface DeliveredEvent {
  event: RecordedEvent;
  /** position in the partition (the Kafka offset) */
  offset: number;
  /** when the transport stored the message (ms since the epoch) */
  timestamp: number;
}

export interface DeliveredBatch {
  /** names the log the offsets belong to, e.g. kafka:lumbung.events; part of the consumer's checkpoint key */
  source: string;
  partition: number;
  /** in offset order; never empty */
  events: DeliveredEvent[];
  /** offset the next message written to the partition will get, when the batch was fetched (lag) */
  highWatermark: number;
}

export interface ConsumerHandlers {
  /**
   * The last offset this consumer has applied for a partition, from its own database (null: none).
   * Asked when a partition is assigned: delivery resumes after it, whatever offset the transport
   * itself has committed for the group, and anything at or below it is never handed over again.
   */
  appliedOffset(partition: number): Promise<number | null>;
  /**
   * Applies a batch (with its checkpoint, in one transaction). When it resolves, the transport
   * commits the offsets; when it rejects, the batch is redelivered.
   */
  handleBatch(batch: DeliveredBatch): Promise<void>;
  /** Partitions assigned to this member after a rebalance (for lag metrics and logs). */
  onAssignment?(partitions: number[]): void;
}

export interface EventConsumer {
  /** Joins the group and starts delivering; resolves once the consumer runs. */
  start(handlers: ConsumerHandlers): Promise<void>;
  /** Finishes the batch in hand, commits, leaves the group. */
  stop(): Promise<void>;
}

export interface ConsumerOptions {
  /** members of one group share the partitions; each partition goes to one member at a time */
  groupId: string;
  /** events handed to one handleBatch call at most (a transport batch is split beyond it) */
  maxBatchEvents?: number;
  /** called when the consumer cannot go on by itself (a message it cannot read, a crash of the client) */
  onFatal?: (err: Error) => void;
  /** called when handleBatch rejected; the batch is redelivered */
  onError?: (err: Error) => void;
}

export interface EventTransport {
  /** e.g. kafka:lumbung.events; the DeliveredBatch.source of its consumers */
  readonly source: string;
  publisher(): EventPublisher;
  consumer(options: ConsumerOptions): EventConsumer;
}
