import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Pool } from 'pg';
import type { AppendMetadata, NewEvent } from '@lumbung/event-store';

/** Shared pieces of the benchmark scripts: realistic events, timing, and the report table. */

export const machine = (): string =>
  `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

export const benchMeta = (): AppendMetadata => ({
  actor: 'bench-user',
  member: 'bpbd-jambi',
  role: 'warehouse',
  correlationId: randomUUID(),
  causationId: randomUUID(),
  occurredAt: new Date().toISOString(),
});

/** A stock movement of realistic size (~300 bytes of data). */
export const benchEvent = (i: number): NewEvent => ({
  id: randomUUID(),
  type: 'StockReserved',
  schemaVersion: 1,
  data: {
    warehouseId: `wh-${i % 50}`,
    itemId: `item-${i % 200}`,
    dispatchId: `dispatch-${i}`,
    quantity: 1 + (i % 40),
    unit: 'sack',
    batch: `B-2026-${i % 12}`,
    expiresOn: '2027-06-30',
    note: 'beras 5 kg untuk posko Muara Bulian',
  },
});

/** A row of the raw baseline tables: the columns the stores write, in their order. */
export type Row = [string, string, number, string, number, string, string, string, string];
export const rowOf = (streamId: string, revision: number, i: number): Row => {
  const e = benchEvent(i);
  return [e.id, streamId, revision, e.type, 1, JSON.stringify(e.data), JSON.stringify({ ...benchMeta(), recordedAt: new Date().toISOString() }), new Date().toISOString(), 'f'.repeat(64)];
};

export interface Measured {
  name: string;
  events: number;
  seconds: number;
}
export const rate = (m: Measured): number => m.events / m.seconds;

/** Runs `workers` loops until `total` operations of `perOp` events are done; returns the wall time. */
export async function drive(total: number, workers: number, perOp: number, op: (worker: number, n: number) => Promise<void>, label: string): Promise<Measured> {
  let next = 0;
  let done = 0;
  const t0 = process.hrtime.bigint();
  const progress = setInterval(() => process.stderr.write(`\r  ${label}: ${done}/${total} ops`), 500);
  try {
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (;;) {
          const n = next++;
          if (n >= total) return;
          await op(w, n);
          done++;
        }
      }),
    );
  } finally {
    clearInterval(progress);
    process.stderr.write(`\r  ${label}: ${total}/${total} ops\n`);
  }
  return { name: label, events: total * perOp, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export function table(rows: Array<{ scenario: string; store: Measured; raw: Measured; target: number }>): string {
  const lines = ['| scenario | lumbung events/s | raw INSERT events/s | ratio | target |', '|---|---:|---:|---:|---:|'];
  for (const r of rows) {
    const ratio = rate(r.store) / rate(r.raw);
    lines.push(`| ${r.scenario} | ${Math.round(rate(r.store)).toLocaleString('en')} | ${Math.round(rate(r.raw)).toLocaleString('en')} | ${ratio.toFixed(2)}x | >= ${r.target}x ${ratio >= r.target ? 'met' : 'NOT met'} |`);
  }
  return lines.join('\n');
}


/** The raw baseline's table, shaped like the PostgreSQL store's events table (keys, jsonb, xid8 column). Returns its qualified name. */
export async function createPgRawTable(pool: Pool, schema: string): Promise<string> {
  const rawTable = `${schema}.raw_events`;
  await pool.query(`CREATE TABLE ${rawTable} (seq bigserial, tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(), id uuid PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL,
    type text NOT NULL, schema_version int NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL, hash text NOT NULL, UNIQUE (stream_id, revision))`);
  return rawTable;
}

/** The raw baseline: plain parameterised INSERTs of `perOp` rows per statement (autocommit), `workers` at a time. */
export async function pgRaw(pool: Pool, table: string, label: string, total: number, workers: number, perOp: number): Promise<Measured> {
  const revs = new Map<string, number>();
  return drive(total, workers, perOp, async (w, n) => {
    const streamId = `${label}-w${w}-s${n % 10}`;
    const rev = revs.get(streamId) ?? -1;
    const rows = Array.from({ length: perOp }, (_, k) => rowOf(streamId, rev + 1 + k, n * perOp + k));
    const params = rows.flat();
    const values = rows.map((_, r) => `(${Array.from({ length: 9 }, (_, c) => `$${r * 9 + c + 1}`).join(',')})`).join(',');
    await pool.query(`INSERT INTO ${table} (id, stream_id, revision, type, schema_version, data, metadata, recorded_at, hash) VALUES ${values}`, params);
    revs.set(streamId, rev + perOp);
  }, `raw ${label}`);
}
