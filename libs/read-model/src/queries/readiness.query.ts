import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';
import { groupBy, num, paging, pct, Where, type Page, type PageRequest } from './paging';

export interface PlanReadiness {
  plan_id: string;
  name: string | null;
  hazard: string | null;
  district: string | null;
  version: number;
  target: number;
  /** available stock counted up to each line's target */
  covered: number;
  coverage_pct: number;
  lines: Array<{ warehouse_id: string; item_id: string; target: number; available: number; coverage_pct: number }>;
}

/** Each operations plan's pre-positioning targets against the stock available now, per warehouse and item. */
export async function queryPlanReadiness(ds: DataSource, f: PageRequest & { planId?: string; district?: string } = {}): Promise<Page<PlanReadiness>> {
  return withExecutor(ds, async (sql) => {
    const where = new Where().when(f.planId, 'p.plan_id = ?', f.planId).when(f.district, 'p.district_key = ?', f.district?.trim().toLowerCase());
    const { limit, offset, orderBy } = paging(f, { plan: 'p.plan_id', name: 'p.name', district: 'p.district_key' }, 'plan', 'p.plan_id');
    const from = `FROM ${sql.table('rm_plans')} p ${where}`;
    const plans = await sql.query<Record<string, unknown>>(`SELECT p.* ${from} ${orderBy} LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    const [{ n }] = await sql.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, where.params);
    const ids = plans.map((p) => p.plan_id as string);
    const lines = ids.length
      ? await sql.query<{ plan_id: string; warehouse_id: string; item_id: string; target: string; available: string | null }>(
          `SELECT t.plan_id, t.warehouse_id, t.item_id, t.target, s.available
             FROM ${sql.table('rm_plan_targets')} t LEFT JOIN ${sql.table('rm_stock')} s ON s.warehouse_id = t.warehouse_id AND s.item_id = t.item_id
            WHERE t.plan_id IN (${ids.map(() => '?').join(', ')}) ORDER BY t.plan_id, t.warehouse_id, t.item_id`,
          ids,
        )
      : [];
    const linesOf = groupBy(lines, (l) => l.plan_id);
    const items = plans.map((p): PlanReadiness => {
      const ls = (linesOf.get(p.plan_id as string) ?? []).map((l) => {
        const target = num(l.target);
        const available = Math.max(0, num(l.available));
        return { warehouse_id: l.warehouse_id, item_id: l.item_id, target, available, coverage_pct: pct(available, target) };
      });
      const target = ls.reduce((s, l) => s + l.target, 0);
      const covered = ls.reduce((s, l) => s + Math.min(l.available, l.target), 0);
      return {
        plan_id: p.plan_id as string, name: p.name as string | null, hazard: p.hazard as string | null, district: p.district as string | null, version: num(p.version),
        target, covered, coverage_pct: pct(covered, target), lines: ls,
      };
    });
    return { items, total: Number(n), limit, offset };
  });
}

export interface MemberReadiness {
  member_id: string;
  name: string | null;
  declared: Array<{ resource_kind: string; resource: string; count: number; payload_kg: number; detail: unknown }>;
  /** equipment out on loan from the member's warehouses, by item */
  equipment_deployed: Array<{ item_id: string; deployed: number }>;
  /** dispatches on the road from the member's warehouses or straight from the member */
  vehicles_on_the_road: number;
  vehicles_declared: number;
}

/**
 * Per member: declared capacity (vehicles, equipment, people, warehouses) and what of it is deployed now.
 *
 * Four statements, each reading only the columns the answer carries. A capacity row's detail is JSON
 * text; members declare the same few kinds of things, so equal texts are parsed once per answer.
 */
export async function queryMemberReadiness(ds: DataSource, f: { memberId?: string } = {}): Promise<MemberReadiness[]> {
  return withExecutor(ds, async (sql) => {
    const byMember = (col: string) => (f.memberId ? `AND ${col} = ?` : '');
    const p = f.memberId ? [f.memberId] : [];
    const capacity = await sql.query<{ member_id: string; resource_kind: string; resource: string; count: string | number; payload_kg: string | number; detail: string | null }>(
      `SELECT member_id, resource_kind, resource, count, payload_kg, detail FROM ${sql.table('rm_member_capacity')} WHERE 1 = 1 ${byMember('member_id')}
        ORDER BY member_id, resource_kind, resource`, p, { prepare: true },
    );
    const equipment = await sql.query<{ member_id: string; item_id: string; deployed: number }>(
      `SELECT w.owner_member_id AS member_id, s.item_id, CAST(SUM(s.deployed) AS DOUBLE PRECISION) AS deployed
         FROM ${sql.table('rm_stock')} s JOIN ${sql.table('rm_warehouses')} w ON w.warehouse_id = s.warehouse_id
        WHERE s.deployed > 0 ${byMember('w.owner_member_id')} GROUP BY w.owner_member_id, s.item_id`, p, { prepare: true },
    );
    const road = await sql.query<{ member_id: string; n: number }>(
      `SELECT COALESCE(sh.member_id, w.owner_member_id) AS member_id, CAST(COUNT(*) AS INTEGER) AS n
         FROM ${sql.table('rm_shipments')} sh LEFT JOIN ${sql.table('rm_warehouses')} w ON w.warehouse_id = sh.warehouse_id
        WHERE sh.status = 'in-transit' ${byMember('COALESCE(sh.member_id, w.owner_member_id)')} GROUP BY COALESCE(sh.member_id, w.owner_member_id)`, p, { prepare: true },
    );
    const members = await sql.query<{ member_id: string; name: string }>(`SELECT member_id, name FROM ${sql.table('rm_members')} WHERE 1 = 1 ${byMember('member_id')}`, p, { prepare: true });
    // Grouped by member once (a scan of every list for each of the members was quadratic).
    const declaredOf = new Map<string, MemberReadiness['declared']>();
    const vehiclesOf = new Map<string, number>();
    const details = new Map<string, unknown>();
    for (const c of capacity) {
      let detail: unknown = null;
      if (c.detail) {
        detail = details.get(c.detail);
        if (detail === undefined) details.set(c.detail, (detail = JSON.parse(c.detail)));
      }
      const count = num(c.count);
      const d = { resource_kind: c.resource_kind, resource: c.resource, count, payload_kg: num(c.payload_kg), detail };
      const list = declaredOf.get(c.member_id);
      if (list) list.push(d);
      else declaredOf.set(c.member_id, [d]);
      if (c.resource_kind === 'vehicle') vehiclesOf.set(c.member_id, (vehiclesOf.get(c.member_id) ?? 0) + count);
    }
    const equipmentOf = new Map<string, MemberReadiness['equipment_deployed']>();
    for (const e of equipment) {
      const d = { item_id: e.item_id, deployed: e.deployed };
      const list = equipmentOf.get(e.member_id);
      if (list) list.push(d);
      else equipmentOf.set(e.member_id, [d]);
    }
    const roadOf = new Map(road.map((r) => [r.member_id, r.n]));
    const nameOf = new Map(members.map((m) => [m.member_id, m.name]));
    const ids = new Set<string>();
    for (const list of [capacity, equipment, road, members]) for (const r of list) if (r.member_id) ids.add(r.member_id);
    return [...ids].sort().map((id) => ({
      member_id: id,
      name: nameOf.get(id) ?? null,
      declared: declaredOf.get(id) ?? [],
      equipment_deployed: equipmentOf.get(id) ?? [],
      vehicles_on_the_road: roadOf.get(id) ?? 0,
      vehicles_declared: vehiclesOf.get(id) ?? 0,
    }));
  });
}
