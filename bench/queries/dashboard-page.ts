import { DASHBOARD_P99_MS, enc, plansPageSql, qualifier, rotate, rows, shipmentPageSql, statements, stockPageSql, type EndpointSpec, type Variant } from './endpoints';
import type { Samples } from './samples';

/**
 * The requests the commander dashboard page itself sends (apps/query-api/dashboard/app.js), as it sends
 * them, with the page sizes it asks for, beside the statements of the same reads (libs/read-model's
 * dashboard queries): its incident list, an incident's key figures and fill-rate timeline, the map's
 * places, stock per category, and the whole lists it draws (stock, shipments in transit, plans). The
 * gap matrix and the members' readiness it also reads are in endpoints.ts.
 */
export function dashboardPageEndpoints(schema: string, s: Samples): EndpointSpec[] {
  const t = qualifier(schema);
  const today = new Date().toISOString().slice(0, 10);
  const nowIso = new Date().toISOString();
  // libs/read-model's incident-scope.ts: the incident's shipments ($1 the incident), its accepted pledges
  const shipmentsOf = (columns: string) =>
    `SELECT ${columns} FROM ${t('rm_shipments')} sh WHERE sh.incident_id = $1
     UNION ALL SELECT ${columns} FROM ${t('rm_shipments')} sh JOIN ${t('rm_requests')} r ON r.request_id = sh.request_id WHERE sh.incident_id IS NULL AND r.incident_id = $1`;
  const acceptedPledgesOf = `SELECT pledge_id FROM ${t('rm_pledges')} WHERE incident_id = $1 AND status = 'accepted'
     UNION SELECT p.pledge_id FROM ${t('rm_pledges')} p JOIN ${t('rm_requests')} r ON r.request_id = p.request_id WHERE p.request_id IS NOT NULL AND p.status = 'accepted' AND r.incident_id = $1`;

  const incidentsSql = `SELECT * FROM ${t('rm_incidents')} ORDER BY active DESC, registered_at DESC, incident_id`;
  const figures = (i: string): Variant => ({
    path: `/query/dashboard/incidents/${enc(i)}/figures`,
    raw: (pool) =>
      statements(pool, [
        [
          `SELECT status, COUNT(*) AS n, COUNT(CASE WHEN submitted_at IS NOT NULL AND first_delivered_at IS NOT NULL THEN 1 END) AS delivered,
                  SUM(CASE WHEN submitted_at IS NOT NULL AND first_delivered_at IS NOT NULL THEN ms_to_first_delivery ELSE 0 END) AS first_ms
             FROM ${t('rm_requests')} WHERE incident_id = $1 GROUP BY status`,
          [i],
        ],
        [
          `SELECT SUM(l.approved) AS approved, SUM(CASE WHEN l.received < l.approved THEN l.received ELSE l.approved END) AS delivered
             FROM ${t('rm_request_lines')} l WHERE l.incident_id = $1 AND l.approved > 0`,
          [i],
        ],
        [
          `SELECT COUNT(*) AS fully, SUM(x.ms) AS full_ms FROM (SELECT MAX(l.ms_to_full) AS ms FROM ${t('rm_request_lines')} l WHERE l.incident_id = $1 AND l.approved > 0
             GROUP BY l.request_id HAVING COUNT(l.full_at) = COUNT(*)) x`,
          [i],
        ],
        [
          `SELECT s.status, COUNT(*) AS n, SUM(CASE WHEN s.status = 'in-transit' AND s.expected_at IS NOT NULL AND s.expected_at < $2 THEN 1 ELSE 0 END) AS overdue
             FROM (${shipmentsOf('sh.status, sh.expected_at')}) s GROUP BY s.status`,
          [i, nowIso],
        ],
        [
          `SELECT COUNT(*) AS accepted, SUM(CASE WHEN x.outstanding > 0 THEN 1 ELSE 0 END) AS outstanding_pledges, SUM(x.outstanding) AS outstanding_qty
             FROM (SELECT pl.pledge_id, SUM(pl.outstanding) AS outstanding FROM ${t('rm_pledge_lines')} pl WHERE pl.pledge_id IN (${acceptedPledgesOf}) GROUP BY pl.pledge_id) x`,
          [i],
        ],
      ]),
  });
  const timeline = (i: string): Variant => ({
    // the page sends the browser's offset: WIB (UTC+7) in Jambi
    path: `/query/dashboard/incidents/${enc(i)}/timeline?utcOffsetMinutes=420`,
    raw: (pool) =>
      statements(pool, [
        [
          `SELECT l.request_id, l.item_id, l.approved, r.approved_at FROM ${t('rm_request_lines')} l JOIN ${t('rm_requests')} r ON r.request_id = l.request_id
            WHERE r.incident_id = $1 AND l.approved > 0 AND r.approved_at IS NOT NULL`,
          [i],
        ],
        [
          `SELECT s.dispatch_id, s.request_id, sl.item_id, sl.received, s.delivered_at
             FROM (${shipmentsOf('sh.dispatch_id, sh.request_id, sh.delivered_at, sh.destination_kind')}) s JOIN ${t('rm_shipment_lines')} sl ON sl.dispatch_id = s.dispatch_id
            WHERE s.delivered_at IS NOT NULL AND s.destination_kind = 'site'`,
          [i],
        ],
      ]),
  });
  const placesSql = [
    `SELECT warehouse_id, name, owner_member_id, district, active, updated_at FROM ${t('rm_warehouses')} ORDER BY warehouse_id`,
    `SELECT site_id, name, type, district, active, updated_at FROM ${t('rm_sites')} ORDER BY site_id`,
  ];
  const byCategorySql = `SELECT g.warehouse_id, w.name AS warehouse_name, w.district, g.category, g.on_hand, g.reserved, g.available, g.deployed
     FROM (SELECT s.warehouse_id, COALESCE(i.category, 'other') AS category, SUM(s.on_hand) AS on_hand, SUM(s.reserved) AS reserved, SUM(s.available) AS available, SUM(s.deployed) AS deployed
             FROM ${t('rm_stock')} s LEFT JOIN ${t('rm_items')} i ON i.item_id = s.item_id GROUP BY s.warehouse_id, COALESCE(i.category, 'other')) g
     LEFT JOIN ${t('rm_warehouses')} w ON w.warehouse_id = g.warehouse_id ORDER BY g.warehouse_id, g.category`;
  const stockAll = stockPageSql(t, '', 1000);
  const inTransit500 = shipmentPageSql(t, 'status = $1', 500);
  const plans1000 = plansPageSql(t, 1000);

  const d = DASHBOARD_P99_MS;
  const one = (path: string, raw: Variant['raw']): Variant[] => [{ path, raw }];
  return [
    { name: 'dashboard: incidents', route: 'GET /query/dashboard/incidents', reader: 'commander', targetP99Ms: d, variants: one('/query/dashboard/incidents', (pool) => rows(pool, incidentsSql)) },
    { name: "dashboard: an incident's key figures", route: 'GET /query/dashboard/incidents/:id/figures', reader: 'commander', targetP99Ms: d, variants: rotate([{ values: s.incidents, make: figures }]) },
    { name: "dashboard: an incident's deliveries and fill rate per day", route: 'GET /query/dashboard/incidents/:id/timeline', reader: 'commander', targetP99Ms: d, variants: rotate([{ values: s.incidents, make: timeline }]) },
    { name: "dashboard: the map's places", route: 'GET /query/dashboard/places', reader: 'commander', targetP99Ms: d, variants: one('/query/dashboard/places', (pool) => statements(pool, placesSql.map((q) => [q, []] as const))) },
    { name: 'dashboard: stock per warehouse and category', route: 'GET /query/dashboard/stock-by-category', reader: 'commander', targetP99Ms: d, variants: one('/query/dashboard/stock-by-category', (pool) => rows(pool, byCategorySql)) },
    { name: 'dashboard: the stock list, 1,000 rows', route: 'GET /query/stock?limit=1000', reader: 'commander', targetP99Ms: d, variants: one('/query/stock?limit=1000', (pool) => rows(pool, stockAll, [today])) },
    { name: 'dashboard: shipments in transit, 500 rows', route: 'GET /query/shipments?status=in-transit&limit=500', reader: 'commander', targetP99Ms: d, variants: one('/query/shipments?status=in-transit&limit=500', (pool) => rows(pool, inTransit500, ['in-transit'])) },
    { name: 'dashboard: readiness of plans, 1,000 rows', route: 'GET /query/readiness/plans?limit=1000', reader: 'commander', targetP99Ms: d, variants: one('/query/readiness/plans?limit=1000', (pool) => rows(pool, plans1000)) },
  ];
}
