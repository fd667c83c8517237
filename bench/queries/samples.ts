import { escapeIdentifier, type Pool } from 'pg';

/**
 * Ids and filter values drawn from the read models, so that each endpoint is asked about many
 * different things (different index ranges, different pages of the cache), as a dashboard used by
 * several people would ask. Drawn in a fixed order (by md5 of the id), so two runs ask the same.
 */
export interface Samples {
  incidents: string[];
  /** any requests: the fulfilment of one */
  requests: string[];
  /** requests with at least one dispatch: their trail crosses the request, dispatch and stock streams */
  dispatchedRequests: string[];
  sites: string[];
  warehouses: string[];
  /** district names as warehouses carry them */
  districts: string[];
  items: string[];
  categories: string[];
  members: string[];
  dispatches: string[];
  /** the scenario's "now": the latest departure (the simulator's clock runs ahead of the real one) */
  now: string;
  /** the log's head */
  head: number;
  /** dispatched requests with a cut in the middle of their trail: the position of that event and when it was recorded */
  asOfCuts: Array<{ requestId: string; position: number; recordedAt: string; trailEvents: number }>;
  counts: { requests: number; dispatches: number; inTransit: number; pledges: number; stockRows: number };
}

const SAMPLE = 400;

export async function drawSamples(pool: Pool, schema: string): Promise<Samples> {
  const t = (name: string) => `${escapeIdentifier(schema)}.${escapeIdentifier(name)}`;
  const col = async (sql: string): Promise<string[]> => (await pool.query<{ v: string }>(sql)).rows.map((r) => r.v);
  const count = async (sql: string): Promise<number> => Number((await pool.query<{ n: string }>(sql)).rows[0].n);
  const [incidents, requests, dispatchedRequests, sites, warehouses, districts, items, categories, members] = await Promise.all([
    col(`SELECT incident_id AS v FROM ${t('rm_incidents')} ORDER BY incident_id`),
    col(`SELECT request_id AS v FROM ${t('rm_requests')} ORDER BY md5(request_id) LIMIT ${SAMPLE}`),
    col(`SELECT request_id AS v FROM ${t('rm_requests')} WHERE first_dispatch_at IS NOT NULL ORDER BY md5(request_id) LIMIT ${SAMPLE}`),
    col(`SELECT site_id AS v FROM ${t('rm_sites')} ORDER BY md5(site_id) LIMIT ${SAMPLE}`),
    col(`SELECT warehouse_id AS v FROM ${t('rm_warehouses')} ORDER BY md5(warehouse_id) LIMIT ${SAMPLE}`),
    col(`SELECT DISTINCT district AS v FROM ${t('rm_warehouses')} WHERE district IS NOT NULL ORDER BY 1`),
    col(`SELECT item_id AS v FROM ${t('rm_items')} ORDER BY md5(item_id)`),
    col(`SELECT DISTINCT category AS v FROM ${t('rm_items')} WHERE category IS NOT NULL ORDER BY 1`),
    col(`SELECT member_id AS v FROM ${t('rm_members')} ORDER BY md5(member_id)`),
  ]);
  const now = (await col(`SELECT max(departed_at) AS v FROM ${t('rm_shipments')}`))[0] ?? new Date().toISOString();
  const dispatches = await col(`SELECT dispatch_id AS v FROM ${t('rm_shipments')} ORDER BY md5(dispatch_id) LIMIT ${SAMPLE}`);
  const head = Number((await pool.query<{ n: string }>(`SELECT COALESCE(max(position), 0) AS n FROM ${t('log')}`)).rows[0].n);
  const trails = await pool.query<{ id: string; positions: string[]; recorded: Date[] }>(
    `SELECT e.metadata->>'correlationId' AS id, array_agg(l.position ORDER BY l.position) AS positions, array_agg(e.recorded_at ORDER BY l.position) AS recorded
       FROM ${t('events')} e JOIN ${t('log')} l ON l.seq = e.seq WHERE e.metadata->>'correlationId' = ANY($1) GROUP BY 1`,
    [dispatchedRequests.slice(0, 100)],
  );
  const asOfCuts = trails.rows.map((r) => {
    const k = Math.floor(r.positions.length / 2);
    return { requestId: r.id, position: Number(r.positions[k]), recordedAt: new Date(r.recorded[k]).toISOString(), trailEvents: r.positions.length };
  });
  const counts = {
    requests: await count(`SELECT count(*) AS n FROM ${t('rm_requests')}`),
    dispatches: await count(`SELECT count(*) AS n FROM ${t('rm_shipments')}`),
    inTransit: await count(`SELECT count(*) AS n FROM ${t('rm_shipments')} WHERE status = 'in-transit'`),
    pledges: await count(`SELECT count(*) AS n FROM ${t('rm_pledges')}`),
    stockRows: await count(`SELECT count(*) AS n FROM ${t('rm_stock')}`),
  };
  for (const [name, values] of Object.entries({ incidents, requests, dispatchedRequests, sites, warehouses, districts, items, categories, members, dispatches, asOfCuts })) {
    if (values.length === 0) throw new Error(`the read models have no ${name}: was the store generated and rebuilt?`);
  }
  return { incidents, requests, dispatchedRequests, sites, warehouses, districts, items, categories, members, dispatches, now, head, asOfCuts, counts };
}
