// A Kafka broker stopped and started again while the relay publishes: nothing lost, nothing reordered
// within a stream. The broker is one of our own on other ports (see support/separate-broker.ts), so
// the shared broker of the other suites is never touched.
import { PostgresCheckpointStore, PostgresEventStore } from '../../libs/event-store-postgres/src';
import { createKafka, KafkaEventTransport, KafkaLogLevel } from '../../libs/messaging/src';
import { RelayService } from '../../apps/relay/src/relay.service';
import { describeWithKafka } from '../support/infra';
import { createTestSchema, type TestSchema } from '../support/postgres';
import { appendInterleaved } from './support/events';
import { byStream, checkStreamOrder, readTopic } from './support/kafka-reader';
import { SeparateBroker } from './support/separate-broker';

// Runs where Kafka runs: same jars, same script; only the ports differ.
describeWithKafka('pipeline: a broker restart while the relay publishes', () => {
  const broker = new SeparateBroker(Number(process.env.KAFKA_RESTART_TEST_PORT ?? 19092));
  let schema: TestSchema;
  let store: PostgresEventStore;
  let checkpoints: PostgresCheckpointStore;

  beforeAll(async () => {
    await broker.start();
    schema = await createTestSchema('pipeline_broker');
    store = await PostgresEventStore.connect({ connectionString: schema.connectionString, schema: schema.schema });
    checkpoints = await PostgresCheckpointStore.connect({ connectionString: schema.connectionString, schema: schema.schema });
  }, 150_000);

  afterAll(async () => {
    await checkpoints?.close();
    await store?.close();
    await schema?.drop();
    await broker.stop();
  }, 60_000);

  it('publishes every event exactly in stream order across the outage (duplicates only), resuming by itself', async () => {
    // kafkajs logs every failed connection during the outage as an ERROR: silence here, counted below.
    const kafka = createKafka({
      brokers: broker.brokers,
      clientId: 'pipeline-broker-restart',
      logLevel: KafkaLogLevel.NOTHING,
      config: { retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 }, connectionTimeout: 1000 },
    });
    const topic = 'lumbung.events';
    const transport = new KafkaEventTransport({ kafka, topic, partitions: 4 });
    const relay = new RelayService({
      store,
      checkpoints,
      publisher: transport.publisher(),
      checkpointName: `relay:${topic}`,
      batchSize: 50,
      reconnectDelayMs: { initial: 200, max: 1000 },
    });
    relay.start();

    const TOTAL = 2400;
    // Paced appends (about 10 s in all) so that the outage falls in the middle of publishing.
    const appending = appendInterleaved(store, { prefix: 'pledge', streams: 30, total: TOTAL, perAppend: 2, concurrency: 4, pauseEveryMs: { every: 40, ms: 30 } });
    await relay.waitForCheckpoint(300, 30_000);
    const outageStarted = Date.now();
    await broker.stop();
    const atStop = relay.stats.checkpoint;
    await new Promise((r) => setTimeout(r, 1500)); // the relay keeps trying against a dead broker
    expect(relay.stats.checkpoint).toBe(atStop); // nothing is checkpointed that Kafka did not acknowledge
    await broker.restart();
    const outageMs = Date.now() - outageStarted;
    await appending;
    await relay.waitForCheckpoint(TOTAL, 90_000);
    await relay.stop();

    expect(relay.stats.restarts).toBeGreaterThan(0);
    expect(atStop).toBeLessThan(TOTAL);
    const got = await readTopic(kafka, topic, TOTAL);
    expect(new Set(got.map((g) => g.event.position)).size).toBe(TOTAL);
    let duplicates = 0;
    for (const [streamId, revs] of byStream(got)) {
      const r = checkStreamOrder(revs);
      expect({ streamId, ok: r.ok, detail: r.detail }).toEqual({ streamId, ok: true, detail: undefined });
      duplicates += r.duplicates;
    }
    expect(got.length).toBe(TOTAL + duplicates);
    console.info(`broker down ~${outageMs} ms at checkpoint ${atStop}/${TOTAL}: relay restarted ${relay.stats.restarts} time(s), ${duplicates} duplicate(s) in Kafka, nothing lost`);
  }, 150_000);
});
