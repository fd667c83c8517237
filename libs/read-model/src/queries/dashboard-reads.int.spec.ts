import type { DataSource } from 'typeorm';
import { projectAll, projections, type Row } from '@lumbung/projections';
import { ScenarioSimulator } from '../../../projections/src/testing/scenario';
import { ReadModelWriter } from '../read-model.writer';
import { withExecutor } from '../sql-executor';
import { queryItems, queryMapPlaces, queryMemberReadiness, queryStockByCategory, queryStockByDistrict } from '.';
import { onBothReadModelDatabases } from '../../../../test/support/read-model-databases';

/** Every table's rows as the pure projections make them of the events (what the queries read). */
function tablesOf(events: Parameters<typeof projectAll>[1]): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const s of projectAll(projections, events)) for (const [t, rows] of s.rows) out[t] = [...rows.values()];
  return out;
}

const n = (v: unknown) => Number(v ?? 0);
const byText = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/*
 * The dashboard's aggregate reads, computed here the plain way from the projections' rows in memory,
 * to hold the SQL (summed in the database, shaped for the page) to the same answers.
 */

function expectedByDistrict(db: Record<string, Row[]>, f: { category?: string; district?: string; itemId?: string } = {}) {
  const warehouses = new Map(db.rm_warehouses.map((w) => [w.warehouse_id as string, w]));
  const category = new Map(db.rm_items.map((i) => [i.item_id as string, i.category]));
  // the district's name: the least spelling among its warehouses
  const nameOf = new Map<string | null, string | null>();
  for (const w of db.rm_warehouses) {
    const k = w.district_key as string | null;
    const d = w.district as string | null;
    if (!nameOf.has(k) || (d !== null && (nameOf.get(k) === null || d < nameOf.get(k)!))) nameOf.set(k, d);
  }
  const groups = new Map<string, { key: string | null; district: string | null; item_id: string; total_on_hand: number; total_reserved: number; total_available: number; total_in_transit_out: number; total_deployed: number; warehouses: number }>();
  for (const s of db.rm_stock) {
    const w = warehouses.get(s.warehouse_id as string);
    if (!w) continue;
    if (f.category && category.get(s.item_id as string) !== f.category) continue;
    if (f.district && w.district_key !== f.district.trim().toLowerCase()) continue;
    if (f.itemId && s.item_id !== f.itemId) continue;
    const k = `${w.district_key}\u0001${s.item_id}`;
    const g = groups.get(k) ?? { key: w.district_key as string | null, district: nameOf.get(w.district_key as string | null) ?? null, item_id: s.item_id as string, total_on_hand: 0, total_reserved: 0, total_available: 0, total_in_transit_out: 0, total_deployed: 0, warehouses: 0 };
    g.total_on_hand += n(s.on_hand);
    g.total_reserved += n(s.reserved);
    g.total_available += n(s.available);
    g.total_in_transit_out += n(s.in_transit_out);
    g.total_deployed += n(s.deployed);
    g.warehouses += 1;
    groups.set(k, g);
  }
  return [...groups.values()].sort(byText((g) => `${g.key}\u0001${g.item_id}`)).map(({ key: _, ...g }) => g);
}

function expectedByCategory(db: Record<string, Row[]>) {
  const category = new Map(db.rm_items.map((i) => [i.item_id as string, (i.category as string | null) ?? 'other']));
  const warehouses = new Map(db.rm_warehouses.map((w) => [w.warehouse_id as string, w]));
  const out = new Map<string, { warehouse_id: string; warehouse_name: string | null; district: string | null; available: Record<string, number> }>();
  for (const s of db.rm_stock) {
    const id = s.warehouse_id as string;
    const w = warehouses.get(id);
    const row = out.get(id) ?? { warehouse_id: id, warehouse_name: (w?.name as string) ?? null, district: (w?.district as string) ?? null, available: {} };
    const c = category.get(s.item_id as string) ?? 'other';
    row.available[c] = (row.available[c] ?? 0) + n(s.available);
    out.set(id, row);
  }
  return [...out.values()].sort(byText((r) => r.warehouse_id));
}

function expectedMembers(db: Record<string, Row[]>) {
  const owner = new Map(db.rm_warehouses.map((w) => [w.warehouse_id as string, w.owner_member_id as string | null]));
  const ids = new Set<string>();
  const declared = new Map<string, Array<Record<string, unknown>>>();
  for (const c of [...db.rm_member_capacity].sort(byText((c) => `${c.member_id}\u0001${c.resource_kind}\u0001${c.resource}`))) {
    ids.add(c.member_id as string);
    declared.set(c.member_id as string, [...(declared.get(c.member_id as string) ?? []), {
      resource_kind: c.resource_kind, resource: c.resource, count: n(c.count), payload_kg: n(c.payload_kg), detail: c.detail ? JSON.parse(c.detail as string) : null,
    }]);
  }
  const equipment = new Map<string, Map<string, number>>();
  for (const s of db.rm_stock) {
    if (n(s.deployed) <= 0 || !owner.has(s.warehouse_id as string)) continue;
    const m = owner.get(s.warehouse_id as string) as string;
    ids.add(m);
    const e = equipment.get(m) ?? new Map<string, number>();
    e.set(s.item_id as string, (e.get(s.item_id as string) ?? 0) + n(s.deployed));
    equipment.set(m, e);
  }
  const road = new Map<string, number>();
  for (const sh of db.rm_shipments) {
    if (sh.status !== 'in-transit') continue;
    const m = (sh.member_id as string | null) ?? owner.get(sh.warehouse_id as string) ?? null;
    if (m === null) continue;
    ids.add(m);
    road.set(m, (road.get(m) ?? 0) + 1);
  }
  for (const m of db.rm_members) ids.add(m.member_id as string);
  const names = new Map(db.rm_members.map((m) => [m.member_id as string, m.name]));
  return [...ids].sort().map((id) => ({
    member_id: id,
    name: names.get(id) ?? null,
    declared: declared.get(id) ?? [],
    equipment_deployed: [...(equipment.get(id) ?? [])].map(([item_id, deployed]) => ({ item_id, deployed })).sort(byText((e) => e.item_id)),
    vehicles_on_the_road: road.get(id) ?? 0,
    vehicles_declared: (declared.get(id) ?? []).filter((d) => d.resource_kind === 'vehicle').reduce((a, d) => a + (d.count as number), 0),
  }));
}

function readsSuite(name: string, open: () => Promise<{ ds: DataSource; close(): Promise<void> }>) {
  describe(`the dashboard's aggregate reads on ${name}`, () => {
    const sim = new ScenarioSimulator({ seed: 17, warehouses: 9, sites: 10 }).setup().run(2500);
    // one place moved after its registration, one item of a category the page does not know
    expect(sim.exec('warehouse', 'wh-2', 'UpdateWarehouse', { warehouseId: 'wh-2', lat: -2.5, lon: 102.25 })).toBe(true);
    const db = tablesOf(sim.events);
    let ds: DataSource;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ ds, close } = await open());
      await new ReadModelWriter(ds).applyBatch(sim.events, { source: 't', partition: 0, position: sim.events.length });
    });
    afterAll(async () => close());

    it('sums stock per district and item as the rows add up, with and without filters', async () => {
      const all = await queryStockByDistrict(ds);
      expect(all).toEqual(expectedByDistrict(db));
      expect(all.length).toBeGreaterThan(10);
      expect(all.reduce((a, r) => a + r.total_on_hand, 0)).toBe(db.rm_stock.reduce((a, r) => a + n(r.on_hand), 0));
      // numbers, not the driver's text
      expect(typeof all[0].total_available).toBe('number');
      expect(typeof all[0].warehouses).toBe('number');
      const category = db.rm_items.find((i) => i.category === 'food')!.category as string;
      const some = await queryStockByDistrict(ds, { category });
      expect(some).toEqual(expectedByDistrict(db, { category }));
      expect(some.length).toBeGreaterThan(0);
      expect(some.length).toBeLessThan(all.length);
      const district = (db.rm_warehouses[0].district as string).toUpperCase();
      expect(await queryStockByDistrict(ds, { district })).toEqual(expectedByDistrict(db, { district }));
      expect(await queryStockByDistrict(ds, { itemId: 'item-3' })).toEqual(expectedByDistrict(db, { itemId: 'item-3' }));
    });

    it('sums stock available per warehouse and category, one row per warehouse, and scopes to a set of warehouses', async () => {
      const rows = await queryStockByCategory(ds);
      expect(rows).toEqual(expectedByCategory(db));
      expect(rows.length).toBe(new Set(db.rm_stock.map((s) => s.warehouse_id)).size);
      expect(Object.keys(rows[0].available).length).toBeGreaterThan(1);
      expect(await queryStockByCategory(ds, { warehouseIds: ['wh-1', 'wh-4'] })).toEqual(expectedByCategory(db).filter((r) => ['wh-1', 'wh-4'].includes(r.warehouse_id)));
      expect(await queryStockByCategory(ds, { warehouseIds: [] })).toEqual([]);
    });

    it('counts stock of an item the catalogue does not know, and of a category it does not list, where they belong', async () => {
      await withExecutor(ds, async (sql) => {
        await sql.query(`INSERT INTO ${sql.table('rm_stock')} (warehouse_id, item_id, on_hand, reserved, available, deployed, in_transit_out, consumable) VALUES (?, ?, 7, 0, 7, 0, 0, 1)`, ['wh-0', 'unknown-item']);
        await sql.query(`UPDATE ${sql.table('rm_items')} SET category = ? WHERE item_id = ?`, ['toys', 'item-1']);
      });
      try {
        const mutated = tablesOf(sim.events);
        mutated.rm_stock.push({ warehouse_id: 'wh-0', item_id: 'unknown-item', on_hand: 7, reserved: 0, available: 7, deployed: 0, in_transit_out: 0 });
        mutated.rm_items.find((i) => i.item_id === 'item-1')!.category = 'toys';
        const rows = await queryStockByCategory(ds);
        expect(rows).toEqual(expectedByCategory(mutated));
        expect(rows.find((r) => r.warehouse_id === 'wh-0')!.available.other).toBeGreaterThanOrEqual(7);
        expect(rows.some((r) => r.available.toys !== undefined)).toBe(true);
      } finally {
        await withExecutor(ds, async (sql) => {
          await sql.query(`DELETE FROM ${sql.table('rm_stock')} WHERE item_id = ?`, ['unknown-item']);
          await sql.query(`UPDATE ${sql.table('rm_items')} SET category = ? WHERE item_id = ?`, [db.rm_items.find((i) => i.item_id === 'item-1')!.category, 'item-1']);
        });
      }
    });

    it("gives members' readiness as the rows add up, for all and for one member", async () => {
      const sorted = (rows: Awaited<ReturnType<typeof queryMemberReadiness>>) => rows.map((m) => ({ ...m, equipment_deployed: [...m.equipment_deployed].sort(byText((e) => e.item_id)) }));
      const all = await queryMemberReadiness(ds);
      expect(sorted(all)).toEqual(expectedMembers(db));
      expect(all.some((m) => m.equipment_deployed.length > 0)).toBe(true);
      expect(all.some((m) => m.vehicles_on_the_road > 0)).toBe(true);
      expect(all.every((m) => m.declared.length > 0)).toBe(true);
      const one = all.find((m) => m.equipment_deployed.length > 0)!;
      expect(sorted(await queryMemberReadiness(ds, { memberId: one.member_id }))).toEqual(expectedMembers(db).filter((m) => m.member_id === one.member_id));
    });

    it('gives the map every place with its position as numbers, and the shipments in transit from a warehouse', async () => {
      const map = await queryMapPlaces(ds);
      const place = (r: Row, key: string) => ({ id: r[key], name: r.name, district: r.district, lat: r.lat === null ? null : Number(r.lat), lon: r.lon === null ? null : Number(r.lon) });
      expect(map.warehouses).toEqual([...db.rm_warehouses].sort(byText((r) => r.warehouse_id as string)).map((r) => place(r, 'warehouse_id')));
      expect(map.sites).toEqual([...db.rm_sites].sort(byText((r) => r.site_id as string)).map((r) => place(r, 'site_id')));
      expect(map.warehouses.find((w) => w.id === 'wh-2')).toMatchObject({ lat: -2.5, lon: 102.25 });
      expect(map.sites.every((s) => typeof s.lat === 'number' && typeof s.lon === 'number')).toBe(true);
      const inTransit = db.rm_shipments.filter((s) => s.status === 'in-transit' && s.warehouse_id !== null);
      expect(inTransit.length).toBeGreaterThan(1);
      expect(new Set(map.transit.map((t) => t.dispatch_id))).toEqual(new Set(inTransit.map((s) => s.dispatch_id)));
      expect(map.transit[0]).toEqual({ dispatch_id: expect.any(String), warehouse_id: expect.any(String), destination_kind: expect.any(String), destination_id: expect.any(String) });
      const few = await queryMapPlaces(ds, { transitLimit: 1 });
      expect(few.transit).toHaveLength(1);
    });

    it('lists the item catalogue', async () => {
      expect(await queryItems(ds)).toEqual([...db.rm_items].sort(byText((i) => i.item_id as string)).map((i) => ({ item_id: i.item_id, name: i.name, category: i.category, unit: i.unit })));
    });
  });
}

describe('dashboard reads', () => {
  onBothReadModelDatabases('rm_dashboard_reads', readsSuite);
});
