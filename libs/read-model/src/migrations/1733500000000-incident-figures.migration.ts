import type { MigrationInterface, QueryRunner } from 'typeorm';
import { msBetween, requestLinesTable, requestsTable, type TableDef } from '@lumbung/projections';
import { allTables, quote } from '../schema';
import { MigrationSql } from './migration-sql';

/** The columns this migration adds (the fulfilment projection's, for an incident's key figures and gap matrix). */
const ADDED: ReadonlyArray<readonly [TableDef, string]> = [
  [requestsTable, 'first_delivered_at'],
  [requestsTable, 'ms_to_first_delivery'],
  [requestLinesTable, 'incident_id'],
  [requestLinesTable, 'submitted_at'],
  [requestLinesTable, 'ms_to_full'],
];

/**
 * Brings read models made before the incident figures' columns and indexes up to the projections'
 * table definitions, filling the new columns as the projection would have, so that a migrated read
 * model equals a rebuilt one:
 * - rm_requests.first_delivered_at: the earliest delivery of the request's shipments;
 * - rm_request_lines.incident_id and submitted_at: the request's, on the lines of its submission
 *   (line_no > 0: only RequestSubmitted numbers lines, from 1);
 * - the ms_to_* columns, from those times with the projection's own msBetween.
 * Then every secondary index the table definitions declare and a table lacks is created, and the
 * ones they no longer declare are dropped. On a new database the first migration has created the
 * tables as they are now: nothing is added, and the tables are empty.
 */
export class IncidentFigures1733500000000 implements MigrationInterface {
  name = 'IncidentFigures1733500000000';

  async up(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    let added = false;
    for (const [t, column] of ADDED) {
      if ((await m.columns(t.name)).includes(column)) continue;
      const type = t.columns.find((c) => c.name === column)!.type;
      const sqlType = type === 'int' ? (m.d === 'postgres' ? 'bigint NOT NULL DEFAULT 0' : 'INTEGER NOT NULL DEFAULT 0') : m.d === 'postgres' ? 'text' : 'TEXT';
      await q.query(`ALTER TABLE ${m.qualified(t.name)} ADD COLUMN ${quote(column)} ${sqlType}`);
      added = true;
    }
    if (added) await this.fill(m);
    await m.syncIndexes(allTables());
  }

  private async fill(m: MigrationSql): Promise<void> {
    const requests = m.qualified(requestsTable.name);
    const lines = m.qualified(requestLinesTable.name);
    const shipments = m.qualified('rm_shipments');
    await m.q.query(
      `UPDATE ${requests} SET first_delivered_at = (SELECT MIN(sh.delivered_at) FROM ${shipments} sh WHERE sh.request_id = ${requests}.request_id AND sh.delivered_at IS NOT NULL)`,
    );
    await m.q.query(
      `UPDATE ${lines} SET incident_id = (SELECT r.incident_id FROM ${requests} r WHERE r.request_id = ${lines}.request_id),
                           submitted_at = (SELECT r.submitted_at FROM ${requests} r WHERE r.request_id = ${lines}.request_id)
        WHERE line_no > 0`,
    );
    const firsts = await m.q.query(`SELECT request_id, submitted_at, first_delivered_at FROM ${requests} WHERE submitted_at IS NOT NULL AND first_delivered_at IS NOT NULL`);
    await m.setInt(requestsTable, 'ms_to_first_delivery', (firsts as Array<Record<string, string>>).map((r) => ({ key: [r.request_id], value: msBetween(r.submitted_at, r.first_delivered_at) })));
    const fulls = await m.q.query(`SELECT request_id, item_id, submitted_at, full_at FROM ${lines} WHERE submitted_at IS NOT NULL AND full_at IS NOT NULL`);
    await m.setInt(requestLinesTable, 'ms_to_full', (fulls as Array<Record<string, string>>).map((r) => ({ key: [r.request_id, r.item_id], value: msBetween(r.submitted_at, r.full_at) })));
  }

  async down(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    for (const [t, column] of [...ADDED].reverse()) {
      if (!(await m.columns(t.name)).includes(column)) continue;
      // SQLite drops no column an index uses.
      for (const ix of await m.indexes(t.name)) if (ix.columns.includes(column)) await q.query(`DROP INDEX ${m.qualified(ix.name)}`);
      await q.query(`ALTER TABLE ${m.qualified(t.name)} DROP COLUMN ${quote(column)}`);
    }
  }
}
