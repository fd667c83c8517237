import type { SqlExecutor } from '../sql-executor';

// What belongs to one incident beyond the rows that name it, for the incident's key figures, its
// timeline and its gap matrix: statements with a `?` per use of the incident id, built from indexed
// paths (an OR across a join reads every row of both tables instead).

/**
 * The incident's shipments that name no incident and serve one of its requests (as `sh`, the given
 * columns; one `?` for the incident id): the rollups of the shipments projection count those naming
 * it, these few are added at query time. A shipment belongs to one incident: the command API takes a
 * dispatch's incident from its request, so a dispatch that names an incident names its request's.
 */
export const looseShipmentsOf = (sql: SqlExecutor, columns: string): string =>
  `SELECT ${columns} FROM ${sql.table('rm_shipments')} sh JOIN ${sql.table('rm_requests')} r ON r.request_id = sh.request_id
    WHERE sh.incident_id IS NULL AND r.incident_id = ?`;

/**
 * The lines of the incident's accepted pledges (as `pl`, the given columns of rm_pledge_lines), the
 * accepted pledges made for the incident or for one of its requests: each line carries its pledge's incident, request and status
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
