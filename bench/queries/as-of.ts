import type { Pool } from 'pg';
import { AS_OF_TRAIL_P99_MS, enc, qualifier, rotate, rows, type EndpointSpec, type Variant } from './endpoints';
import type { Samples } from './samples';

/** Whole-log replays (the gap matrix as of a cut): this many, one at a time, within this many seconds. */
const LOG_REPLAYS = 2;
const LOG_REPLAY_SECONDS = 60;
const RAW_PAGE = 5000;

/**
 * The auditor's as-of reads: a request's trail cut at a position or time (GET /audit/requests/:id/trail
 * ?position=|?at=), and (apps/query-api/src/as-of) a request, a dispatch, a warehouse's stock and an
 * incident's gap matrix as they stood at a cut of the log, replayed from the event store. Each one's
 * baseline is the raw indexed read of the events the replay folds: a request's trail by correlation id
 * up to the cut; a dispatch's stream; a warehouse's stock stream and the streams of the dispatches
 * reserved there; the log itself, page by page, for the gap matrix.
 */
export function asOfEndpoints(schema: string, s: Samples): EndpointSpec[] {
  const t = qualifier(schema);
  const read = `SELECT e.id, e.stream_id, e.revision, e.type, e.schema_version, e.data, e.metadata, e.hash, l.position FROM ${t('events')} e JOIN ${t('log')} l ON l.seq = e.seq`;
  const trailTo = `${read} WHERE e.metadata->>'correlationId' = $1 AND l.position <= $2 ORDER BY l.position`;
  const trailAt = `${read} WHERE e.metadata->>'correlationId' = $1 AND e.recorded_at <= $2 ORDER BY l.position`;
  const streamTo = `${read} WHERE e.stream_id = $1 AND l.position <= $2 ORDER BY e.revision`;
  const streamsTo = `${read} WHERE e.stream_id = ANY($1) AND l.position <= $2 ORDER BY l.position`;
  const middle = Math.floor(s.head / 2);

  // by position and by time in turn: the auditor asks "what was known when they decided" either way
  const request = rotate<Samples['asOfCuts'][number]>([
    { values: s.asOfCuts, make: (c) => ({ path: `/audit/as-of/requests/${enc(c.requestId)}?position=${c.position}`, raw: (pool) => rows(pool, trailTo, [c.requestId, c.position]) }) },
    { values: [...s.asOfCuts].reverse(), make: (c) => ({ path: `/audit/as-of/requests/${enc(c.requestId)}?at=${enc(c.recordedAt)}`, raw: (pool) => rows(pool, trailAt, [c.requestId, c.recordedAt]) }) },
  ]);
  const trailCut = rotate<Samples['asOfCuts'][number]>([
    { values: s.asOfCuts, make: (c) => ({ path: `/audit/requests/${enc(c.requestId)}/trail?position=${c.position}`, raw: (pool) => rows(pool, trailTo, [c.requestId, c.position]) }) },
    { values: [...s.asOfCuts].reverse(), make: (c) => ({ path: `/audit/requests/${enc(c.requestId)}/trail?at=${enc(c.recordedAt)}`, raw: (pool) => rows(pool, trailAt, [c.requestId, c.recordedAt]) }) },
  ]);
  const dispatch = rotate<string>([{ values: s.dispatches, make: (id) => ({ path: `/audit/as-of/dispatches/${enc(id)}?position=${s.head}`, raw: (pool) => rows(pool, streamTo, [`dispatch-${id}`, s.head]) }) }]);
  const warehouseStock = rotate<string>([
    {
      values: s.warehouses,
      make: (w): Variant => ({
        path: `/audit/as-of/warehouses/${enc(w)}/stock?position=${middle}`,
        raw: async (pool: Pool) => {
          const stock = await pool.query<{ type: string; data: { dispatchId?: string } }>(streamTo, [`stock-${w}`, middle]);
          const dispatches = [...new Set(stock.rows.filter((e) => e.type === 'StockReserved' && e.data.dispatchId).map((e) => `dispatch-${e.data.dispatchId}`))];
          return (stock.rowCount ?? 0) + (dispatches.length ? await rows(pool, streamsTo, [dispatches, middle]) : 0);
        },
      }),
    },
  ]);
  const gapMatrix = rotate<string>([
    {
      values: s.incidents,
      make: (i): Variant => ({
        path: `/audit/as-of/incidents/${enc(i)}/gap-matrix?position=${middle}`,
        raw: async (pool: Pool) => {
          let after = 0;
          let n = 0;
          while (after < middle) {
            const page = await pool.query<{ position: string }>(`${read} WHERE l.position > $1 AND l.position <= $2 ORDER BY l.position LIMIT ${RAW_PAGE}`, [after, middle]);
            if (!page.rows.length) break;
            n += page.rows.length;
            after = Number(page.rows[page.rows.length - 1].position);
          }
          return n;
        },
      }),
    },
  ]);

  const trailEvents = s.asOfCuts.reduce((n, c) => n + c.trailEvents, 0) / Math.max(1, s.asOfCuts.length);
  const cut = `cut mid-trail; trails of ${trailEvents.toFixed(1)} events`;
  const target = AS_OF_TRAIL_P99_MS;
  return [
    { name: `one request's trail as of a position or time, one reader (${cut})`, route: 'GET /audit/requests/:id/trail?position|at', reader: 'auditor', targetP99Ms: target, variants: trailCut, connections: 1 },
    { name: `one request's trail as of a position or time (${cut})`, route: 'GET /audit/requests/:id/trail?position|at', reader: 'auditor', targetP99Ms: target, variants: trailCut },
    { name: `as-of replay of one request's fulfilment, one reader (${cut})`, route: 'GET /audit/as-of/requests/:id', reader: 'auditor', targetP99Ms: target, variants: request, connections: 1 },
    { name: `as-of replay of one request's fulfilment (${cut})`, route: 'GET /audit/as-of/requests/:id', reader: 'auditor', targetP99Ms: target, variants: request },
    { name: 'as-of replay of one dispatch, at the head', route: 'GET /audit/as-of/dispatches/:id', reader: 'auditor', variants: dispatch },
    { name: `as-of replay of a warehouse's stock, cut at position ${middle.toLocaleString('en')}`, route: 'GET /audit/as-of/warehouses/:id/stock', reader: 'auditor', variants: warehouseStock },
    {
      name: `as-of gap matrix of an incident: a replay of the log up to position ${middle.toLocaleString('en')}, ${LOG_REPLAYS} replays one at a time`,
      route: 'GET /audit/as-of/incidents/:id/gap-matrix',
      reader: 'auditor',
      variants: gapMatrix,
      connections: 1,
      maxRequests: LOG_REPLAYS,
      seconds: LOG_REPLAY_SECONDS,
      warmupSeconds: 0,
    },
  ];
}
