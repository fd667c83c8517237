import type { RecordedEvent } from '@lumbung/event-store';
import type { Admin, Consumer, EachBatchPayload, Producer, RetryOptions } from 'kafkajs';
import type { ConsumerHandlers, ConsumerOptions, DeliveredEvent, EventConsumer, EventPublisher, EventTransport } from './event-transport';
import type { LumbungKafka } from './kafka-client';
import type { TransportLogger } from './transport-logger';
import { NO_LOG } from './transport-logger';
import { DEFAULT_EVENTS_TOPIC, DEFAULT_TOPIC_PARTITIONS, type EventsTopicOptions } from './topic';
import { decodeEvent, encodeEvent, WireContractError } from './wire-contract';

export interface KafkaTransportOptions extends EventsTopicOptions {
  kafka: LumbungKafka;
  logger?: TransportLogger;
  /**
   * Producer retries before publish rejects (kafkajs backs off exponentially from 300 ms up to
   * maxRetryTime). The relay turns a rejection into a reconnect and a resend from its checkpoint.
   */
  producerRetry?: RetryOptions;
  /** consumer group session: how long a crashed member keeps its partitions (default 10 s; broker minimum 6 s) */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** how long a fetch waits for new messages; bounds the idle part of end-to-end latency (default 100 ms) */
  maxWaitTimeMs?: number;
}

/** Kafka refuses messages above max.message.bytes (1 MiB by default); events may carry up to 1 MiB of data. */
const TOPIC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * The Kafka transport: ONE topic for all events (default lumbung.events), key = stream id.
 *
 * Why one topic and not one per category: the readers that matter (the projector, other agencies'
 * systems) follow several categories at once, and a read model such as the gap matrix joins requests,
 * stock and pledges; one topic gives them one feed, ordered per stream, with one consumer group and
 * one offset per partition to checkpoint. A reader that wants one category filters on the
 * stream-category header without parsing the value. Ordering across streams is never promised by
 * Kafka anyway; the store's global position travels in each message for readers that need it.
 *
 * The partition count is fixed when the topic is created: adding partitions later moves keys to
 * other partitions, which would break per-stream order for events in flight. Choose it for the
 * number of projector processes wanted at most (each partition is read by one group member).
 */
export class KafkaEventTransport implements EventTransport {
  readonly topic: string;
  readonly source: string;
  readonly partitions: number;
  readonly logger: TransportLogger;

  constructor(readonly options: KafkaTransportOptions) {
    this.topic = options.topic ?? DEFAULT_EVENTS_TOPIC;
    this.partitions = options.partitions ?? DEFAULT_TOPIC_PARTITIONS;
    this.source = `kafka:${this.topic}`;
    this.logger = options.logger ?? NO_LOG;
    if (!Number.isInteger(this.partitions) || this.partitions < 1) throw new Error(`partitions must be a positive integer, got ${this.partitions}`);
  }

  publisher(): EventPublisher {
    return new KafkaEventPublisher(this);
  }

  consumer(options: ConsumerOptions): EventConsumer {
    return new KafkaEventConsumer(this, options);
  }

  /** ensureTopic with an admin client of its own (for processes that do not publish). */
  async prepareTopic(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await this.ensureTopic(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * Creates the topic with the configured partitions when it is missing. An existing topic is left
   * as it is (see above why partitions are never added); a different count is worth a warning.
   */
  async ensureTopic(admin: Admin): Promise<void> {
    // Look first: kafkajs logs a create of an existing topic as an ERROR before reporting it as false.
    const exists = (await admin.listTopics()).includes(this.topic);
    const created =
      !exists &&
      (await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.topic,
            numPartitions: this.partitions,
            replicationFactor: this.options.replicationFactor ?? -1,
            configEntries: [{ name: 'max.message.bytes', value: String(TOPIC_MAX_MESSAGE_BYTES) }],
          },
        ],
      }));
    if (created) {
      this.logger.info({ topic: this.topic, partitions: this.partitions }, 'created the events topic');
      return;
    }
    const meta = await admin.fetchTopicMetadata({ topics: [this.topic] });
    const actual = meta.topics[0]?.partitions.length ?? 0;
    if (actual !== this.partitions) {
      this.logger.warn({ topic: this.topic, configured: this.partitions, actual }, 'the events topic exists with another partition count; keeping it');
    }
  }
}

class KafkaEventPublisher implements EventPublisher {
  private producer: Producer | undefined;

  constructor(private readonly t: KafkaEventTransport) {}

  async connect(): Promise<void> {
    if (this.producer) return;
    await this.t.prepareTopic();
    // idempotent + acks=-1 + one request in flight per broker: a retried request can neither be
    // written twice nor overtake the one before it, so per-partition (per-stream) order holds across
    // retries. Each connect() makes a new producer (a new producer id): after a failure the old
    // producer's sequence numbers no longer tell anything.
    const producer = this.t.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: this.t.options.producerRetry,
    });
    try {
      await producer.connect();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    this.producer = producer;
  }

  async publish(events: readonly RecordedEvent[]): Promise<void> {
    if (!this.producer) throw new Error('publisher is not connected');
    if (events.length === 0) return;
    // One send: kafkajs groups the messages by partition into one record batch each, in the given
    // order, and resolves only when every partition's leader acknowledged with all in-sync replicas.
    const results = await this.producer.send({
      topic: this.t.topic,
      acks: -1,
      messages: events.map((e) => {
        const m = encodeEvent(e);
        return { key: m.key, value: m.value, headers: m.headers };
      }),
    });
    for (const r of results) {
      if (r.errorCode !== 0) throw new Error(`Kafka refused the write to ${r.topicName}/${r.partition}: error code ${r.errorCode}`);
    }
  }

  async disconnect(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.disconnect().catch(() => undefined);
  }
}

class KafkaEventConsumer implements EventConsumer {
  private consumer: Consumer | undefined;
  /** last offset applied per partition this member holds; cleared on every rebalance */
  private readonly applied = new Map<number, number>();
  private readonly committedAt = new Map<number, number>();
  private handlers!: ConsumerHandlers;
  private readonly maxBatchEvents: number;

  constructor(
    private readonly t: KafkaEventTransport,
    private readonly options: ConsumerOptions,
  ) {
    this.maxBatchEvents = options.maxBatchEvents ?? 1000;
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    if (this.consumer) throw new Error('consumer already started');
    this.handlers = handlers;
    const o = this.t.options;
    const consumer = o.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: o.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: o.heartbeatIntervalMs ?? 1_000,
      maxWaitTimeInMs: o.maxWaitTimeMs ?? 100,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;

    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const partitions = [...(e.payload.memberAssignment[this.t.topic] ?? [])].sort((a, b) => a - b);
      // Another member may have applied more of a partition while we did not hold it.
      this.applied.clear();
      this.t.logger.info({ groupId: this.options.groupId, partitions }, 'partitions assigned');
      handlers.onAssignment?.(partitions);
      void this.seekPastApplied(consumer, partitions);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      const err = e.payload.error;
      if (e.payload.restart) {
        this.t.logger.warn({ err: err.message }, 'consumer crashed; kafkajs restarts it');
      } else {
        this.t.logger.error({ err: err.message }, 'consumer crashed and will not restart');
        this.options.onFatal?.(err);
      }
    });

    await consumer.connect();
    await consumer.subscribe({ topics: [this.t.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // One fetch brings batches for several partitions: applying them one after the other (each a
      // read-model transaction and an offset commit) added up to a few hundred ms of freshness. The
      // writer takes advisory locks on the streams and rows a batch touches, so concurrent batches
      // are as safe as concurrent projector processes.
      partitionsConsumedConcurrently: 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /**
   * The database holds the real position; Kafka's committed offset is a hint that may lag behind it
   * (the process died between the database commit and the offset commit). Seeking saves fetching
   * what was applied already; eachBatch filters on the same offsets in case a fetch raced the seek.
   */
  private async seekPastApplied(consumer: Consumer, partitions: number[]): Promise<void> {
    for (const partition of partitions) {
      try {
        const applied = await this.appliedFor(partition);
        if (applied >= 0) consumer.seek({ topic: this.t.topic, partition, offset: String(applied + 1) });
      } catch (err) {
        this.t.logger.warn({ partition, err: (err as Error).message }, 'could not seek past the applied offset; filtering instead');
      }
    }
  }

  private async appliedFor(partition: number): Promise<number> {
    const known = this.applied.get(partition);
    if (known !== undefined) return known;
    const fromDb = (await this.handlers.appliedOffset(partition)) ?? -1;
    // Only ever forwards: a batch applied while the query ran may have moved it already.
    const now = Math.max(fromDb, this.applied.get(partition) ?? -1);
    this.applied.set(partition, now);
    return now;
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    const highWatermark = Number(batch.highWatermark);
    let applied = await this.appliedFor(partition);
    const fresh = batch.messages.filter((m) => Number(m.offset) > applied);

    for (let i = 0; i < fresh.length; i += this.maxBatchEvents) {
      if (!isRunning() || isStale()) return;
      const chunk = fresh.slice(i, i + this.maxBatchEvents);
      let events: DeliveredEvent[];
      try {
        events = chunk.map((m) => ({ event: decodeEvent(m), offset: Number(m.offset), timestamp: Number(m.timestamp) }));
      } catch (err) {
        if (err instanceof WireContractError) {
          // A message this build cannot read will not become readable by retrying, and skipping it
          // would leave the read models silently wrong: stop and say where it is.
          const e = new Error(`${this.t.topic}/${partition}: cannot read a message in offsets ${chunk[0].offset}..${chunk[chunk.length - 1].offset}: ${err.message}`);
          this.options.onFatal?.(e);
          throw e;
        }
        throw err;
      }
      try {
        await this.handlers.handleBatch({ source: this.t.source, partition, events, highWatermark });
      } catch (err) {
        this.options.onError?.(err as Error);
        throw err; // kafkajs backs off and redelivers from the last resolved offset
      }
      applied = events[events.length - 1].offset;
      if (applied > (this.applied.get(partition) ?? -1)) this.applied.set(partition, applied);
      resolveOffset(String(applied));
      await this.commit(commitOffsetsIfNecessary, partition, applied);
      await heartbeat();
    }
    if (fresh.length === 0 && batch.messages.length > 0) {
      // All of it applied before (a redelivery): let Kafka's committed offset catch up.
      const last = Number(batch.lastOffset());
      resolveOffset(batch.lastOffset());
      await this.commit(commitOffsetsIfNecessary, partition, last);
    }
  }

  private async commit(commitOffsetsIfNecessary: EachBatchPayload['commitOffsetsIfNecessary'], partition: number, offset: number): Promise<void> {
    // Kafka's committed offset is only a hint (the database checkpoint counts): at most once a second
    // per partition, not a broker round trip for every batch.
    const now = Date.now();
    if (now - (this.committedAt.get(partition) ?? 0) < 1000) return;
    this.committedAt.set(partition, now);
    try {
      await commitOffsetsIfNecessary({ topics: [{ topic: this.t.topic, partitions: [{ partition, offset: String(offset + 1) }] }] });
    } catch (err) {
      // Harmless: the database checkpoint is the position that counts; a lagging commit only costs a
      // filtered redelivery after the next rebalance.
      this.t.logger.warn({ partition, offset, err: (err as Error).message }, 'offset commit failed');
    }
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    if (!c) return;
    await c.stop().catch(() => undefined);
    await c.disconnect().catch(() => undefined);
  }
}
