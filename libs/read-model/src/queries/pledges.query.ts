import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';
import { groupBy, numbers, paging, Where, type Page, type PageRequest } from './paging';

export interface PledgeFilter extends PageRequest {
  memberId?: string;
  incidentId?: string;
  requestId?: string;
  status?: string;
}

const PLEDGE_NUMS = ['offered_qty', 'delivered_qty'];
const LINE_NUMS = ['offered', 'accepted', 'delivered', 'outstanding', 'withdrawn', 'lapsed'];
const MEMBER_NUMS = [
  'pledges', 'accepted_pledges', 'declined_pledges', 'fulfilled_pledges', 'withdrawn_pledges', 'lapsed_pledges', 'offered_qty', 'accepted_qty', 'delivered_qty',
  'given_up_qty', 'lead_time_total_s', 'lead_time_count', 'delivery_ratio_pct', 'mean_lead_time_s',
];

export type PledgeRow = Record<string, unknown> & { pledge_id: string; lines: Array<Record<string, unknown>> };

/** Pledges with their lines (offered, accepted, delivered, outstanding, withdrawn, lapsed). */
export async function queryPledges(ds: DataSource, f: PledgeFilter = {}): Promise<Page<PledgeRow>> {
  return withExecutor(ds, async (sql) => {
    const where = new Where()
      .when(f.memberId, 'p.member_id = ?', f.memberId)
      .when(f.incidentId, 'p.incident_id = ?', f.incidentId)
      .when(f.requestId, 'p.request_id = ?', f.requestId)
      .when(f.status, 'p.status = ?', f.status);
    const { limit, offset, orderBy } = paging(f, { offered_at: 'p.offered_at', expected_by: 'p.expected_by', status: 'p.status', member: 'p.member_id' }, 'offered_at', 'p.pledge_id');
    const from = `FROM ${sql.table('rm_pledges')} p ${where}`;
    const pledges = await sql.query<Record<string, unknown>>(`SELECT p.* ${from} ${orderBy} LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    const [{ n }] = await sql.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, where.params);
    const ids = pledges.map((p) => p.pledge_id as string);
    const lines = ids.length ? await sql.query<Record<string, unknown>>(`SELECT * FROM ${sql.table('rm_pledge_lines')} WHERE pledge_id IN (${ids.map(() => '?').join(', ')}) ORDER BY pledge_id, item_id`, ids) : [];
    const linesOf = groupBy(lines, (l) => l.pledge_id as string);
    const items = pledges.map((p) => ({
      ...numbers(p, PLEDGE_NUMS),
      pledge_id: p.pledge_id as string,
      lines: (linesOf.get(p.pledge_id as string) ?? []).map((l) => numbers(l, LINE_NUMS)),
    }));
    return { items, total: Number(n), limit, offset };
  });
}

/** Each member's pledge record: delivery ratio (percent) and mean lead time (seconds from acceptance to delivery). */
export async function queryMemberPledgeRecords(ds: DataSource, f: PageRequest & { memberId?: string } = {}): Promise<Page<Record<string, unknown>>> {
  return withExecutor(ds, async (sql) => {
    const where = new Where().when(f.memberId, 's.member_id = ?', f.memberId);
    const { limit, offset, orderBy } = paging(f, { member: 's.member_id', delivery_ratio: 's.delivery_ratio_pct', lead_time: 's.mean_lead_time_s', pledges: 's.pledges' }, 'member', 's.member_id');
    const from = `FROM ${sql.table('rm_member_pledge_stats')} s LEFT JOIN ${sql.table('rm_members')} m ON m.member_id = s.member_id ${where}`;
    const rows = await sql.query<Record<string, unknown>>(`SELECT s.*, m.name AS member_name, m.kind AS member_kind ${from} ${orderBy} LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    const [{ n }] = await sql.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, where.params);
    return { items: rows.map((r) => numbers(r, MEMBER_NUMS)), total: Number(n), limit, offset };
  });
}
