import type { MigrationInterface, QueryRunner } from 'typeorm';
import { pledgeLinesTable, pledgesTable } from '@lumbung/projections';
import { allTables, quote } from '../schema';
import { MigrationSql } from './migration-sql';

/** The columns this migration adds to rm_pledge_lines: its pledge's scope and status (all text). */
export const PLEDGE_LINE_SCOPE = ['incident_id', 'request_id', 'status'] as const;

/**
 * Brings read models made before the pledge lines carried their pledge's scope up to the pledges
 * projection's table definitions, so that a migrated read model equals a rebuilt one:
 * - rm_pledge_lines.incident_id, request_id and status: the pledge's, from its rm_pledges row (the
 *   projection writes a line's incident and request with the offer that creates it, and the
 *   pledge's status on every line at each change of it, so a line always repeats its pledge row);
 * - the covering indexes of the incident's accepted lines (its key figures, its gap matrix).
 * On a new database the first migration has created the table as it is now: nothing is added, and
 * the indexes are already there.
 */
export class IncidentPledges1733800000000 implements MigrationInterface {
  name = 'IncidentPledges1733800000000';

  async up(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    const have = await m.columns(pledgeLinesTable.name);
    const missing = PLEDGE_LINE_SCOPE.filter((c) => !have.includes(c));
    const lines = m.qualified(pledgeLinesTable.name);
    for (const c of missing) await q.query(`ALTER TABLE ${lines} ADD COLUMN ${quote(c)} ${m.d === 'postgres' ? 'text' : 'TEXT'}`);
    if (missing.length) {
      // One pass over the lines with their pledge (UPDATE ... FROM: PostgreSQL, and SQLite since 3.33).
      await q.query(
        `UPDATE ${lines} SET incident_id = p.incident_id, request_id = p.request_id, status = p.status
           FROM ${m.qualified(pledgesTable.name)} p WHERE p.pledge_id = ${lines}.pledge_id`,
      );
    }
    await m.syncIndexes(allTables());
  }

  async down(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    const have = await m.columns(pledgeLinesTable.name);
    // SQLite drops no column an index uses.
    for (const ix of await m.indexes(pledgeLinesTable.name)) if (ix.columns.some((c) => (PLEDGE_LINE_SCOPE as readonly string[]).includes(c))) await q.query(`DROP INDEX ${m.qualified(ix.name)}`);
    for (const c of [...PLEDGE_LINE_SCOPE].reverse()) if (have.includes(c)) await q.query(`ALTER TABLE ${m.qualified(pledgeLinesTable.name)} DROP COLUMN ${quote(c)}`);
  }
}
