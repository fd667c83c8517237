import type { SqlExecutor } from '../sql-executor';

// What belongs to one incident beyond the rows that name it, for the incident's key figures, its
// timeline and its gap matrix: each a statement with two `?` for the incident id, built from indexed
// paths (an OR across a join reads every row of both tables instead).

/**
 * The incident's shipments (as `sh`, the given columns): those naming it, and those naming no
 * incident that serve one of its requests. A shipment belongs to one incident: the command API takes
 * a dispatch's incident from its request, so a dispatch that names an incident names its request's.
 * (Matching the shipments that name another incident against this one's requests too meant reading
 * all of its requests and probing the shipments for each: tens of ms per answer, for shipments the
 * API never writes.)
 */
export const shipmentsOf = (sql: SqlExecutor, columns: string): string =>
  `SELECT ${columns} FROM ${sql.table('rm_shipments')} sh WHERE sh.incident_id = ?
   UNION ALL
   SELECT ${columns} FROM ${sql.table('rm_shipments')} sh JOIN ${sql.table('rm_requests')} r ON r.request_id = sh.request_id
    WHERE sh.incident_id IS NULL AND r.incident_id = ?`;

/**
 * The ids of the incident's accepted pledges: made for it, or for one of its requests. The second
 * path starts from the pledges made for a request (few; rm_pledges' index on request_id) and looks up
 * their requests' incident.
 */
export const acceptedPledgesOf = (sql: SqlExecutor): string =>
  `SELECT pledge_id FROM ${sql.table('rm_pledges')} WHERE incident_id = ? AND status = 'accepted'
   UNION
   SELECT p.pledge_id FROM ${sql.table('rm_pledges')} p JOIN ${sql.table('rm_requests')} r ON r.request_id = p.request_id
    WHERE p.request_id IS NOT NULL AND p.status = 'accepted' AND r.incident_id = ?`;
