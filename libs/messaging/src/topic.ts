/**
 * The events topic. One topic carries every event (see KafkaEventTransport for why), keyed by stream
 * id; its name and partition count come from configuration (LUMBUNG_EVENTS_TOPIC,
 * LUMBUNG_EVENTS_PARTITIONS).
 */
export const DEFAULT_EVENTS_TOPIC = 'lumbung.events';
/** Up to six projector processes can share the work; more partitions cost little on the broker. */
export const DEFAULT_TOPIC_PARTITIONS = 6;

export interface EventsTopicOptions {
  topic?: string;
  /** used when the topic is created; an existing topic keeps its count */
  partitions?: number;
  /** -1 (default): the broker's default.replication.factor */
  replicationFactor?: number;
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Reads LUMBUNG_EVENTS_TOPIC and LUMBUNG_EVENTS_PARTITIONS; throws naming the variable on a bad value. */
export function eventsTopicFromEnv(env: Readonly<Record<string, string | undefined>>): Required<Pick<EventsTopicOptions, 'topic' | 'partitions'>> {
  const topic = env.LUMBUNG_EVENTS_TOPIC?.trim() || DEFAULT_EVENTS_TOPIC;
  if (!TOPIC_NAME.test(topic)) throw new Error(`LUMBUNG_EVENTS_TOPIC: not a valid Kafka topic name: ${JSON.stringify(topic)}`);
  const raw = env.LUMBUNG_EVENTS_PARTITIONS?.trim();
  const partitions = raw ? Number(raw) : DEFAULT_TOPIC_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw new Error(`LUMBUNG_EVENTS_PARTITIONS: must be an integer 1..10000, got ${JSON.stringify(raw)}`);
  }
  return { topic, partitions };
}
