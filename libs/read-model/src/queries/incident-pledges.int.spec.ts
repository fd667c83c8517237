import type { DataSource } from 'typeorm';
import { computeGapMatrix, projectAll, projections, rowsOf, type ProjectionEvent, type TableRows } from '@lumbung/projections';
import { eventLog } from '../../../projections/src/testing/events';
import { ScenarioSimulator } from '../../../projections/src/testing/scenario';
import { ReadModelWriter } from '../read-model.writer';
import { withExecutor, type SqlExecutor } from '../sql-executor';
import { queryGapMatrix, queryIncidentPledges, type IncidentPledges } from '.';
import { acceptedPledgeLinesOf } from './incident-scope';
import { pledgeForRequests } from '../../../projections/src/testing/pledges';
import { onBothReadModelDatabases } from '../../../../test/support/read-model-databases';

/**
 * The ids of the incident's accepted pledges as the figures read them before pledge lines carried
 * their pledge's scope (made for it, or for one of its requests): the reference the lines' paths must
 * agree with. Two `?` for the incident id.
 */
const acceptedPledgesOf = (sql: SqlExecutor): string =>
  `SELECT pledge_id FROM ${sql.table('rm_pledges')} WHERE incident_id = ? AND status = 'accepted'
   UNION
   SELECT p.pledge_id FROM ${sql.table('rm_pledges')} p JOIN ${sql.table('rm_requests')} r ON r.request_id = p.request_id
    WHERE p.request_id IS NOT NULL AND p.status = 'accepted' AND r.incident_id = ?`;

const t = (minute: number) => new Date(Date.parse('2024-03-04T08:00:00.000Z') + minute * 60_000).toISOString();

/**
 * flood (requests q1, q2) and slide (request q4), and pledges of every kind: p1 for flood; p2 for its
 * request q1 (partly delivered); p3 for slide; p4 for flood, not accepted; p5 for flood and its request
 * q1 (counted once); p6 for slide's request q4; p7 for flood, fulfilled; p8 for q2, all delivered but
 * not yet marked fulfilled (accepted, nothing outstanding); p9 for flood naming slide's request q4
 * (both incidents count it); p10 for q1, withdrawn.
 */
function pledgesOfEveryKind(): ProjectionEvent[] {
  const log = eventLog();
  const request = (id: string, incidentId: string) =>
    log.add(`request-${id}`, 'RequestSubmitted', { requestId: id, siteId: 'a', incidentId, priority: 'urgent', neededBy: t(600), lines: [{ line: 1, itemId: 'rice', quantity: 100 }], submittedAt: t(0) });
  request('q1', 'flood');
  request('q2', 'flood');
  request('q4', 'slide');
  const pledge = (id: string, target: { incidentId?: string; requestId?: string }, lines: Record<string, number>, then: 'offered' | 'accepted' = 'accepted') => {
    log.add(`pledge-${id}`, 'PledgeOffered', { pledgeId: id, memberId: 'm1', ...target, lines: Object.entries(lines).map(([itemId, quantity]) => ({ itemId, quantity })), expectedBy: t(900), offeredAt: t(5) });
    if (then === 'accepted') log.add(`pledge-${id}`, 'PledgeAccepted', { pledgeId: id, acceptedAt: t(6) });
  };
  const deliver = (id: string, lines: Record<string, number>) =>
    log.add(`pledge-${id}`, 'PledgeDeliveryRecorded', { pledgeId: id, receiptId: `r-${id}`, warehouseId: 'w1', lines: Object.entries(lines).map(([itemId, quantity]) => ({ itemId, quantity })), recordedAt: t(70) });
  pledge('p1', { incidentId: 'flood' }, { kit: 4 });
  pledge('p2', { requestId: 'q1' }, { rice: 15, kit: 3 });
  deliver('p2', { rice: 5 });
  pledge('p3', { incidentId: 'slide' }, { rice: 999 });
  pledge('p4', { incidentId: 'flood' }, { rice: 50 }, 'offered');
  pledge('p5', { incidentId: 'flood', requestId: 'q1' }, { water: 7 });
  pledge('p6', { requestId: 'q4' }, { rice: 20 });
  pledge('p7', { incidentId: 'flood' }, { rice: 8 });
  deliver('p7', { rice: 8 });
  log.add('pledge-p7', 'PledgeFulfilled', { pledgeId: 'p7', fulfilledAt: t(70) });
  pledge('p8', { requestId: 'q2' }, { kit: 2 });
  deliver('p8', { kit: 2 });
  pledge('p9', { incidentId: 'flood', requestId: 'q4' }, { water: 1 });
  pledge('p10', { requestId: 'q1' }, { rice: 30 });
  log.add('pledge-p10', 'PledgeWithdrawn', { pledgeId: 'p10', reason: 'batal', withdrawnAt: t(80) });
  return log.events;
}


/** The statement queryIncidentFigures ran before the lines carried their pledge's scope (rm_pledges' own scope, every line hashed). */
async function figuresBefore(sql: SqlExecutor, incidentId: string): Promise<IncidentPledges> {
  const [x] = await sql.query<Record<string, unknown>>(
    `SELECT COUNT(*) AS accepted, SUM(CASE WHEN x.outstanding > 0 THEN 1 ELSE 0 END) AS outstanding_pledges, SUM(x.outstanding) AS outstanding_qty
       FROM (SELECT pl.pledge_id, SUM(pl.outstanding) AS outstanding FROM ${sql.table('rm_pledge_lines')} pl
              WHERE pl.pledge_id IN (${acceptedPledgesOf(sql)}) GROUP BY pl.pledge_id) x`,
    [incidentId, incidentId],
  );
  return { accepted: Number(x.accepted ?? 0), outstanding_pledges: Number(x.outstanding_pledges ?? 0), outstanding_qty: Number(x.outstanding_qty ?? 0) };
}

/** The same figures from the projection rows in memory: pledge rows, their requests, their lines. */
function reference(rows: TableRows, incidentId: string): IncidentPledges {
  const requestIncident = new Map([...rows('rm_requests')].map((r) => [r.request_id, r.incident_id]));
  const pledges = [...rows('rm_pledges')].filter((p) => p.status === 'accepted' && (p.incident_id === incidentId || (p.request_id !== null && requestIncident.get(p.request_id) === incidentId)));
  const lines = [...rows('rm_pledge_lines')];
  const outstanding = pledges.map((p) => lines.filter((l) => l.pledge_id === p.pledge_id).reduce((s, l) => s + Number(l.outstanding), 0));
  return { accepted: pledges.length, outstanding_pledges: outstanding.filter((o) => o > 0).length, outstanding_qty: outstanding.reduce((s, o) => s + o, 0) };
}

function pledgesSuite(name: string, open: () => Promise<{ ds: DataSource; close(): Promise<void> }>) {
  describe(`an incident's accepted pledges on ${name}`, () => {
    let ds: DataSource;
    let close: () => Promise<void>;
    beforeEach(async () => ({ ds, close } = await open()));
    afterEach(async () => close());
    const figures = (incidentId: string) => withExecutor(ds, (sql) => queryIncidentPledges(sql, incidentId));

    it('counts the pledges made for the incident and those made for one of its requests, each once', async () => {
      const events = pledgesOfEveryKind();
      await new ReadModelWriter(ds).applyBatch(events, { source: 't', partition: 0, position: events.length });
      // flood: p1 (kit 4) by the incident, p2 (rice 10 + kit 3 left) by its request q1, p5 (water 7) by
      // both, p8 (nothing left) by q2, p9 (water 1) by the incident; not p4 (offered), p7 (fulfilled), p10 (withdrawn)
      expect(await figures('flood')).toEqual({ accepted: 5, outstanding_pledges: 4, outstanding_qty: 25 });
      // slide: p3 (rice 999) by the incident, p6 (rice 20) and p9 (water 1) by its request q4
      expect(await figures('slide')).toEqual({ accepted: 3, outstanding_pledges: 3, outstanding_qty: 1020 });
      expect(await figures('none')).toEqual({ accepted: 0, outstanding_pledges: 0, outstanding_qty: 0 });
      for (const incident of ['flood', 'slide', 'none']) expect(await figures(incident)).toEqual(await withExecutor(ds, (sql) => figuresBefore(sql, incident)));

      // the gap matrix's pledged quantities: the same lines per item, and the same as its pure twin
      const rows = rowsOf(projectAll(projections, events));
      const gap = await queryGapMatrix(ds, 'flood');
      expect(gap).toEqual(computeGapMatrix(rows, 'flood'));
      expect(gap.items.map((i) => [i.item_id, i.pledged])).toEqual(expect.arrayContaining([['kit', 7], ['rice', 10], ['water', 8]]));
      expect((await queryGapMatrix(ds, 'slide')).items.map((i) => [i.item_id, i.pledged])).toEqual(expect.arrayContaining([['rice', 1019], ['water', 1]]));
    });

    it('gives the figures of the statement it replaces, and of every row, on a random but valid log', async () => {
      const sim = new ScenarioSimulator({ seed: 41, incidents: 3 }).setup().run(1500);
      pledgeForRequests(sim, 30);
      sim.run(300);
      await new ReadModelWriter(ds).applyBatch(sim.events, { source: 't', partition: 0, position: sim.events.length });
      const rows = rowsOf(projectAll(projections, sim.events));
      let viaRequest = 0;
      for (const incident of sim.incidents) {
        const f = await figures(incident);
        expect(f).toEqual(reference(rows, incident));
        expect(f).toEqual(await withExecutor(ds, (sql) => figuresBefore(sql, incident)));
        expect(f.accepted).toBeGreaterThan(0);
        expect(await queryGapMatrix(ds, incident)).toEqual(computeGapMatrix(rows, incident));
        // not trivially: pledges come by the request path too
        viaRequest += (await withExecutor(ds, (sql) => sql.query(`SELECT x.pledge_id FROM (${acceptedPledgeLinesOf(sql, 'pl.pledge_id, pl.incident_id')}) x WHERE x.incident_id IS NULL OR x.incident_id <> ?`, [incident, incident, incident, incident]))).length;
      }
      expect(viaRequest).toBeGreaterThan(3);
    });

    if (name === 'PostgreSQL') {
      it('reads the lines of both paths from covering indexes only', async () => {
        const events = pledgesOfEveryKind();
        await new ReadModelWriter(ds).applyBatch(events, { source: 't', partition: 0, position: events.length });
        const plans = await withExecutor(ds, async (sql) => {
          // a handful of rows: keep the planner off the sequential scans it would rightly prefer here
          await sql.query('SET enable_seqscan = off');
          await sql.query('SET enable_bitmapscan = off');
          try {
            const [{ 'QUERY PLAN': figuresPlan }] = await sql.query<{ 'QUERY PLAN': unknown }>(
              `EXPLAIN (FORMAT JSON) SELECT x.pledge_id, x.outstanding FROM (${acceptedPledgeLinesOf(sql, 'pl.pledge_id, pl.outstanding')}) x`, ['flood', 'flood', 'flood']);
            const [{ 'QUERY PLAN': gapPlan }] = await sql.query<{ 'QUERY PLAN': unknown }>(
              `EXPLAIN (FORMAT JSON) SELECT x.item_id, SUM(x.outstanding) FROM (${acceptedPledgeLinesOf(sql, 'pl.item_id, pl.outstanding')}) x GROUP BY x.item_id`, ['flood', 'flood', 'flood']);
            return [figuresPlan, gapPlan];
          } finally {
            await sql.query('RESET enable_seqscan');
            await sql.query('RESET enable_bitmapscan');
          }
        });
        for (const plan of plans) {
          const scans: Array<[string, string]> = [];
          const walk = (n: Record<string, unknown>) => {
            if (n['Relation Name'] === 'rm_pledge_lines') scans.push([n['Node Type'] as string, n['Index Name'] as string]);
            for (const c of (n.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(c);
          };
          walk((plan as Array<{ Plan: Record<string, unknown> }>)[0].Plan);
          expect(scans.map(([type]) => type)).toEqual(['Index Only Scan', 'Index Only Scan']);
        }
      });
    }
  });
}

describe('queryIncidentPledges', () => {
  onBothReadModelDatabases('rm_pledges_q', pledgesSuite);
});
