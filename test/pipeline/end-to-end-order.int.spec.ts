// Store → relay → Kafka → projector, on the real PostgreSQL store and the test broker: many streams
// over several partitions, appended while everything runs. Each stream's events must reach the
// projector complete and in revision order, and a group of two projectors must end where one does.
import type { Admin } from 'kafkajs';
import { PostgresCheckpointStore, PostgresEventStore } from '../../libs/event-store-postgres/src';
import { KafkaEventTransport } from '../../libs/messaging/src';
import { ProjectorService } from '../../apps/projector/src/projector.service';
import { RelayService } from '../../apps/relay/src/relay.service';
import { describeWithKafka } from '../support/infra';
import { testKafka, uniqueName, waitUntil } from '../support/kafka';
import { createTestSchema, type TestSchema } from '../support/postgres';
import { appendInterleaved } from './support/events';
import { deleteTopicIfExists } from './support/kafka-reader';
import { RecordingSink } from './support/recording-sink';

const STREAMS = 60;
const EVENTS = 3000;

describeWithKafka('pipeline: order per stream end to end (PostgreSQL, relay, Kafka, projectors)', () => {
  const kafka = testKafka('pipeline-order');
  const topic = uniqueName('lumbung.pipeline-order');
  let admin: Admin;
  let schema: TestSchema;
  let store: PostgresEventStore;
  let checkpoints: PostgresCheckpointStore;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    schema = await createTestSchema('pipeline_order');
    store = await PostgresEventStore.connect({ connectionString: schema.connectionString, schema: schema.schema });
    checkpoints = await PostgresCheckpointStore.connect({ connectionString: schema.connectionString, schema: schema.schema });
  });

  afterAll(async () => {
    await checkpoints?.close();
    await store?.close();
    await schema?.drop();
    if (admin) await deleteTopicIfExists(admin, topic);
    await admin?.disconnect();
  });

  it(`${EVENTS} events over ${STREAMS} streams and 6 partitions: complete and in order for one projector and for a group of two`, async () => {
    const transport = new KafkaEventTransport({ kafka, topic, partitions: 6, sessionTimeoutMs: 6000 });
    const relay = new RelayService({ store, checkpoints, publisher: transport.publisher(), checkpointName: `relay:${topic}`, batchSize: 200 });
    const single = new RecordingSink();
    const shared = new RecordingSink();
    const one = new ProjectorService({ transport, sink: single, groupId: uniqueName('solo'), maxBatchEvents: 100 });
    const group = uniqueName('pair');
    const a = new ProjectorService({ transport, sink: shared, groupId: group, maxBatchEvents: 100 });
    const b = new ProjectorService({ transport, sink: shared, groupId: group, maxBatchEvents: 100 });
    const assignments: number[][] = [];
    const spy = (p: ProjectorService) => {
      const orig = p.metrics.assigned.bind(p.metrics);
      p.metrics.assigned = (parts: number[]) => {
        assignments.push(parts);
        orig(parts);
      };
    };
    spy(a);
    spy(b);
    let sharedAssignment: number[][] = [];
    try {
      relay.start();
      await appendInterleaved(store, { prefix: 'request', streams: STREAMS / 2, total: EVENTS / 3, perAppend: 3, concurrency: 8 });
      await Promise.all([one.start(), a.start(), b.start()]);
      await appendInterleaved(store, { prefix: 'dispatch', streams: STREAMS / 2, total: (2 * EVENTS) / 3, perAppend: 2, concurrency: 8 });
      await relay.waitForCheckpoint(EVENTS, 60_000);
      await waitUntil(() => single.applied === EVENTS && shared.applied === EVENTS, 60_000, 'both projections to catch up');
      sharedAssignment = assignments.slice(-2); // before stopping: leaving triggers rebalances of its own
    } finally {
      await Promise.all([relay.stop(), one.stop(), a.stop(), b.stop()]);
    }

    expect(single.gaps).toEqual([]);
    expect(shared.gaps).toEqual([]);
    // the projections hold each stream's head as the store has it
    const expected = new Map<string, number>();
    for await (const e of store.readAll()) expected.set(e.streamId, e.revision);
    expect(expected.size).toBe(STREAMS);
    expect(new Map([...single.heads].sort())).toEqual(new Map([...expected].sort()));
    expect(new Map([...shared.heads].sort())).toEqual(new Map([...expected].sort()));
    // the two members really shared: the last assignments split the six partitions between them
    expect(sharedAssignment.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sharedAssignment.every((parts) => parts.length > 0)).toBe(true);
    const lag = await one.metrics.registry.getSingleMetricAsString('lumbung_projector_lag_events');
    expect(lag).toMatch(/lumbung_projector_lag_events\{partition="\d"\} 0/);
  });
});
