// Smoke test of the test broker (scripts/kafka.sh) and of kafkajs through libs/messaging: the path the
// relay and projectors depend on. Keyed, idempotent writes with acks=all, read back by a consumer group,
// must arrive complete, without duplicates, and in order per key (DESIGN.md: ordering is per stream).
import type { Admin, Consumer, Producer } from 'kafkajs';
import { describeWithKafka } from './support/infra';
import { createTopic, deleteTopics, testKafka, uniqueName, waitUntil } from './support/kafka';

const PARTITIONS = 3;
const KEYS = 20;
const MESSAGES = 100;

interface Received {
  key: string;
  bodyKey: string;
  seq: number;
  partition: number;
  offset: string;
}

describeWithKafka('Kafka smoke test (real broker)', () => {
  const kafka = testKafka('lumbung-kafka-smoke');
  const topic = uniqueName('lumbung.smoke');
  const groupId = uniqueName('lumbung-smoke-group');
  let admin: Admin;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, topic, PARTITIONS);
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    if (admin) {
      await deleteTopics(admin, [topic]);
      await admin.deleteGroups([groupId]).catch(() => undefined); // gone already if empty and expired
      await admin.disconnect();
    }
  });

  it('creates the topic with the requested partitions', async () => {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics).toHaveLength(1);
    expect(meta.topics[0].partitions).toHaveLength(PARTITIONS);
    for (const p of meta.topics[0].partitions) expect(p.leader).toBeGreaterThanOrEqual(0);
  });

  it('delivers 100 keyed messages from an idempotent producer to a consumer group, in order per key', async () => {
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    // 20 keys, each with its own sequence 0..4, interleaved (key-0 #0, key-1 #0, ..., key-0 #1, ...)
    // and sent in 10 requests, so per-key order has to survive both batching and partitioning.
    const sent = Array.from({ length: MESSAGES }, (_, i) => ({ key: `stream-${i % KEYS}`, seq: Math.floor(i / KEYS) }));
    for (let batch = 0; batch < MESSAGES / 10; batch++) {
      const slice = sent.slice(batch * 10, batch * 10 + 10);
      const acks = await producer.send({
        topic,
        acks: -1,
        messages: slice.map((m) => ({ key: m.key, value: JSON.stringify(m) })),
      });
      for (const ack of acks) expect(ack.errorCode).toBe(0);
    }

    const received: Received[] = [];
    consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        // No expect() in here: a throw would make kafkajs retry the batch instead of failing the test.
        const body = JSON.parse(message.value!.toString()) as { key: string; seq: number };
        received.push({ key: message.key!.toString(), bodyKey: body.key, seq: body.seq, partition, offset: message.offset });
      },
    });
    await waitUntil(() => received.length >= MESSAGES, 30000, `${MESSAGES} messages`);
    // Linger a little: a duplicate would arrive after the 100th message, not before.
    await new Promise((r) => setTimeout(r, 500));

    expect(received).toHaveLength(MESSAGES);
    const unique = new Set(received.map((r) => `${r.key}#${r.seq}`));
    expect(unique.size).toBe(MESSAGES);
    expect(received.filter((r) => r.key !== r.bodyKey)).toEqual([]);

    const byKey = new Map<string, Received[]>();
    for (const r of received) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    expect(byKey.size).toBe(KEYS);
    for (const [key, list] of byKey) {
      // The order in which the consumer saw them is the order they were sent.
      expect({ key, seqs: list.map((r) => r.seq) }).toEqual({ key, seqs: Array.from({ length: MESSAGES / KEYS }, (_, i) => i) });
      // One key, one partition, increasing offsets: the partitioner is stable and the log kept the order.
      expect(new Set(list.map((r) => r.partition)).size).toBe(1);
      const offsets = list.map((r) => BigInt(r.offset));
      for (let i = 1; i < offsets.length; i++) expect(offsets[i] > offsets[i - 1]).toBe(true);
    }
    // The murmur2 partitioner is deterministic: these 20 keys fall 5/7/8 over the three partitions.
    expect(new Set(received.map((r) => r.partition)).size).toBe(PARTITIONS);

    // The group committed its position: on each partition, the offset after the last message it got
    // (partitions that received nothing have no commit, which kafkajs reports as -1).
    await consumer.stop();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const lastOffset = new Map<number, bigint>();
    for (const r of received) lastOffset.set(r.partition, BigInt(r.offset));
    for (const p of committed[0].partitions) {
      const last = lastOffset.get(p.partition);
      expect({ partition: p.partition, offset: p.offset }).toEqual({
        partition: p.partition,
        offset: last === undefined ? '-1' : String(last + 1n),
      });
    }
  });
});
