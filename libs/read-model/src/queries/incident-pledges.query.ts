import type { SqlExecutor } from '../sql-executor';
import { acceptedPledgeLinesOf } from './incident-scope';
import { num } from './paging';

export interface IncidentPledges {
  /** accepted pledges made for the incident or for one of its requests */
  accepted: number;
  /** of those, the ones with something still to deliver */
  outstanding_pledges: number;
  /** what they still have to deliver, all items together */
  outstanding_qty: number;
}

/**
 * The incident's accepted pledges in figures, from their lines alone: the lines carry their pledge's
 * incident, request and status, so both paths of acceptedPledgeLinesOf are ranges of covering indexes
 * (no pledge or line row is read). A pledge counts once however many lines it has; it has something
 * to deliver when one of its lines has (a line's outstanding is never below 0).
 */
export async function queryIncidentPledges(sql: SqlExecutor, incidentId: string): Promise<IncidentPledges> {
  const [x] = await sql.query<{ accepted: unknown; outstanding_pledges: unknown; outstanding_qty: unknown }>(
    `SELECT COUNT(DISTINCT x.pledge_id) AS accepted, COUNT(DISTINCT CASE WHEN x.outstanding > 0 THEN x.pledge_id END) AS outstanding_pledges,
            SUM(x.outstanding) AS outstanding_qty
       FROM (${acceptedPledgeLinesOf(sql, 'pl.pledge_id, pl.outstanding')}) x`,
    [incidentId, incidentId, incidentId], { prepare: true },
  );
  return { accepted: num(x?.accepted), outstanding_pledges: num(x?.outstanding_pledges), outstanding_qty: num(x?.outstanding_qty) };
}
