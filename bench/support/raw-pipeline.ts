import type { Pool } from 'pg';
import type { Consumer, Producer } from 'kafkajs';
import type { LumbungKafka } from '@lumbung/messaging';
import { benchEvent } from '../bench-support';
import { runOpenLoop, type OpenLoopResult } from './open-loop';
import { VisibilityPoller } from './visibility-poller';

/**
 * The freshness baseline: the same hops without lumbung in them. A writer INSERTs a row (an event's
 * worth of JSON) into PostgreSQL, in its own transaction, at the same open-loop rate; once it has
 * committed, the row is sent to Kafka at once (batched while a send is in flight, idempotent, acks=all,
 * as the relay's producer); a kafkajs consumer INSERTs each batch it receives into another table in
 * one transaction and commits the offsets; the same poller watches that table. Freshness is commit to
 * visible, as for the commands (2xx to visible). What this leaves out is lumbung's own work: the
 * relay finding new events in the store's log, decoding, projecting and the read-model bookkeeping.
 */
export interface RawPipelineResult {
  load: OpenLoopResult;
  freshnessMs: number[];
  notVisible: number;
  pollIntervalMs: number;
}

export async function runRawPipeline(o: {
  pool: Pool;
  kafka: LumbungKafka;
  schema: string;
  /** table name prefix: <tables>_src, <tables>_dst */
  tables: string;
  topic: string;
  partitions: number;
  rate: number;
  seconds: number;
  pollMs: number;
  visibleTimeoutMs: number;
}): Promise<RawPipelineResult> {
  const src = `"${o.schema}"."${o.tables}_src"`;
  const dst = `"${o.schema}"."${o.tables}_dst"`;
  await o.pool.query(`CREATE TABLE ${src} (id bigint PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL)`);
  await o.pool.query(`CREATE TABLE ${dst} (id bigint PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL)`);
  const admin = o.kafka.admin();
  await admin.connect();
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  const poller = new VisibilityPoller(o.pool, `SELECT id::text AS key, 1 AS version FROM ${dst} WHERE id = ANY($1::bigint[])`, o.pollMs);
  try {
    await admin.createTopics({ topics: [{ topic: o.topic, numPartitions: o.partitions, replicationFactor: 1 }], waitForLeaders: true });
    // the broker may answer metadata requests for a new topic before every partition is served
    for (let i = 0; i < 50; i++) {
      const meta = await admin.fetchTopicMetadata({ topics: [o.topic] }).catch(() => undefined);
      if (meta?.topics[0]?.partitions.length === o.partitions && meta.topics[0].partitions.every((p) => p.leader >= 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    consumer = o.kafka.consumer({ groupId: `${o.topic}.consumer`, maxWaitTimeInMs: 100 });
    const joined = new Promise<void>((resolve) => consumer!.on(consumer!.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
        if (!batch.messages.length) return;
        const rows = batch.messages.map((m) => JSON.parse(m.value!.toString('utf8')) as { id: number; stream_id: string; data: unknown });
        await o.pool.query(`INSERT INTO ${dst} SELECT * FROM json_populate_recordset(NULL::${dst}, $1::json) ON CONFLICT (id) DO NOTHING`, [JSON.stringify(rows)]);
        resolveOffset(batch.messages[batch.messages.length - 1].offset);
        await commitOffsetsIfNecessary();
      },
    });
    await joined;
    producer = o.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();

    // committed rows, sent in one request while the previous one is in flight (as the relay batches)
    let queue: Array<{ key: string; value: string }> = [];
    let sending: Promise<void> | undefined;
    const publish = () => {
      if (sending || queue.length === 0) return;
      const messages = queue;
      queue = [];
      sending = producer!.send({ topic: o.topic, acks: -1, messages }).then(
        () => {
          sending = undefined;
          publish();
        },
        (err: Error) => {
          sending = undefined;
          process.stderr.write(`  raw baseline: Kafka send failed: ${err.message}\n`);
        },
      );
    };

    poller.start();
    const freshnessMs: number[] = [];
    const seen: Array<Promise<void>> = [];
    let n = 0;
    const load = await runOpenLoop<number>({
      rate: o.rate,
      seconds: o.seconds,
      maxInFlight: 64,
      next: () => n++,
      send: async (id) => {
        const streamId = `raw-${id % 997}`;
        const data = JSON.stringify(benchEvent(id).data);
        await o.pool.query(`INSERT INTO ${src} (id, stream_id, data) VALUES ($1, $2, $3)`, [id, streamId, data]);
        queue.push({ key: streamId, value: JSON.stringify({ id, stream_id: streamId, data: JSON.parse(data) }) });
        publish();
        return 200;
      },
      onAnswer: (id, a) => {
        if (a.status !== 200) return;
        seen.push(
          Promise.race([poller.await(String(id), 1), new Promise<number>((r) => setTimeout(() => r(NaN), o.visibleTimeoutMs))]).then((at) => {
            if (Number.isFinite(at)) freshnessMs.push(Math.max(0, at - a.answeredAt));
          }),
        );
      },
    });
    await Promise.all(seen);
    await sending;
    return { load, freshnessMs, notVisible: seen.length - freshnessMs.length, pollIntervalMs: poller.meanIntervalMs };
  } finally {
    await poller.stop();
    await producer?.disconnect().catch(() => undefined);
    await consumer?.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [o.topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
