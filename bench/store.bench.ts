/**
 * npm run bench:store — append throughput of the PostgreSQL and SQLite adapters beside a raw baseline measured in
 * the same process and run: plain parameterised INSERTs of the same rows into a same-shaped table, at the same
 * concurrency and batch size. Prints events/s for both and the ratio (issue #2 targets: single-event appends
 * >= 0.5x raw, batches of 100 >= 0.6x).
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_SCALE (default 1).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { EventStore } from '@lumbung/event-store';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { SqliteEventStore } from '@lumbung/event-store-sqlite';
import { benchEvent, benchMeta, createPgRawTable, drive, machine, pgRaw, rowOf, table, type Measured, type Row } from './bench-support';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SINGLE_1 = Math.round(3000 * scale);
const SINGLE_16 = Math.round(12000 * scale);
const BATCHES = Math.round(300 * scale);

/** Appends through the port: each worker owns its streams and tracks their revisions, as a command handler would. */
async function storeScenario(store: EventStore, label: string, total: number, workers: number, perOp: number): Promise<Measured> {
  const revs = new Map<string, number>();
  return drive(total, workers, perOp, async (w, n) => {
    const streamId = `${label}-w${w}-s${n % 10}`;
    const rev = revs.get(streamId) ?? -1;
    const events = Array.from({ length: perOp }, (_, k) => benchEvent(n * perOp + k));
    await store.append(streamId, events, rev < 0 ? 'no-stream' : rev, benchMeta());
    revs.set(streamId, rev + perOp);
  }, `lumbung ${label}`);
}

async function postgres(): Promise<Array<{ scenario: string; store: Measured; raw: Measured; target: number }>> {
  const schema = `bench_store_${Date.now()}`;
  const admin = new Pool({ connectionString: url, max: 17 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const rawTable = await createPgRawTable(admin, schema);
  const store = await PostgresEventStore.connect({ connectionString: url, schema, poolSize: 17 });
  const rows: Array<{ scenario: string; store: Measured; raw: Measured; target: number }> = [];
  try {
    // Alternate raw and store runs so that neither gets a warmer cache or a fuller table on purpose.
    const raw1 = await pgRaw(admin, rawTable, 'pg-1', SINGLE_1, 1, 1);
    const st1 = await storeScenario(store, 'pg-1', SINGLE_1, 1, 1);
    rows.push({ scenario: 'PostgreSQL, single-event appends, 1 writer', store: st1, raw: raw1, target: 0.5 });
    const st16 = await storeScenario(store, 'pg-16', SINGLE_16, 16, 1);
    const raw16 = await pgRaw(admin, rawTable, 'pg-16', SINGLE_16, 16, 1);
    rows.push({ scenario: 'PostgreSQL, single-event appends, 16 writers', store: st16, raw: raw16, target: 0.5 });
    const rawB = await pgRaw(admin, rawTable, 'pg-b', BATCHES, 1, 100);
    const stB = await storeScenario(store, 'pg-b', BATCHES, 1, 100);
    rows.push({ scenario: 'PostgreSQL, batches of 100, 1 writer', store: stB, raw: rawB, target: 0.6 });
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
  return rows;
}

async function sqlite(): Promise<Array<{ scenario: string; store: Measured; raw: Measured; target: number }>> {
  const dir = mkdtempSync(join(tmpdir(), 'lumbung-bench-'));
  const store = await SqliteEventStore.open({ file: join(dir, 'store.db') });
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL'); // same durability as the store's default
  db.exec(`CREATE TABLE raw_events (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, type TEXT NOT NULL,
    schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream_id, revision))`);
  const insert = db.prepare('INSERT INTO raw_events (id, stream_id, revision, type, schema_version, data, metadata, recorded_at, hash) VALUES (?,?,?,?,?,?,?,?,?)');
  const insertMany = db.transaction((rows: Row[]) => rows.forEach((r) => insert.run(...r)));
  const sqliteRaw = (label: string, total: number, workers: number, perOp: number) => {
    const revs = new Map<string, number>();
    return drive(total, workers, perOp, async (w, n) => {
      const streamId = `${label}-w${w}-s${n % 10}`;
      const rev = revs.get(streamId) ?? -1;
      insertMany(Array.from({ length: perOp }, (_, k) => rowOf(streamId, rev + 1 + k, n * perOp + k)));
      revs.set(streamId, rev + perOp);
    }, `raw ${label}`);
  };
  const rows: Array<{ scenario: string; store: Measured; raw: Measured; target: number }> = [];
  try {
    const raw1 = await sqliteRaw('sq-1', SINGLE_1 * 3, 1, 1);
    const st1 = await storeScenario(store, 'sq-1', SINGLE_1 * 3, 1, 1);
    rows.push({ scenario: 'SQLite, single-event appends, 1 writer', store: st1, raw: raw1, target: 0.5 });
    const st16 = await storeScenario(store, 'sq-16', SINGLE_16, 16, 1);
    const raw16 = await sqliteRaw('sq-16', SINGLE_16, 16, 1);
    rows.push({ scenario: 'SQLite, single-event appends, 16 writers', store: st16, raw: raw16, target: 0.5 });
    const rawB = await sqliteRaw('sq-b', BATCHES, 1, 100);
    const stB = await storeScenario(store, 'sq-b', BATCHES, 1, 100);
    rows.push({ scenario: 'SQLite, batches of 100, 1 writer', store: stB, raw: rawB, target: 0.6 });
  } finally {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`# bench:store on ${machine()}, ${new Date().toISOString()}`);
  const rows = [...(await postgres()), ...(await sqlite())];
  console.log(table(rows));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
