import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { ScenarioSimulator } from '../../projections/src/testing/scenario';
import { createTestSchema, describeWithPostgres, withClient, type TestSchema } from '../../../test/support/postgres';
import { InProcessReadModelChanges, type ReadModelChange } from './changes';
import { PostgresReadModelChanges } from './changes.postgres';
import { PollingReadModelChanges } from './changes.polling';
import { openReadModel } from './data-source';
import { ReadModelWriter } from './read-model.writer';
import { inTransaction, withExecutor } from './sql-executor';

const sim = new ScenarioSimulator({ seed: 3 }).setup().run(300);
const events = sim.events;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Collects changes; `next()` waits for the next one not yet taken. */
function collector() {
  const seen: ReadModelChange[] = [];
  let taken = 0;
  return {
    seen,
    listener: (c: ReadModelChange) => void seen.push(c),
    async next(timeoutMs = 5000): Promise<ReadModelChange> {
      const until = Date.now() + timeoutMs;
      while (seen.length <= taken) {
        if (Date.now() > until) throw new Error(`no change within ${timeoutMs} ms (seen ${seen.length})`);
        await sleep(10);
      }
      return seen[taken++];
    },
  };
}

const sample = (over: Partial<ReadModelChange> = {}): ReadModelChange => ({
  v: 1, source: 'test', partition: 0, checkpoint: 1, position: 1, events: 1, at: new Date().toISOString(),
  projections: ['stock'], tables: ['rm_stock'], incidents: [], warehouses: ['gd-1'], sites: [], members: [], requests: [], ...over,
});

describeWithPostgres('read-model changes on PostgreSQL: NOTIFY in the writer transaction, LISTEN elsewhere', () => {
  let schema: TestSchema;
  let writerDs: DataSource;
  let readerDs: DataSource;
  let publisher: PostgresReadModelChanges;
  let listener: PostgresReadModelChanges;
  let got: ReturnType<typeof collector>;

  beforeAll(async () => {
    schema = await createTestSchema('rm_changes');
    writerDs = await openReadModel({ type: 'postgres', url: schema.connectionString, schema: schema.schema, poolSize: 3 });
    // the query API's side: its own DataSource, as in another process
    readerDs = await openReadModel({ type: 'postgres', url: schema.connectionString, schema: schema.schema, poolSize: 3 });
    publisher = new PostgresReadModelChanges(writerDs);
    listener = new PostgresReadModelChanges(readerDs, { reconnectMs: 50 });
    got = collector();
    listener.subscribe(got.listener);
    await listener.ready();
  });

  afterAll(async () => {
    await listener?.close();
    await publisher?.close();
    await writerDs?.destroy();
    await readerDs?.destroy();
    await schema?.drop();
  });

  it('announces each committed batch with what it touched, on the schema’s own channel', async () => {
    expect(listener.channel).toBe(`lumbung_read_model_${schema.schema}`);
    const writer = new ReadModelWriter(writerDs, { changes: publisher });
    const batch = events.slice(0, 120);
    await writer.applyBatch(batch, { source: 'kafka', partition: 2, position: 777 });
    const c = await got.next();
    expect(c).toMatchObject({ v: 1, source: 'kafka', partition: 2, checkpoint: 777, position: batch[batch.length - 1].position, events: 120 });
    expect(c.projections).toEqual(expect.arrayContaining(['reference']));
    expect(c.tables).toEqual(expect.arrayContaining(['rm_warehouses', 'rm_items']));
    expect(c.warehouses).toEqual(expect.arrayContaining(sim.warehouses.map((w) => w.id).slice(0, 1)));
    // the rows it announces are there for whoever reads on the announcement
    const [{ n }] = await withExecutor(readerDs, (sql) => sql.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${sql.table('rm_warehouses')}`));
    expect(Number(n)).toBeGreaterThan(0);
    // a redelivery changes nothing and announces nothing
    await writer.applyBatch(batch, { source: 'kafka', partition: 2, position: 777 });
    await writer.applyBatch(events.slice(120, 121), { source: 'kafka', partition: 2, position: 778 });
    expect((await got.next()).checkpoint).toBe(778);
  });

  it('delivers only on COMMIT, and never for a rolled-back transaction', async () => {
    await inTransaction(writerDs, async (sql) => {
      await publisher.publishInTransaction(sql, sample({ position: 41 }));
      await sleep(300);
      expect(got.seen.some((c) => c.position === 41)).toBe(false);
    });
    expect((await got.next()).position).toBe(41);

    await expect(
      inTransaction(writerDs, async (sql) => {
        await publisher.publishInTransaction(sql, sample({ position: 42 }));
        throw new Error('batch failed');
      }),
    ).rejects.toThrow('batch failed');
    await inTransaction(writerDs, (sql) => publisher.publishInTransaction(sql, sample({ position: 43 })));
    expect((await got.next()).position).toBe(43);
    expect(got.seen.some((c) => c.position === 42)).toBe(false);
  });

  it('sends "something changed" when the summary would exceed the 8000-byte NOTIFY limit', async () => {
    const requests = Array.from({ length: 3000 }, (_, i) => `REQ-${i}`);
    await inTransaction(writerDs, (sql) => publisher.publishInTransaction(sql, sample({ position: 50, requests })));
    const c = await got.next();
    expect(c).toMatchObject({ position: 50, truncated: true, requests: [], warehouses: [], tables: ['rm_stock'] });
  });

  it('reconnects when its connection is cut, tells subscribers to refresh, and hears later batches', async () => {
    const cut = await withClient((c) =>
      c.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()`, [`LISTEN "${listener.channel}"`]),
    );
    expect(cut.rows).toHaveLength(1);
    const refresh = await got.next(10_000);
    expect(refresh).toMatchObject({ truncated: true, source: 'listener-reconnect' });
    expect(listener.listening).toBe(true);
    await inTransaction(writerDs, (sql) => publisher.publishInTransaction(sql, sample({ position: 60 })));
    expect((await got.next()).position).toBe(60);
  });
});

describe('read-model changes on SQLite', () => {
  let dir: string;
  let ds: DataSource;
  let other: DataSource;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rm-changes-'));
    ds = await openReadModel({ type: 'better-sqlite3', file: join(dir, 'read-models.db') });
    other = await openReadModel({ type: 'better-sqlite3', file: join(dir, 'read-models.db') });
  });

  afterAll(async () => {
    await ds?.destroy();
    await other?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('in-process: announces after COMMIT, so a subscriber reads the rows the change names', async () => {
    const changes = new InProcessReadModelChanges();
    const reads: Array<Promise<number>> = [];
    const got: ReadModelChange[] = [];
    changes.subscribe((c) => {
      got.push(c);
      reads.push(withExecutor(ds, async (sql) => Number((await sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${sql.table('rm_warehouses')} WHERE warehouse_id = ?`, [c.warehouses[0]]))[0].n)));
    });
    const writer = new ReadModelWriter(ds, { changes });
    await writer.applyBatch(events.slice(0, 80), { source: 'store', partition: 0, position: events[79].position });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ source: 'store', position: events[79].position, events: 80 });
    expect(await reads[0]).toBe(1);
    await changes.close();
  });

  it('polling: a reader in another process hears "something changed" when the checkpoints move', async () => {
    const polling = new PollingReadModelChanges(other, 50);
    const got = collector();
    const off = polling.subscribe(got.listener);
    await sleep(150);
    expect(got.seen).toHaveLength(0);
    const writer = new ReadModelWriter(ds);
    await writer.applyBatch(events.slice(80, 160), { source: 'store', partition: 0, position: events[159].position });
    const c = await got.next();
    expect(c).toMatchObject({ truncated: true, source: 'checkpoints', position: events[159].position });
    off();
    await polling.close();
  });
});
