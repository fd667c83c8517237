// The relay on the real services: PostgreSQL event store and checkpoint, the test Kafka broker.
import type { Admin } from 'kafkajs';
import { PostgresCheckpointStore, PostgresEventStore } from '@lumbung/event-store-postgres';
import { KafkaEventTransport, WIRE_CONTRACT_V1 } from '@lumbung/messaging';
import { describeWithKafka } from '../../../test/support/infra';
import { testKafka, uniqueName } from '../../../test/support/kafka';
import { createTestSchema, type TestSchema } from '../../../test/support/postgres';
import { appendInterleaved } from '../../../test/pipeline/support/events';
import { byStream, checkStreamOrder, readTopic } from '../../../test/pipeline/support/kafka-reader';
import { RelayService } from '../src/relay.service';

describeWithKafka('RelayService on PostgreSQL and Kafka', () => {
  const kafka = testKafka('relay-int');
  let admin: Admin;
  let schema: TestSchema;
  let store: PostgresEventStore;
  let checkpoints: PostgresCheckpointStore;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    schema = await createTestSchema('relay_int');
    store = await PostgresEventStore.connect({ connectionString: schema.connectionString, schema: schema.schema });
    checkpoints = await PostgresCheckpointStore.connect({ connectionString: schema.connectionString, schema: schema.schema });
  });

  afterAll(async () => {
    await checkpoints?.close();
    await store?.close();
    await schema?.drop();
    await admin?.disconnect();
  });

  it('creates the topic, publishes the live log in order per stream with the contract headers, and resumes from its checkpoint', async () => {
    const topic = uniqueName('lumbung.relay-int');
    const transport = new KafkaEventTransport({ kafka, topic, partitions: 4 });
    const relay = new RelayService({ store, checkpoints, publisher: transport.publisher(), checkpointName: `relay:${topic}`, batchSize: 100 });
    relay.start();
    // Appends race the relay: part catch-up, part live.
    const first = await appendInterleaved(store, { prefix: 'request', streams: 40, total: 1200, perAppend: 2, concurrency: 8 });
    await relay.waitForCheckpoint(first, 30_000);
    await relay.stop();
    expect(await checkpoints.get(`relay:${topic}`)).toBe(first);

    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0].partitions).toHaveLength(4);

    // A second relay under the same checkpoint name continues where the first stopped.
    const second = new RelayService({ store, checkpoints, publisher: transport.publisher(), checkpointName: `relay:${topic}` });
    second.start();
    const more = await appendInterleaved(store, { prefix: 'stock', streams: 10, total: 300, concurrency: 4 });
    await second.waitForCheckpoint(first + more, 30_000);
    await second.stop();

    const got = await readTopic(kafka, topic, first + more);
    expect(got).toHaveLength(first + more); // clean stops: no duplicates at all
    const positions = got.map((g) => g.event.position).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: first + more }, (_, i) => i + 1));
    for (const [streamId, revs] of byStream(got)) {
      expect({ streamId, ...checkStreamOrder(revs) }).toEqual({ streamId, ok: true, duplicates: 0 });
    }
    // one stream, one partition
    const partitionsOf = new Map<string, Set<number>>();
    for (const g of got) partitionsOf.set(g.event.streamId, (partitionsOf.get(g.event.streamId) ?? new Set()).add(g.partition));
    for (const [, ps] of partitionsOf) expect(ps.size).toBe(1);
    expect(new Set(got.map((g) => g.partition)).size).toBe(4);

    const sample = got.find((g) => g.event.streamId === 'stock-3' && g.event.revision === 2)!;
    expect(sample.headers).toEqual({
      contract: WIRE_CONTRACT_V1,
      'content-type': 'application/json',
      'event-id': sample.event.id,
      'event-type': 'PipelineTested',
      'stream-id': 'stock-3',
      'stream-category': 'stock',
      'stream-revision': '2',
      'global-position': String(sample.event.position),
      'correlation-id': sample.event.metadata.correlationId,
    });
    await admin.deleteTopics({ topics: [topic] });
  });
});
