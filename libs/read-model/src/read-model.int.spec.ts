import type { DataSource } from 'typeorm';
import { projectAll, projections, normalizeRow, type Row } from '@lumbung/projections';
import { interleave, rng, ScenarioSimulator } from '../../projections/src/testing/scenario';
import { queryGapMatrix, queryMemberPledgeRecords, queryMemberReadiness, queryPlanReadiness, queryPledges, queryRequestFulfilment, queryShipments, queryStock, queryStockByDistrict } from './queries';
import { ReadModelWriter } from './read-model.writer';
import { tablesOf } from './schema';
import { inTransaction } from './sql-executor';
import { stockBatchesTable } from '@lumbung/projections';
import { dumpReadModel } from './testing/read-model-testing';
import { onBothReadModelDatabases } from '../../../test/support/read-model-databases';

/** What the pure projections make of the events, in the shape dumpReadModel reads back. */
function expected(events: Parameters<typeof projectAll>[1]): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const s of projectAll(projections, events)) {
    for (const t of s.projection.tables) {
      out[t.name] = [...s.rows.get(t.name)!.values()].map((r) => normalizeRow(t, r));
    }
  }
  return out;
}
const withoutRevisions = (d: Record<string, Row[]>) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.endsWith('_stream_revisions')));
const sortRows = (d: Record<string, Row[]>) => {
  const out: Record<string, Row[]> = {};
  for (const p of projections) for (const t of tablesOf(p)) {
    if (!d[t.name]) continue;
    out[t.name] = [...d[t.name]].sort((a, b) => { const ka = t.primaryKey.map((k) => String(a[k])).join('\u0001'); const kb = t.primaryKey.map((k) => String(b[k])).join('\u0001'); return ka < kb ? -1 : ka > kb ? 1 : 0; });
  }
  return out;
};

function writerSuite(name: string, open: () => Promise<{ ds: DataSource; close(): Promise<void> }>) {
  describe(`ReadModelWriter on ${name}`, () => {
    const sim = new ScenarioSimulator({ seed: 11 }).setup().run(1500);
    const events = sim.events;
    let ds: DataSource;
    let close: () => Promise<void>;

    beforeEach(async () => ({ ds, close } = await open()));
    afterEach(async () => close());

    it('applies batches to every projection and ends on the rows the pure projections give', async () => {
      const w = new ReadModelWriter(ds);
      for (let i = 0; i < events.length; i += 300) await w.applyBatch(events.slice(i, i + 300), { source: 't', partition: 0, position: events[Math.min(i + 299, events.length - 1)].position });
      expect(sortRows(withoutRevisions(await dumpReadModel(ds)))).toEqual(sortRows(expected(events)));
      expect(await w.getCheckpoint('t', 0)).toBe(events[events.length - 1].position);
      expect(await w.getCheckpoint('t', 1)).toBe(0);
    });

    it('is idempotent: the same batch twice, overlapping batches, and a batch redelivered from another source have no second effect', async () => {
      const w = new ReadModelWriter(ds);
      const half = Math.floor(events.length / 2);
      await w.applyBatch(events.slice(0, half), { source: 'a', partition: 0, position: half });
      await w.applyBatch(events.slice(0, half), { source: 'a', partition: 0, position: half });
      const once = await dumpReadModel(ds);
      // overlapping: a batch that restarts 200 events back, and the whole log from another source
      await w.applyBatch(events.slice(half - 200, half + 100), { source: 'a', partition: 0, position: half + 100 });
      await w.applyBatch(events.slice(half - 50), { source: 'a', partition: 0, position: events.length });
      await w.applyBatch(events, { source: 'b', partition: 3, position: 7 });
      const all = await dumpReadModel(ds);
      expect(sortRows(withoutRevisions(all))).toEqual(sortRows(expected(events)));
      expect(once).not.toEqual(all);
      // the checkpoint only moves forward
      await w.applyBatch([], { source: 'a', partition: 0, position: 5 });
      expect(await w.getCheckpoint('a', 0)).toBe(events.length);
      expect(await w.getCheckpoint('b', 3)).toBe(7);
    });

    it('converges when partitions deliver streams in another interleaving, in batches of any size', async () => {
      const w = new ReadModelWriter(ds);
      const random = rng(5);
      const shuffled = interleave(events, random);
      for (let i = 0; i < shuffled.length; ) {
        const n = 1 + Math.floor(random() * 400);
        await w.applyBatch(shuffled.slice(i, i + n), { source: 'k', partition: 0, position: i + n });
        i += n;
      }
      expect(sortRows(withoutRevisions(await dumpReadModel(ds)))).toEqual(sortRows(expected(events)));
    });

    it('upserts, loads and deletes tens of thousands of rows with composite keys in one call', async () => {
      const keys = Array.from({ length: 25_000 }, (_, i) => ({ warehouse_id: `wh-${i % 7}`, item_id: `it-${i}`, batch: `b-${i % 3}` }));
      await inTransaction(ds, async (sql) => {
        await sql.upsertRows(stockBatchesTable, keys.map((k, i) => ({ ...k, quantity: i, expiry: null })));
        expect((await sql.loadRows(stockBatchesTable, keys)).length).toBe(25_000);
        await sql.deleteRows(stockBatchesTable, keys.slice(0, 24_000));
        const left = (await sql.loadRows(stockBatchesTable, keys)).sort((a, b) => (a.quantity as number) - (b.quantity as number));
        expect(left).toEqual(keys.slice(24_000).map((k, i) => ({ ...k, quantity: 24_000 + i, expiry: null })));
      });
    });

    it('answers the queries the query API needs', async () => {
      const w = new ReadModelWriter(ds);
      await w.applyBatch(events, { source: 't', partition: 0, position: events.length });
      const stock = await queryStock(ds, { limit: 5, sort: 'available', direction: 'desc' });
      expect(stock.items).toHaveLength(5);
      expect(stock.total).toBeGreaterThan(5);
      expect(stock.items[0].available).toBeGreaterThanOrEqual(stock.items[1].available);
      expect(stock.items[0]).toEqual(expect.objectContaining({ warehouse_name: expect.any(String), district: expect.any(String), category: expect.any(String) }));
      const expiring = await queryStock(ds, { expiringWithinDays: 60, asOf: '2024-03-01T00:00:00Z', limit: 1000 });
      expect(expiring.items.every((r) => r.expiring_quantity > 0)).toBe(true);
      const byDistrict = await queryStockByDistrict(ds, {});
      const rows = expected(events).rm_stock;
      expect(byDistrict.reduce((s, r) => s + r.total_on_hand, 0)).toBe(rows.reduce((s, r) => s + (r.on_hand as number), 0));

      const reqs = await queryRequestFulfilment(ds, { status: 'approved', limit: 20 });
      expect(reqs.items.length).toBeGreaterThan(0);
      for (const r of reqs.items) {
        expect(r.status).toBe('approved');
        expect(r.approved).toBe(r.lines.reduce((s, l) => s + l.approved, 0));
        if (r.fully_delivered_at) expect(r.percent_filled).toBe(100);
      }
      const delivered = (await queryRequestFulfilment(ds, { limit: 1000 })).items.filter((r) => r.fully_delivered_at);
      expect(delivered.length).toBeGreaterThan(0);
      expect(delivered.every((r) => (r.seconds_to_full_delivery ?? -1) >= (r.seconds_to_first_dispatch ?? 0))).toBe(true);

      const pledges = await queryPledges(ds, { status: 'accepted' });
      expect(pledges.items.every((p) => p.status === 'accepted' && p.lines.length > 0)).toBe(true);
      const members = await queryMemberPledgeRecords(ds, {});
      expect(members.items.length).toBeGreaterThan(0);
      expect(members.items[0]).toEqual(expect.objectContaining({ member_name: expect.any(String), delivery_ratio_pct: expect.any(Number) }));

      const inTransit = await queryShipments(ds, { status: 'in-transit', limit: 1000 });
      expect(inTransit.items.every((s) => s.status === 'in-transit')).toBe(true);
      const overdue = await queryShipments(ds, { overdueAsOf: '2030-01-01T00:00:00Z', limit: 1000 });
      expect(overdue.total).toBe(inTransit.items.filter((s) => s.expected_at).length);
      expect((await queryShipments(ds, { overdueAsOf: '2000-01-01T00:00:00Z' })).total).toBe(0);

      const gap = await queryGapMatrix(ds, sim.incidents[0]);
      expect(gap.districts.length).toBeGreaterThan(0);
      for (const i of gap.items) expect(i.shortfall).toBe(Math.max(0, i.need - i.available - i.pledged));
      expect(gap.items.reduce((s, i) => s + i.need, 0)).toBe(gap.cells.reduce((s, c) => s + c.need, 0));
      expect(gap.cells.length).toBeGreaterThan(0);

      const plans = await queryPlanReadiness(ds, {});
      expect(plans.items).toHaveLength(2);
      for (const p of plans.items) expect(p.coverage_pct).toBeLessThanOrEqual(100);
      const memberReadiness = await queryMemberReadiness(ds, {});
      expect(memberReadiness.find((m) => m.member_id === 'member-0')).toEqual(expect.objectContaining({ vehicles_declared: expect.any(Number), declared: expect.any(Array) }));
    });
  });
}

describe('read models', () => {
  onBothReadModelDatabases('rm_writer', writerSuite);
});
