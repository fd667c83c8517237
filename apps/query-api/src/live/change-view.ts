import type { Principal } from '@lumbung/platform';
import { projections } from '@lumbung/projections';
import type { ReadModelChange } from '@lumbung/read-model';
import { seesAll } from '../common/scope';

/** Who listens, and to what: the live stream's audience of one connection. */
export interface Audience {
  principal: Principal;
  /** only changes that may concern this incident */
  incident?: string;
}

/**
 * Tables whose rows belong to one incident (its requests, pledges, shipments...). A change that touches
 * any other table (stock, warehouses, plans, capacity) may move every incident's figures: the gap
 * matrix counts the stock in an incident's districts, readiness counts all stock.
 */
const INCIDENT_TABLES = new Set([
  'rm_requests', 'rm_request_lines', 'rm_pledges', 'rm_pledge_lines', 'rm_shipments', 'rm_shipment_lines', 'rm_incidents', 'rm_incident_districts', 'rm_plan_activations',
  // the sums the projections keep per incident (rollups keyed by incident_id first), fed by the tables above
  ...projections.flatMap((p) => (p.rollups ?? []).map((r) => r.target)).filter((t) => t.primaryKey[0] === 'incident_id').map((t) => t.name),
]);

/** The `data` of an `event: changed` as one connection sees it. */
export type ChangeView = Record<string, unknown>;

/**
 * Whether this connection hears of the change, and what of it. Rules (documented on the endpoint):
 * - `?incident=X`: changes naming X, changes naming no incident or touching tables that are not an
 *   incident's own (stock, reference data, plans), and truncated ones; changes of other incidents only
 *   are left out.
 * - commander, auditor, eoc, admin: the whole summary.
 * - a warehouse officer hears of changes naming one of its warehouses, a site officer of changes
 *   naming its site, a member of changes naming it (its pledges, shipments, warehouses it owns); the
 *   summary then carries only those ids. A truncated change ("something changed") reaches everyone,
 *   without ids, so that their screens can refresh.
 */
export function viewOf(change: ReadModelChange, a: Audience): ChangeView | undefined {
  if (a.incident && !change.truncated && change.incidents.length > 0 && !change.incidents.includes(a.incident) && change.tables.every((t) => INCIDENT_TABLES.has(t))) {
    return undefined;
  }
  const base: ChangeView = { position: change.position, at: change.at, projections: change.projections, tables: change.tables };
  if (change.truncated) return { ...base, truncated: true };
  const p = a.principal;
  if (seesAll(p)) {
    return { ...base, incidents: change.incidents, warehouses: change.warehouses, sites: change.sites, members: change.members, requests: change.requests };
  }
  if (p.role === 'warehouse') {
    const mine = change.warehouses.filter((w) => p.warehouses.includes(w));
    return mine.length ? { ...base, warehouses: mine } : undefined;
  }
  if (p.role === 'site') return p.site && change.sites.includes(p.site) ? { ...base, sites: [p.site] } : undefined;
  if (p.role === 'member') return p.member && change.members.includes(p.member) ? { ...base, members: [p.member] } : undefined;
  return undefined;
}

/** One SSE message: `id` (the position, so a reconnecting browser sends Last-Event-ID), `event`, `data`. */
export function sseMessage(event: string, data: unknown, id?: number): string {
  return `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
