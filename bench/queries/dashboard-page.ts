import type { Pool } from 'pg';
import { DASHBOARD_P99_MS, enc, plansPageSql, qualifier, rotate, rows, statements, type EndpointSpec, type Variant } from './endpoints';
import type { Samples } from './samples';

/**
 * The requests the commander dashboard page itself sends (apps/query-api/dashboard/app.js), as it sends
 * them, with the page sizes it asks for, beside the statements of the same reads (libs/read-model's
 * dashboard queries): its incident list, an incident's key figures and fill-rate timeline, the map
 * (places with their positions and the shipments in transit between them, one answer), stock per
 * warehouse and category, the item list it names items by, and the plans it draws. The gap matrix and
 * the members' readiness it also reads are in endpoints.ts. (The page no longer reads 1,000 stock rows
 * for names, nor the shipments list for the map's lines.)
 */
export function dashboardPageEndpoints(schema: string, s: Samples): EndpointSpec[] {
  const t = qualifier(schema);
  const nowIso = new Date().toISOString();
  // libs/read-model's incident-scope.ts (acceptedPledgeLinesOf): the lines of the incident's accepted pledges ($1 the incident)
  const acceptedPledgeLinesOf = (columns: string) =>
    `SELECT ${columns} FROM ${t('rm_pledge_lines')} pl WHERE pl.incident_id = $1 AND pl.status = 'accepted'
     UNION ALL SELECT ${columns} FROM ${t('rm_pledge_lines')} pl JOIN ${t('rm_requests')} r ON r.request_id = pl.request_id
      WHERE pl.status = 'accepted' AND pl.request_id IS NOT NULL AND r.incident_id = $1 AND (pl.incident_id IS NULL OR pl.incident_id <> $1)`;
  // shipments naming no incident that serve the incident's requests (few: the command API names one)
  const looseShipments = (columns: string) =>
    `SELECT ${columns} FROM ${t('rm_shipments')} sh JOIN ${t('rm_requests')} r ON r.request_id = sh.request_id WHERE sh.incident_id IS NULL AND r.incident_id = $1`;

  const incidentsSql = `SELECT * FROM ${t('rm_incidents')} ORDER BY active DESC, registered_at DESC, incident_id`;
  // queryIncidentFigures: the incident's rollup rows, its overdue shipments, the loose ones, its pledges
  const figures = (i: string): Variant => ({
    path: `/query/dashboard/incidents/${enc(i)}/figures`,
    raw: (pool) =>
      statements(pool, [
        [`SELECT * FROM ${t('rm_incident_figures')} WHERE incident_id = $1`, [i]],
        [`SELECT * FROM ${t('rm_incident_shipments')} WHERE incident_id = $1`, [i]],
        [`SELECT COUNT(*) AS n FROM ${t('rm_shipments')} WHERE incident_id = $1 AND status = 'in-transit' AND expected_at < $2`, [i, nowIso]],
        [looseShipments('sh.status, sh.expected_at'), [i]],
        [
          `SELECT COUNT(DISTINCT x.pledge_id) AS accepted, COUNT(DISTINCT CASE WHEN x.outstanding > 0 THEN x.pledge_id END) AS outstanding_pledges, SUM(x.outstanding) AS outstanding_qty
             FROM (${acceptedPledgeLinesOf('pl.pledge_id, pl.outstanding')}) x`,
          [i],
        ],
      ]),
  });
  // queryIncidentTimeline: the loose shipments, the ends of the quarter-hour rollups, the sums before the
  // 62 days shown, and those days summed per local day
  const dayOf = '((slot + 28) / 96)'; // UTC+7 in quarter hours; 96 quarter hours a day
  const timeline = (i: string): Variant => ({
    // the page sends the browser's offset: WIB (UTC+7) in Jambi
    path: `/query/dashboard/incidents/${enc(i)}/timeline?utcOffsetMinutes=420`,
    raw: async (pool) => {
      let n = await rows(pool, `${looseShipments('sh.delivered_at, sh.destination_kind, sh.received')} AND sh.delivered_at IS NOT NULL`, [i]);
      const { rows: [ends] } = await pool.query<{ last: string | null }>(
        `SELECT (SELECT MIN(slot) FROM ${t('rm_incident_line_times')} WHERE incident_id = $1) AS first_line, (SELECT MIN(slot) FROM ${t('rm_incident_delivery_times')} WHERE incident_id = $1) AS first_delivery,
                (SELECT MAX(slot) FROM ${t('rm_incident_delivery_times')} WHERE incident_id = $1) AS last`,
        [i],
      );
      const lastDay = Math.max(Math.floor((Date.now() + 420 * 60_000) / 86_400_000), Math.floor((Number(ends?.last ?? 0) + 28) / 96));
      const from = (lastDay - 61) * 96 - 28;
      n += await statements(pool, [
        [
          `SELECT (SELECT SUM(approved) FROM ${t('rm_incident_line_times')} WHERE incident_id = $1 AND slot < $2) AS approved, (SELECT SUM(excess) FROM ${t('rm_incident_line_times')} WHERE incident_id = $1 AND slot < $2) AS excess,
                  (SELECT SUM(request_received) FROM ${t('rm_incident_delivery_times')} WHERE incident_id = $1 AND slot < $2) AS request_received`,
          [i, from],
        ],
        [`SELECT ${dayOf} AS day, SUM(approved) AS approved, SUM(excess) AS excess FROM ${t('rm_incident_line_times')} WHERE incident_id = $1 AND slot >= $2 GROUP BY ${dayOf}`, [i, from]],
        [
          `SELECT ${dayOf} AS day, SUM(deliveries) AS deliveries, SUM(received_qty) AS received_qty, SUM(request_received) AS request_received
             FROM ${t('rm_incident_delivery_times')} WHERE incident_id = $1 AND slot >= $2 GROUP BY ${dayOf}`,
          [i, from],
        ],
      ]);
      return n + 1;
    },
  });
  // libs/read-model's places.query.ts: the map's three statements
  const placeSql = (key: string, table: string) =>
    `SELECT ${key} AS id, name, district, CAST(lat AS DOUBLE PRECISION) AS lat, CAST(lon AS DOUBLE PRECISION) AS lon FROM ${t(table)} ORDER BY ${key}`;
  const mapSql: Array<readonly [string, unknown[]]> = [
    [placeSql('warehouse_id', 'rm_warehouses'), []],
    [placeSql('site_id', 'rm_sites'), []],
    [`SELECT dispatch_id, warehouse_id, destination_kind, destination_id FROM ${t('rm_shipments')}
       WHERE status = 'in-transit' AND warehouse_id IS NOT NULL ORDER BY expected_at ASC, dispatch_id ASC LIMIT $1`, [500]],
  ];
  // queryStockByCategory: the categories, then a sum per category of each warehouse's stock rows
  const byCategory = async (pool: Pool) => {
    const { rows: known } = await pool.query<{ category: string }>(`SELECT DISTINCT COALESCE(category, 'other') AS category FROM ${t('rm_items')}`);
    const categories = [...new Set([...known.map((c) => c.category), 'other'])].sort();
    const sums = categories.map((_, i) => `SUM(CASE WHEN COALESCE(i.category, 'other') = $${i + 1} THEN s.available END) AS c${i}`).join(', ');
    return known.length + (await rows(pool,
      `SELECT g.*, w.name AS warehouse_name, w.district
         FROM (SELECT s.warehouse_id, ${sums} FROM ${t('rm_stock')} s LEFT JOIN ${t('rm_items')} i ON i.item_id = s.item_id GROUP BY s.warehouse_id) g
         LEFT JOIN ${t('rm_warehouses')} w ON w.warehouse_id = g.warehouse_id ORDER BY g.warehouse_id`,
      categories));
  };
  const itemsSql = `SELECT item_id, name, category, unit FROM ${t('rm_items')} ORDER BY item_id`;
  const plans1000 = plansPageSql(t, 1000);

  const d = DASHBOARD_P99_MS;
  const one = (path: string, raw: Variant['raw']): Variant[] => [{ path, raw }];
  return [
    { name: 'dashboard: incidents', route: 'GET /query/dashboard/incidents', reader: 'commander', targetP99Ms: d, variants: one('/query/dashboard/incidents', (pool) => rows(pool, incidentsSql)) },
    { name: "dashboard: an incident's key figures", route: 'GET /query/dashboard/incidents/:id/figures', reader: 'commander', targetP99Ms: d, variants: rotate([{ values: s.incidents, make: figures }]) },
    { name: "dashboard: an incident's deliveries and fill rate per day", route: 'GET /query/dashboard/incidents/:id/timeline', reader: 'commander', targetP99Ms: d, variants: rotate([{ values: s.incidents, make: timeline }]) },
    { name: "dashboard: the map (places with positions, shipments in transit)", route: 'GET /query/dashboard/places', reader: 'commander', targetP99Ms: d, variants: one('/query/dashboard/places', (pool) => statements(pool, mapSql)) },
    { name: 'dashboard: stock per warehouse and category', route: 'GET /query/dashboard/stock-by-category', reader: 'commander', targetP99Ms: d, variants: one('/query/dashboard/stock-by-category', byCategory) },
    { name: 'dashboard: the item list (names)', route: 'GET /query/stock/items', reader: 'commander', targetP99Ms: d, variants: one('/query/stock/items', (pool) => rows(pool, itemsSql)) },
    { name: 'dashboard: readiness of plans, 1,000 rows', route: 'GET /query/readiness/plans?limit=1000', reader: 'commander', targetP99Ms: d, variants: one('/query/readiness/plans?limit=1000', (pool) => rows(pool, plans1000)) },
  ];
}
