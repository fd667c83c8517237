// Projector processes on the real services: PostgreSQL store, relay, Kafka, projector main.ts as child
// processes writing libs/read-model's tables in PostgreSQL.
//  - one projector killed with SIGKILL while it applies batches, then started again: its read models
//    end up equal, row for row, to a rebuild from the event store alone;
//  - two projector processes in one consumer group (sharing the partitions) end up with the same read
//    models as the one.
import { createServer, type AddressInfo } from 'node:net';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { PostgresCheckpointStore, PostgresEventStore } from '../../libs/event-store-postgres/src';
import { KafkaEventTransport } from '../../libs/messaging/src';
import { openReadModel, rebuildProjections } from '../../libs/read-model/src';
import { RelayService } from '../../apps/relay/src/relay.service';
import { describeWithKafka, kafkaBrokers } from '../support/infra';
import { testKafka, uniqueName } from '../support/kafka';
import { createTestSchema, type TestSchema } from '../support/postgres';
import { AppProcess } from './support/app-process';
import { deleteTopicIfExists } from './support/kafka-reader';
import { appendScenario } from './support/scenario-store';
import { appliedSum, dumpTables, poll } from './support/read-models';

const PARTITIONS = 4;

describeWithKafka('pipeline: projector processes (SIGKILL and restart; two in one group)', () => {
  const kafka = testKafka('pipeline-projectors');
  const topic = uniqueName('lumbung.projectors');
  let admin: Admin;
  const schemas: Record<'store' | 'killed' | 'pair' | 'rebuilt', TestSchema | undefined> = { store: undefined, killed: undefined, pair: undefined, rebuilt: undefined };
  let store: PostgresEventStore;
  let checkpoints: PostgresCheckpointStore;
  let rebuilt: DataSource | undefined;
  const apps: AppProcess[] = [];

  const projector = (name: string, group: string, schema: TestSchema, metricsPort = 0) => {
    const app = new AppProcess(name, 'apps/projector/src/main.ts', {
      LUMBUNG_STORE: 'postgres',
      DATABASE_URL: schema.connectionString,
      DATABASE_SCHEMA: schemas.store!.schema,
      READ_MODEL_SCHEMA: schema.schema,
      LUMBUNG_TOKEN_SECRET: 'projector-test-secret-0123456789abcdef',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      LUMBUNG_EVENTS_TOPIC: topic,
      PROJECTOR_GROUP: group,
      // small transactions: many of them, so a kill lands in the middle of one
      PROJECTOR_MAX_BATCH: '20',
      PROJECTOR_METRICS_PORT: String(metricsPort),
      PROJECTOR_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'info',
    });
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    for (const k of Object.keys(schemas) as Array<keyof typeof schemas>) schemas[k] = await createTestSchema(`pipeline_proj_${k}`);
    store = await PostgresEventStore.connect({ connectionString: schemas.store!.connectionString, schema: schemas.store!.schema });
    checkpoints = await PostgresCheckpointStore.connect({ connectionString: schemas.store!.connectionString, schema: schemas.store!.schema });
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.ensureStopped()));
    await rebuilt?.destroy();
    await checkpoints?.close();
    await store?.close();
    for (const s of Object.values(schemas)) await s?.drop();
    if (admin) await deleteTopicIfExists(admin, topic);
    await admin?.disconnect();
  });

  it('read models after a SIGKILL mid-batch equal a rebuild; two processes in one group equal one', async () => {
    const events = await appendScenario(store, { seed: 7, commands: 1800 });
    expect(events).toBeGreaterThan(1500);
    // Everything in Kafka before the projectors start: the kill then falls in a busy catch-up.
    const relay = new RelayService({ store, checkpoints, publisher: new KafkaEventTransport({ kafka, topic, partitions: PARTITIONS }).publisher(), checkpointName: `relay:${topic}` });
    relay.start();
    await relay.waitForCheckpoint(events, 60_000);
    await relay.stop();
    const high = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    expect(high).toBe(events);

    const killed = projector('projector-k', uniqueName('killed'), schemas.killed!);
    const pairGroup = uniqueName('pair');
    const metricsPort = await freePort();
    const pairA = projector('projector-a', pairGroup, schemas.pair!, metricsPort);
    const pairB = projector('projector-b', pairGroup, schemas.pair!);
    killed.start();
    pairA.start();
    pairB.start();

    // SIGKILL once the killed projector has committed some batches but not all.
    let atKill = 0;
    await poll(async () => {
      atKill = await appliedSum(schemas.killed!, topic);
      return atKill >= events / 5;
    }, 90_000, () => `projector-k to apply a fifth of the events:\n${killed.tail()}`);
    expect((await killed.kill('SIGKILL')).signal).toBe('SIGKILL');
    expect(atKill).toBeLessThan(events);
    killed.start();

    await poll(async () => (await appliedSum(schemas.killed!, topic)) === events, 90_000, () => `projector-k to catch up:\n${killed.tail()}`);
    await poll(async () => (await appliedSum(schemas.pair!, topic)) === events, 90_000, () => `the pair to catch up:\n${pairA.tail()}\n${pairB.tail()}`);

    // Both members of the pair held partitions at the end.
    const lastAssignment = (app: AppProcess) => (app.logs((e) => e.msg === 'partitions assigned').pop()?.partitions ?? []) as number[];
    const a = lastAssignment(pairA);
    const b = lastAssignment(pairB);
    expect([...a, ...b].sort()).toEqual([0, 1, 2, 3]);
    expect(a.length * b.length).toBeGreaterThan(0);

    // The lag metrics on /metrics: every partition this member holds is caught up.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    for (const p of a) expect(metrics).toContain(`lumbung_projector_lag_events{partition="${p}"} 0`);
    for (const p of a) expect(metrics).toContain(`lumbung_projector_lag_ms{partition="${p}"} 0`);
    expect(metrics).toMatch(/lumbung_projector_events_total [1-9]\d*/);
    expect(metrics).toMatch(/lumbung_projector_freshness_seconds_count [1-9]\d*/);
    const health = await fetch(`http://127.0.0.1:${metricsPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', lagEvents: 0, lagMs: 0 });

    for (const app of [killed, pairA, pairB]) {
      const exit = await app.kill('SIGTERM');
      expect({ app: app.name, code: exit.code }).toEqual({ app: app.name, code: 0 });
    }

    rebuilt = await openReadModel({ type: 'postgres', url: schemas.rebuilt!.connectionString, schema: schemas.rebuilt!.schema });
    const result = await rebuildProjections(store, rebuilt, 'all');
    expect(result.position).toBe(events);

    const expected = await dumpTables(schemas.rebuilt!);
    expect(Object.keys(expected).length).toBeGreaterThan(5);
    expect(Object.values(expected).some((rows) => rows.length > 0)).toBe(true);
    const afterKill = await dumpTables(schemas.killed!);
    const pair = await dumpTables(schemas.pair!);
    expect(Object.keys(afterKill).sort()).toEqual(Object.keys(expected).sort());
    for (const table of Object.keys(expected)) {
      expect({ table, rows: afterKill[table] }).toEqual({ table, rows: expected[table] });
      expect({ table, rows: pair[table] }).toEqual({ table, rows: expected[table] });
    }
    console.info(`projector SIGKILL after ${atKill}/${events} events; ${Object.keys(expected).length} tables, ${Object.values(expected).reduce((n, r) => n + r.length, 0)} rows equal to the rebuild`);
  });
});


function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
