// The relay process killed with SIGKILL mid-stream and started again: every event reaches Kafka, each
// stream in order; what the dead relay had published but not checkpointed comes again. Duplicates have
// no effect: on top of the crash's own, the first half of the log is published a second time (a relay
// whose checkpoint was restored from an old backup), and a projector with libs/read-model's writer
// still ends with read models equal to a rebuild from the store. Finally SIGTERM: checkpoint, exit 0.
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { PostgresCheckpointStore, PostgresEventStore } from '../../libs/event-store-postgres/src';
import { KafkaEventTransport } from '../../libs/messaging/src';
import { openReadModel, ReadModelWriter, rebuildProjections } from '../../libs/read-model/src';
import { ProjectorService } from '../../apps/projector/src/projector.service';
import { RelayService } from '../../apps/relay/src/relay.service';
import { describeWithKafka, kafkaBrokers } from '../support/infra';
import { testKafka, uniqueName } from '../support/kafka';
import { createTestSchema, type TestSchema } from '../support/postgres';
import { AppProcess } from './support/app-process';
import { byStream, checkStreamOrder, deleteTopicIfExists, readTopic } from './support/kafka-reader';
import { appliedSum, dumpTables, poll } from './support/read-models';
import { appendScenario } from './support/scenario-store';

describeWithKafka('pipeline: relay killed (SIGKILL) mid-stream and restarted', () => {
  const kafka = testKafka('pipeline-relay-crash');
  const topic = uniqueName('lumbung.relay-crash');
  let admin: Admin;
  const schemas: Record<'store' | 'projected' | 'rebuilt', TestSchema | undefined> = { store: undefined, projected: undefined, rebuilt: undefined };
  let store: PostgresEventStore;
  let checkpoints: PostgresCheckpointStore;
  let relay: AppProcess;
  const dataSources: DataSource[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    for (const k of Object.keys(schemas) as Array<keyof typeof schemas>) schemas[k] = await createTestSchema(`pipeline_relay_${k}`);
    store = await PostgresEventStore.connect({ connectionString: schemas.store!.connectionString, schema: schemas.store!.schema });
    checkpoints = await PostgresCheckpointStore.connect({ connectionString: schemas.store!.connectionString, schema: schemas.store!.schema });
    relay = new AppProcess('relay', 'apps/relay/src/main.ts', {
      LUMBUNG_STORE: 'postgres',
      DATABASE_URL: schemas.store!.connectionString,
      DATABASE_SCHEMA: schemas.store!.schema,
      LUMBUNG_TOKEN_SECRET: 'relay-crash-test-secret-0123456789abcdef',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      LUMBUNG_EVENTS_TOPIC: topic,
      LUMBUNG_EVENTS_PARTITIONS: '4',
      RELAY_BATCH_SIZE: '50',
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await relay?.ensureStopped();
    for (const ds of dataSources) await ds.destroy().catch(() => undefined);
    await checkpoints?.close();
    await store?.close();
    for (const s of Object.values(schemas)) await s?.drop();
    if (admin) await deleteTopicIfExists(admin, topic);
    await admin?.disconnect();
  });

  it('loses nothing, keeps stream order, and duplicates have no effect on the read models', async () => {
    const name = `relay:${topic}`;
    relay.start();
    await poll(async () => relay.logs((e) => e.msg === 'relaying from the checkpoint').length > 0, 60_000, () => `the relay to start:\n${relay.tail()}`);
    const appending = appendScenario(store, { seed: 11, commands: 1800, concurrency: 4 });
    // Kill it in the middle of relaying, while appends continue.
    await poll(async () => (await checkpoints.get(name)) >= 400, 60_000, () => `the relay to publish 400 events:\n${relay.tail()}`);
    expect((await relay.kill('SIGKILL')).signal).toBe('SIGKILL');
    const atKill = await checkpoints.get(name);
    relay.start();
    const events = await appending;
    await poll(async () => (await store.headPosition()) === events, 30_000, () => 'the store to seal every append'); // sealing runs behind the appends
    expect(atKill).toBeLessThan(events);
    await poll(async () => (await checkpoints.get(name)) === events, 60_000, () => `the restarted relay to catch up:\n${relay.tail()}`);

    const stopped = await relay.kill('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(relay.logs((e) => e.msg === 'relay exited cleanly')).toHaveLength(1);

    const got = await readTopic(kafka, topic, events);
    expect(new Set(got.map((g) => g.event.position)).size).toBe(events);
    let crashDuplicates = 0;
    for (const [streamId, revs] of byStream(got)) {
      const r = checkStreamOrder(revs);
      expect({ streamId, ok: r.ok, detail: r.detail }).toEqual({ streamId, ok: true, detail: undefined });
      crashDuplicates += r.duplicates;
    }
    expect(got.length).toBe(events + crashDuplicates);

    // The first half of the log once more, after everything else.
    const transport = new KafkaEventTransport({ kafka, topic });
    const replay = new RelayService({ store, checkpoints, publisher: transport.publisher(), checkpointName: `replay:${topic}`, batchSize: 50 });
    replay.start();
    await replay.waitForCheckpoint(Math.floor(events / 2), 30_000);
    await replay.stop();
    const size = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    expect(size).toBeGreaterThanOrEqual(events + Math.floor(events / 2));

    const projected = await openReadModel({ type: 'postgres', url: schemas.projected!.connectionString, schema: schemas.projected!.schema });
    dataSources.push(projected);
    const projector = new ProjectorService({ transport, sink: new ReadModelWriter(projected), groupId: uniqueName('after-crash'), maxBatchEvents: 200 });
    await projector.start();
    try {
      await poll(async () => (await appliedSum(schemas.projected!, topic)) === size, 60_000, () => 'the projector to read the whole topic');
    } finally {
      await projector.stop();
    }

    const rebuilt = await openReadModel({ type: 'postgres', url: schemas.rebuilt!.connectionString, schema: schemas.rebuilt!.schema });
    dataSources.push(rebuilt);
    await rebuildProjections(store, rebuilt, 'all');
    const expected = await dumpTables(schemas.rebuilt!);
    const actual = await dumpTables(schemas.projected!);
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const table of Object.keys(expected)) expect({ table, rows: actual[table] }).toEqual({ table, rows: expected[table] });
    console.info(`relay SIGKILL at checkpoint ${atKill}/${events}: ${crashDuplicates} duplicate(s) from the crash, ${size - events} in all; read models equal the rebuild`);
  });
});
