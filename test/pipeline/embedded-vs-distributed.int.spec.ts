// Embedded mode (npm start: SQLite, projections in-process from the store's subscription) and distributed
// mode (relay -> Kafka -> projector -> PostgreSQL read models) must compute identical read models from the
// same events. The demo scenario is driven through the command API of an embedded app; its events are
// then relayed through the real Kafka broker to a projector writing into PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { InMemoryCheckpointStore } from '../../libs/event-store/src';
import { KafkaEventTransport } from '../../libs/messaging/src';
import { EVENT_STORE, loadConfig, READ_MODEL, STORE_PROJECTOR, type StoreProjector } from '../../libs/platform/src';
import { openReadModel, ReadModelWriter } from '../../libs/read-model/src';
import { dumpReadModel } from '../../libs/read-model/src/testing/read-model-testing';
import type { EventStore } from '../../libs/event-store/src';
import { createCommandApi } from '../../apps/command-api/src/app.factory';
import { ProjectorService } from '../../apps/projector/src/projector.service';
import { RelayService } from '../../apps/relay/src/relay.service';
import { runDemo } from '../../scripts/demo';
import { describeWithKafka } from '../support/infra';
import { testKafka, uniqueName } from '../support/kafka';
import { createTestSchema, type TestSchema } from '../support/postgres';
import { deleteTopicIfExists } from './support/kafka-reader';
import { poll } from './support/read-models';

describeWithKafka('embedded and distributed modes compute the same read models', () => {
  const kafka = testKafka('embedded-vs-distributed');
  const topic = uniqueName('lumbung.embedded-vs-distributed');
  const secret = 'e'.repeat(64);
  let dir: string;
  let app: INestApplication;
  let admin: Admin;
  let schema: TestSchema;
  let pgReadModel: DataSource | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lumbung-embedded-'));
    const config = loadConfig({ LUMBUNG_DATA: dir, LUMBUNG_TOKEN_SECRET: secret, LOG_LEVEL: 'warn', PORT: '3000' });
    app = await createCommandApi(config, { projections: true, shutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    admin = kafka.admin();
    await admin.connect();
    schema = await createTestSchema('embedded_vs_distributed');
  });

  afterAll(async () => {
    await app?.close();
    if (pgReadModel?.isInitialized) await pgReadModel.destroy();
    await schema?.drop();
    if (admin) await deleteTopicIfExists(admin, topic);
    await admin?.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the demo scenario: embedded SQLite read models equal relay -> Kafka -> projector -> PostgreSQL read models, row for row', async () => {
    const address = app.getHttpServer().address() as { port: number };
    const demo = await runDemo({ baseUrl: `http://127.0.0.1:${address.port}`, secret, log: () => undefined });
    expect(demo.steps).toBeGreaterThan(50);

    const store = app.get<EventStore>(EVENT_STORE);
    const head = await store.headPosition();
    const projector = app.get<StoreProjector>(STORE_PROJECTOR);
    await projector.waitFor(head, 30_000);
    const embedded = await dumpReadModel(app.get<DataSource>(READ_MODEL));
    expect(Object.values(embedded).reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(50);

    pgReadModel = await openReadModel({ type: 'postgres', url: schema.connectionString, schema: schema.schema });
    const writer = new ReadModelWriter(pgReadModel);
    const transport = new KafkaEventTransport({ kafka, topic, partitions: 6, sessionTimeoutMs: 6000 });
    const relay = new RelayService({ store, checkpoints: new InMemoryCheckpointStore(), publisher: transport.publisher(), checkpointName: 'relay', batchSize: 100 });
    const consumer = new ProjectorService({ transport, sink: writer, groupId: uniqueName('evd'), maxBatchEvents: 50 });
    try {
      await transport.prepareTopic();
      relay.start();
      await consumer.start();
      await relay.waitForCheckpoint(head, 60_000);
      let distributed: Record<string, unknown[]> = {};
      await poll(
        async () => {
          distributed = await dumpReadModel(pgReadModel!);
          return JSON.stringify(distributed) === JSON.stringify(embedded);
        },
        60_000,
        () => 'the distributed read models to equal the embedded ones',
      ).catch(() => undefined);
      expect(distributed).toEqual(embedded);
    } finally {
      await Promise.all([relay.stop(), consumer.stop()]);
    }
  });
});
