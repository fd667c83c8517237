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
 * their requests' incident. (The incident's figures and gap matrix read the lines themselves, which
 * carry their pledge's scope: acceptedPledgeLinesOf.)
 */
export const acceptedPledgesOf = (sql: SqlExecutor): string =>
  `SELECT pledge_id FROM ${sql.table('rm_pledges')} WHERE incident_id = ? AND status = 'accepted'
   UNION
   SELECT p.pledge_id FROM ${sql.table('rm_pledges')} p JOIN ${sql.table('rm_requests')} r ON r.request_id = p.request_id
    WHERE p.request_id IS NOT NULL AND p.status = 'accepted' AND r.incident_id = ?`;

/**
 * The lines of the incident's accepted pledges (as `pl`, the given columns of rm_pledge_lines), the
 * same pledges as acceptedPledgesOf: each line carries its pledge's incident, request and status
 * (the pledges projection writes them), so both paths read covering indexes of rm_pledge_lines only.
 * The first is one index range (incident, 'accepted'); the second starts from the accepted lines of
 * pledges made for a request (few) and keeps those whose request is the incident's, unless the pledge
 * names the incident itself (the first path has it: each pledge is counted once). Three `?` for the
 * incident id.
 */
export const acceptedPledgeLinesOf = (sql: SqlExecutor, columns: string): string =>
  `SELECT ${columns} FROM ${sql.table('rm_pledge_lines')} pl WHERE pl.incident_id = ? AND pl.status = 'accepted'
   UNION ALL
   SELECT ${columns} FROM ${sql.table('rm_pledge_lines')} pl JOIN ${sql.table('rm_requests')} r ON r.request_id = pl.request_id
    WHERE pl.status = 'accepted' AND pl.request_id IS NOT NULL AND r.incident_id = ? AND (pl.incident_id IS NULL OR pl.incident_id <> ?)`;
