import { randomUUID } from 'node:crypto';
import os from 'node:os';
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
