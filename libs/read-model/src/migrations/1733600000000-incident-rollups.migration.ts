import type { MigrationInterface, QueryRunner } from 'typeorm';
import { projections, requestLinesTable, rollupIndex, sumRollup, type Projection, type TableDef } from '@lumbung/projections';
import { allTables, createTableSql, quote } from '../schema';
import { MigrationSql } from './migration-sql';

/**
 * Brings read models made before the projections' rollup tables (maintained sums: an incident's key
 * figures and timeline, libs/projections' rollup.ts) up to the table definitions, as a rebuild would
 * make them:
 * - rm_request_lines.approved_at: the request's approval time on the lines it approved (an approval
 *   covers every submitted line, numbered from 1);
 * - each rollup table that does not exist is created and filled from its source tables with the
 *   projection's own contribute(), level by level (a chained rollup reads a table filled just before).
 * On a new database the first migration has already created every table: nothing happens.
 */
export class IncidentRollups1733600000000 implements MigrationInterface {
  name = 'IncidentRollups1733600000000';

  async up(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    const lines = m.qualified(requestLinesTable.name);
    let refill = false;
    if (!(await m.columns(requestLinesTable.name)).includes('approved_at')) {
      await q.query(`ALTER TABLE ${lines} ADD COLUMN ${quote('approved_at')} ${m.d === 'postgres' ? 'text' : 'TEXT'}`);
      await q.query(
        `UPDATE ${lines} SET approved_at = (SELECT r.approved_at FROM ${m.qualified('rm_requests')} r WHERE r.request_id = ${lines}.request_id) WHERE line_no > 0`,
      );
      refill = true;
    }
    for (const p of projections) {
      const targets = rollupTargets(p);
      const missing: TableDef[] = [];
      for (const t of targets) if (!(await m.tableExists(t.name))) missing.push(t);
      for (const t of missing) for (const s of createTableSql(t, m.d, m.qualified)) await q.query(s);
      // the line times read approved_at: the fulfilment projection's sums are made again when it was added
      const fill = refill && p.tables.includes(requestLinesTable) ? targets : missing;
      for (const t of fill) await fillRollup(m, p, t);
    }
    await m.syncIndexes(allTables());
  }

  async down(q: QueryRunner): Promise<void> {
    const m = new MigrationSql(q);
    for (const p of projections) for (const t of rollupTargets(p).reverse()) await q.query(`DROP TABLE IF EXISTS ${m.qualified(t.name)}`);
    if ((await m.columns(requestLinesTable.name)).includes('approved_at')) await q.query(`ALTER TABLE ${m.qualified(requestLinesTable.name)} DROP COLUMN ${quote('approved_at')}`);
  }
}

/** A projection's rollup tables, lower levels first (each is filled from tables filled before it). */
function rollupTargets(p: Projection): TableDef[] {
  const index = rollupIndex(p);
  const declared = new Set(allTables().map((t) => t.name));
  return p.tables.filter((t) => index.targets.has(t.name) && declared.has(t.name)).sort((a, b) => index.level.get(a.name)! - index.level.get(b.name)!);
}

/** Fills a rollup table from its sources (held in memory: rollup tables are small), replacing what it held. */
async function fillRollup(m: MigrationSql, p: Projection, target: TableDef): Promise<void> {
  const sums = await sumRollup(target, p.rollups ?? [], (source) => m.scan(source));
  await m.q.query(`DELETE FROM ${m.qualified(target.name)}`);
  await m.insertRows(target, [...sums.values()]);
}
