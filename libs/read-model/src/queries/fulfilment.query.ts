import type { DataSource } from 'typeorm';
import type { RequestFulfilmentView, RequestLineView } from '@lumbung/projections';
import { withExecutor } from '../sql-executor';
import { groupBy, numbers, paging, pct, seconds, Where, type Page, type PageRequest } from './paging';

export interface FulfilmentFilter extends PageRequest {
  requestId?: string;
  incidentId?: string;
  siteId?: string;
  status?: string;
}

/**
 * One line and one request as the query answers them. Declared once, in libs/projections, where the
 * as-of replays build the same shapes from projection rows in memory (as-of-views.ts), so that the
 * two cannot drift apart field by field.
 */
export type RequestLineRow = RequestLineView;
export type RequestFulfilment = RequestFulfilmentView;

const LINE_NUMS = ['line_no', 'requested', 'approved', 'dispatched', 'received', 'damaged', 'short', 'over', 'outstanding', 'percent_filled', 'ms_to_full'];
const SORT = { submitted_at: 'r.submitted_at', needed_by: 'r.needed_by', priority: 'r.priority', status: 'r.status', request: 'r.request_id' };

/** Requests with their lines and fulfilment figures (a page of requests; their lines in one IN query). */
export async function queryRequestFulfilment(ds: DataSource, f: FulfilmentFilter = {}): Promise<Page<RequestFulfilment>> {
  return withExecutor(ds, async (sql) => {
    const where = new Where()
      .when(f.requestId, 'r.request_id = ?', f.requestId)
      .when(f.incidentId, 'r.incident_id = ?', f.incidentId)
      .when(f.siteId, 'r.site_id = ?', f.siteId)
      .when(f.status, 'r.status = ?', f.status);
    const { limit, offset, orderBy } = paging(f, SORT, 'submitted_at', 'r.request_id');
    const from = `FROM ${sql.table('rm_requests')} r ${where}`;
    const requests = await sql.query<Record<string, unknown>>(`SELECT r.* ${from} ${orderBy} LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    const [{ n }] = await sql.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, where.params);
    const ids = requests.map((r) => r.request_id as string);
    const lines = ids.length
      ? (await sql.query<RequestLineRow>(`SELECT * FROM ${sql.table('rm_request_lines')} WHERE request_id IN (${ids.map(() => '?').join(', ')}) ORDER BY request_id, line_no`, ids)).map((l) => numbers(l, LINE_NUMS))
      : [];
    const byRequest = groupBy(lines, (l) => l.request_id);
    const items = requests.map((r): RequestFulfilment => {
      const ls = byRequest.get(r.request_id as string) ?? [];
      const sum = (k: keyof RequestLineRow) => ls.reduce((s, l) => s + (l[k] as number), 0);
      const approvedLines = ls.filter((l) => l.approved > 0);
      const full = approvedLines.length > 0 && approvedLines.every((l) => l.full_at !== null);
      const fullyAt = full ? approvedLines.map((l) => l.full_at as string).sort().at(-1)! : null;
      return {
        request_id: r.request_id as string,
        site_id: r.site_id as string | null,
        incident_id: r.incident_id as string | null,
        priority: r.priority as string | null,
        status: r.status as string | null,
        needed_by: r.needed_by as string | null,
        submitted_at: r.submitted_at as string | null,
        approved_at: r.approved_at as string | null,
        first_dispatch_at: r.first_dispatch_at as string | null,
        last_delivered_at: r.last_delivered_at as string | null,
        requested: sum('requested'),
        approved: sum('approved'),
        dispatched: sum('dispatched'),
        received: sum('received'),
        damaged: sum('damaged'),
        short: sum('short'),
        outstanding: sum('outstanding'),
        percent_filled: pct(ls.reduce((s, l) => s + Math.min(l.received, l.approved), 0), sum('approved')),
        fully_delivered_at: fullyAt,
        seconds_to_first_dispatch: seconds(r.submitted_at, r.first_dispatch_at),
        seconds_to_full_delivery: seconds(r.submitted_at, fullyAt),
        lines: ls,
      };
    });
    return { items, total: Number(n), limit, offset };
  });
}
