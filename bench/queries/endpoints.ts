import { escapeIdentifier, type Pool } from 'pg';
import type { Samples } from './samples';

/**
 * The dashboard's reads, each as the HTTP request the dashboard sends and as its baseline: the raw SQL
 * of the same read sent straight through pg (the SELECT of the page with the same filter, sort and
 * limit, the request lines joined in where the answer carries them; the gap matrix's and readiness'
 * own aggregate statements; for the trail, the indexed read of the events by correlation id). What
 * the API adds on top is HTTP, Nest (guards, validation), TypeORM, the COUNT behind `total`, the
 * lines' second round trip, and JSON.
 */
export interface Variant {
  path: string;
  /** the baseline's raw read of the same thing; returns the rows it got */
  raw: (pool: Pool) => Promise<number>;
}

export interface EndpointSpec {
  name: string;
  route: string;
  /** which token the user has: a commander reads the dashboard, an auditor the audit routes */
  reader: 'commander' | 'auditor';
  /** the issue's target for this read, where it sets one */
  targetP99Ms?: number;
  variants: Variant[];
  /** this endpoint's own load where the run's would not fit it (a whole-log replay): readers, answers, seconds, warm-up */
  connections?: number;
  maxRequests?: number;
  seconds?: number;
  warmupSeconds?: number;
}

/** Issue #5: p99 under 100 ms per endpoint under 16 readers; the as-of replay of one request's trail under 200 ms. */
export const DASHBOARD_P99_MS = 100;
export const AS_OF_TRAIL_P99_MS = 200;
export const PAGE = 50;
/** Variants per endpoint: each value of each filter kind at least once, the rest in turn. */
const VARIANTS = 240;

export const rows = async (pool: Pool, text: string, values: unknown[] = []): Promise<number> => (await pool.query(text, values)).rowCount ?? 0;
export const enc = encodeURIComponent;

/** Statements run one after the other, as the query runs them; the rows they got, added up. */
export async function statements(pool: Pool, list: ReadonlyArray<readonly [string, unknown[]]>): Promise<number> {
  let n = 0;
  for (const [text, values] of list) n += await rows(pool, text, values);
  return n;
}

/** `count` variants built in turn from `kinds`, each kind walking through its own list of values. */
export function rotate<T>(kinds: Array<{ values: readonly T[]; make: (v: T) => Variant }>, count = VARIANTS): Variant[] {
  const out: Variant[] = [];
  for (let i = 0; out.length < count; i++) {
    const k = kinds[i % kinds.length];
    out.push(k.make(k.values[Math.floor(i / kinds.length) % k.values.length]));
  }
  return out;
}

/** Qualifies a read-model or store table of the bench's schema. */
export type Qualify = (name: string) => string;
export const qualifier = (schema: string): Qualify => (name) => `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`;

/** queryStockScoped's page SELECT ($1: the expiry window's last day; the filter's values from $2). */
export const stockPageSql = (t: Qualify, where: string, limit: number): string =>
  `SELECT s.warehouse_id, w.name AS warehouse_name, w.district, w.owner_member_id, s.item_id, i.name AS item_name, i.category, i.unit, s.on_hand, s.reserved,
          s.available, s.deployed, s.in_transit_out, s.last_movement_at, s.last_movement,
          (SELECT COALESCE(SUM(b.quantity), 0) FROM ${t('rm_stock_batches')} b WHERE b.warehouse_id = s.warehouse_id AND b.item_id = s.item_id AND b.expiry IS NOT NULL AND b.expiry <= $1) AS expiring_quantity,
          (SELECT MIN(b.expiry) FROM ${t('rm_stock_batches')} b WHERE b.warehouse_id = s.warehouse_id AND b.item_id = s.item_id AND b.expiry IS NOT NULL) AS next_expiry
     FROM ${t('rm_stock')} s LEFT JOIN ${t('rm_warehouses')} w ON w.warehouse_id = s.warehouse_id LEFT JOIN ${t('rm_items')} i ON i.item_id = s.item_id
    ${where ? `WHERE ${where}` : ''} ORDER BY s.warehouse_id ASC, s.item_id ASC LIMIT ${limit}`;

/** queryShipmentsScoped's page SELECT, sorted by expected arrival (in transit, overdue). */
export const shipmentPageSql = (t: Qualify, where: string, limit: number): string =>
  `SELECT * FROM ${t('rm_shipments')} WHERE ${where} ORDER BY expected_at ASC, dispatch_id ASC LIMIT ${limit}`;

/** queryPlanReadiness: a page of plans with their targets and the stock available for each. */
export const plansPageSql = (t: Qualify, limit: number): string =>
  `WITH page AS (SELECT p.* FROM ${t('rm_plans')} p ORDER BY p.plan_id LIMIT ${limit})
   SELECT p.plan_id, p.name, p.hazard, p.district, p.version, t.warehouse_id, t.item_id, t.target, s.available
     FROM page p LEFT JOIN ${t('rm_plan_targets')} t ON t.plan_id = p.plan_id LEFT JOIN ${t('rm_stock')} s ON s.warehouse_id = t.warehouse_id AND s.item_id = t.item_id
    ORDER BY p.plan_id, t.warehouse_id, t.item_id`;

export function dashboardEndpoints(schema: string, s: Samples): EndpointSpec[] {
  const t = qualifier(schema);
  const today = new Date().toISOString().slice(0, 10);
  const in30Days = new Date(Date.parse(s.now) + 30 * 86_400_000).toISOString().slice(0, 10);

  // ---- stock (queryStockScoped's page SELECT, expiry subqueries included)
  const stockSelect = (until: string, where: string, values: unknown[]) => ({ text: stockPageSql(t, where, PAGE), values: [until, ...values] });
  const stockVariant = (path: string, until: string, where: string, value: unknown): Variant => {
    const q = stockSelect(until, where, [value]);
    return { path, raw: (pool) => rows(pool, q.text, q.values) };
  };
  const stock = rotate<string>([
    { values: s.districts, make: (d) => stockVariant(`/query/stock?district=${enc(d)}&limit=${PAGE}`, today, 'w.district_key = $2', d.trim().toLowerCase()) },
    { values: s.categories, make: (c) => stockVariant(`/query/stock?category=${enc(c)}&limit=${PAGE}`, today, 'i.category = $2', c) },
    { values: s.items, make: (x) => stockVariant(`/query/stock?itemId=${enc(x)}&limit=${PAGE}`, today, 's.item_id = $2', x) },
    { values: s.warehouses, make: (w) => stockVariant(`/query/stock?warehouseId=${enc(w)}&limit=${PAGE}`, today, 's.warehouse_id = $2', w) },
    {
      values: s.districts,
      make: (d) =>
        stockVariant(
          `/query/stock?district=${enc(d)}&expiringWithinDays=30&asOf=${enc(s.now)}&limit=${PAGE}`,
          in30Days,
          `w.district_key = $2 AND EXISTS (SELECT 1 FROM ${t('rm_stock_batches')} b WHERE b.warehouse_id = s.warehouse_id AND b.item_id = s.item_id AND b.expiry IS NOT NULL AND b.expiry <= $1)`,
          d.trim().toLowerCase(),
        ),
    },
  ]);

  // ---- stock totals per district and item (queryStockByDistrict)
  const byDistrictSql = (where: string) =>
    `SELECT d.district, g.* FROM (SELECT w.district_key, s.item_id, SUM(s.on_hand) AS total_on_hand, SUM(s.reserved) AS total_reserved, SUM(s.available) AS total_available,
            SUM(s.in_transit_out) AS total_in_transit_out, SUM(s.deployed) AS total_deployed, COUNT(*) AS warehouses
       FROM ${t('rm_stock')} s JOIN ${t('rm_warehouses')} w ON w.warehouse_id = s.warehouse_id ${where} GROUP BY w.district_key, s.item_id) g
       LEFT JOIN (SELECT district_key, MIN(district) AS district FROM ${t('rm_warehouses')} GROUP BY district_key) d ON d.district_key = g.district_key
      ORDER BY g.district_key, g.item_id`;
  const byDistrict = rotate<string>([
    { values: ['all'], make: () => ({ path: '/query/stock/by-district', raw: (pool) => rows(pool, byDistrictSql('')) }) },
    { values: s.categories, make: (c) => ({ path: `/query/stock/by-district?category=${enc(c)}`, raw: (pool) => rows(pool, byDistrictSql(`WHERE s.item_id IN (SELECT i.item_id FROM ${t('rm_items')} i WHERE i.category = $1)`), [c]) }) },
  ]);

  // ---- requests and their lines (queryRequestFulfilment)
  const requestPage = (where: string, order: string, values: unknown[]) => (pool: Pool) =>
    rows(
      pool,
      `WITH page AS (SELECT r.* FROM ${t('rm_requests')} r WHERE ${where} ORDER BY ${order} LIMIT ${PAGE})
       SELECT r.*, l.item_id, l.line_no, l.requested, l.approved, l.dispatched, l.received, l.damaged, l.short, l.over, l.outstanding, l.percent_filled, l.delivered_at, l.full_at
         FROM page r LEFT JOIN ${t('rm_request_lines')} l ON l.request_id = r.request_id ORDER BY ${order}, l.line_no`,
      values,
    );
  const requests = rotate<string>([
    { values: s.incidents, make: (i) => ({ path: `/query/requests?incidentId=${enc(i)}&status=approved&limit=${PAGE}`, raw: requestPage('r.incident_id = $1 AND r.status = $2', 'r.submitted_at ASC, r.request_id ASC', [i, 'approved']) }) },
    { values: s.incidents, make: (i) => ({ path: `/query/requests?incidentId=${enc(i)}&sort=needed_by&limit=${PAGE}`, raw: requestPage('r.incident_id = $1', 'r.needed_by ASC, r.request_id ASC', [i]) }) },
    { values: s.sites, make: (x) => ({ path: `/query/requests?siteId=${enc(x)}&limit=${PAGE}`, raw: requestPage('r.site_id = $1', 'r.submitted_at ASC, r.request_id ASC', [x]) }) },
    { values: ['submitted'], make: (st) => ({ path: `/query/requests?status=${st}&sort=submitted_at:desc&limit=${PAGE}`, raw: requestPage('r.status = $1', 'r.submitted_at DESC, r.request_id ASC', [st]) }) },
  ]);
  const oneRequestSql = `SELECT r.*, l.item_id, l.line_no, l.requested, l.approved, l.dispatched, l.received, l.damaged, l.short, l.over, l.outstanding, l.percent_filled, l.delivered_at, l.full_at
      FROM ${t('rm_requests')} r LEFT JOIN ${t('rm_request_lines')} l ON l.request_id = r.request_id WHERE r.request_id = $1 ORDER BY l.line_no`;
  const oneRequest = rotate<string>([{ values: s.requests, make: (id) => ({ path: `/query/requests/${enc(id)}`, raw: (pool) => rows(pool, oneRequestSql, [id]) }) }]);

  // ---- pledges and their lines (queryPledges)
  const pledgePage = (where: string, order: string, values: unknown[]) => (pool: Pool) =>
    rows(
      pool,
      `WITH page AS (SELECT p.* FROM ${t('rm_pledges')} p WHERE ${where} ORDER BY ${order} LIMIT ${PAGE})
       SELECT p.*, l.item_id, l.offered, l.accepted, l.delivered, l.outstanding, l.withdrawn, l.lapsed
         FROM page p LEFT JOIN ${t('rm_pledge_lines')} l ON l.pledge_id = p.pledge_id ORDER BY ${order}, l.item_id`,
      values,
    );
  const pledges = rotate<string>([
    { values: s.incidents, make: (i) => ({ path: `/query/pledges?incidentId=${enc(i)}&status=accepted&limit=${PAGE}`, raw: pledgePage('p.incident_id = $1 AND p.status = $2', 'p.offered_at ASC, p.pledge_id ASC', [i, 'accepted']) }) },
    { values: s.members, make: (m) => ({ path: `/query/pledges?memberId=${enc(m)}&limit=${PAGE}`, raw: pledgePage('p.member_id = $1', 'p.offered_at ASC, p.pledge_id ASC', [m]) }) },
    { values: ['offered'], make: (st) => ({ path: `/query/pledges?status=${st}&limit=${PAGE}`, raw: pledgePage('p.status = $1', 'p.offered_at ASC, p.pledge_id ASC', [st]) }) },
    { values: s.incidents, make: (i) => ({ path: `/query/pledges?incidentId=${enc(i)}&sort=expected_by:desc&limit=${PAGE}`, raw: pledgePage('p.incident_id = $1', 'p.expected_by DESC, p.pledge_id ASC', [i]) }) },
  ]);

  // ---- shipments in transit and overdue (queryShipmentsScoped)
  const shipmentPage = (where: string, values: unknown[]) => (pool: Pool) => rows(pool, shipmentPageSql(t, where, PAGE), values);
  const inTransit = rotate<string>([
    { values: ['all'], make: () => ({ path: `/query/shipments?status=in-transit&limit=${PAGE}`, raw: shipmentPage('status = $1', ['in-transit']) }) },
    { values: s.incidents, make: (i) => ({ path: `/query/shipments?status=in-transit&incidentId=${enc(i)}&limit=${PAGE}`, raw: shipmentPage('status = $1 AND incident_id = $2', ['in-transit', i]) }) },
    { values: s.warehouses, make: (w) => ({ path: `/query/shipments?status=in-transit&warehouseId=${enc(w)}&limit=${PAGE}`, raw: shipmentPage('status = $1 AND warehouse_id = $2', ['in-transit', w]) }) },
  ]);
  const asOf = new Date(s.now).toISOString();
  const overdueWhere = "status = 'in-transit' AND expected_at IS NOT NULL AND expected_at < $1";
  const overdue = rotate<string>([
    { values: ['all'], make: () => ({ path: `/query/shipments?overdue=true&asOf=${enc(s.now)}&limit=${PAGE}`, raw: shipmentPage(overdueWhere, [asOf]) }) },
    { values: s.incidents, make: (i) => ({ path: `/query/shipments?overdue=true&asOf=${enc(s.now)}&incidentId=${enc(i)}&limit=${PAGE}`, raw: shipmentPage(`${overdueWhere} AND incident_id = $2`, [asOf, i]) }) },
  ]);

  // ---- the gap matrix of an incident (queryGapMatrix's statements: the third names the items the first two found)
  const needSql = `SELECT s.district_key, s.district, x.site_id, x.item_id, x.need
       FROM (SELECT r.site_id, l.item_id, SUM(l.outstanding) AS need FROM ${t('rm_request_lines')} l JOIN ${t('rm_requests')} r ON r.request_id = l.request_id
              WHERE l.incident_id = $1 AND l.outstanding > 0 AND r.incident_id = $1 AND r.status = 'approved' GROUP BY r.site_id, l.item_id) x
       LEFT JOIN ${t('rm_sites')} s ON s.site_id = x.site_id`;
  const stockSql = `SELECT d.district_key, d.district, w.item_id, SUM(w.available) AS available
       FROM ${t('rm_incident_districts')} d
       LEFT JOIN (SELECT wh.district_key, st.item_id, st.available FROM ${t('rm_warehouses')} wh JOIN ${t('rm_stock')} st ON st.warehouse_id = wh.warehouse_id
                   WHERE wh.active = 1 AND st.available > 0) w ON w.district_key = d.district_key
      WHERE d.incident_id = $1 GROUP BY d.district_key, d.district, w.item_id ORDER BY d.district_key`;
  const pledgedSql = (seen: number) => `SELECT x.item_id, x.pledged, i.name
       FROM (SELECT y.item_id, SUM(y.pledged) AS pledged
               FROM (SELECT pl.item_id, pl.outstanding AS pledged FROM ${t('rm_pledge_lines')} pl WHERE pl.incident_id = $1 AND pl.status = 'accepted'
                     UNION ALL
                     SELECT pl.item_id, pl.outstanding AS pledged FROM ${t('rm_pledge_lines')} pl JOIN ${t('rm_requests')} r ON r.request_id = pl.request_id
                      WHERE pl.status = 'accepted' AND pl.request_id IS NOT NULL AND r.incident_id = $1 AND (pl.incident_id IS NULL OR pl.incident_id <> $1)
                     ${seen ? `UNION ALL SELECT item_id, 0 FROM ${t('rm_items')} WHERE item_id IN (${Array.from({ length: seen }, (_, k) => `$${k + 2}`).join(', ')})` : ''}) y
              GROUP BY y.item_id) x
       LEFT JOIN ${t('rm_items')} i ON i.item_id = x.item_id`;
  const gapStatements = async (pool: Pool, incidentId: string): Promise<number> => {
    const need = await pool.query<{ item_id: string }>(needSql, [incidentId]);
    const stock = await pool.query<{ item_id: string | null }>(stockSql, [incidentId]);
    const seen = [...new Set([...need.rows, ...stock.rows].map((r) => r.item_id).filter((x): x is string => x !== null))];
    const pledged = await pool.query(pledgedSql(seen.length), [incidentId, ...seen]);
    return need.rows.length + stock.rows.length + pledged.rows.length;
  };
  const gap = rotate<string>([
    {
      values: s.incidents,
      make: (i) => ({
        path: `/query/incidents/${enc(i)}/gap-matrix`,
        raw: (pool) => gapStatements(pool, i),
      }),
    },
  ]);

  // ---- readiness (queryPlanReadiness, queryMemberReadiness)
  const plansSql = plansPageSql(t, PAGE);
  const plans: Variant[] = [{ path: '/query/readiness/plans', raw: (pool) => rows(pool, plansSql) }];
  const memberStatements = [
    `SELECT * FROM ${t('rm_member_capacity')} ORDER BY member_id, resource_kind, resource`,
    `SELECT w.owner_member_id AS member_id, s.item_id, SUM(s.deployed) AS deployed FROM ${t('rm_stock')} s JOIN ${t('rm_warehouses')} w ON w.warehouse_id = s.warehouse_id
      WHERE s.deployed > 0 GROUP BY w.owner_member_id, s.item_id`,
    `SELECT COALESCE(sh.member_id, w.owner_member_id) AS member_id, COUNT(*) AS n FROM ${t('rm_shipments')} sh LEFT JOIN ${t('rm_warehouses')} w ON w.warehouse_id = sh.warehouse_id
      WHERE sh.status = 'in-transit' GROUP BY COALESCE(sh.member_id, w.owner_member_id)`,
    `SELECT member_id, name FROM ${t('rm_members')}`,
  ];
  const memberReadiness: Variant[] = [
    {
      path: '/query/readiness/members',
      raw: (pool) => statements(pool, memberStatements.map((q) => [q, []] as const)),
    },
  ];

  // ---- the auditor's trail of one request (every event with its correlation id, in log order)
  const trailSql = `SELECT e.id, e.stream_id, e.revision, e.type, e.schema_version, e.data, e.metadata, e.hash, l.position
      FROM ${t('events')} e JOIN ${t('log')} l ON l.seq = e.seq WHERE e.metadata->>'correlationId' = $1 ORDER BY l.position`;
  const trail = rotate<string>([{ values: s.dispatchedRequests, make: (id) => ({ path: `/audit/requests/${enc(id)}/trail`, raw: (pool) => rows(pool, trailSql, [id]) }) }]);

  const d = DASHBOARD_P99_MS;
  return [
    { name: 'stock list (district, category, item, warehouse, expiring in 30 days)', route: 'GET /query/stock', reader: 'commander', targetP99Ms: d, variants: stock },
    { name: 'stock totals per district and item', route: 'GET /query/stock/by-district', reader: 'commander', targetP99Ms: d, variants: byDistrict },
    { name: 'requests list (incident+approved, incident by needed-by, site, submitted)', route: 'GET /query/requests', reader: 'commander', targetP99Ms: d, variants: requests },
    { name: "one request's fulfilment", route: 'GET /query/requests/:id', reader: 'commander', targetP99Ms: d, variants: oneRequest },
    { name: 'pledges (incident+accepted, member, offered, incident by expected-by)', route: 'GET /query/pledges', reader: 'commander', targetP99Ms: d, variants: pledges },
    { name: 'shipments in transit (all, incident, warehouse)', route: 'GET /query/shipments?status=in-transit', reader: 'commander', targetP99Ms: d, variants: inTransit },
    { name: 'shipments overdue (all, incident)', route: 'GET /query/shipments?overdue=true', reader: 'commander', targetP99Ms: d, variants: overdue },
    { name: 'gap matrix of an incident', route: 'GET /query/incidents/:id/gap-matrix', reader: 'commander', targetP99Ms: d, variants: gap },
    { name: 'readiness of operations plans', route: 'GET /query/readiness/plans', reader: 'commander', targetP99Ms: d, variants: plans },
    { name: "readiness of members' capacity", route: 'GET /query/readiness/members', reader: 'commander', targetP99Ms: d, variants: memberReadiness },
    { name: 'audit trail of one request (dispatched ones)', route: 'GET /audit/requests/:id/trail', reader: 'auditor', targetP99Ms: d, variants: trail },
  ];
}
