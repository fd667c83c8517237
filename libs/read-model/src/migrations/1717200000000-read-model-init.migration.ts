import type { MigrationInterface, QueryRunner } from 'typeorm';
import { allTables, createCheckpointsSql, createTableSql, CHECKPOINTS_TABLE, quote, type Dialect } from '../schema';
import { IncidentFigures1733500000000 } from './1733500000000-incident-figures.migration';
import { IncidentRollups1733600000000 } from './1733600000000-incident-rollups.migration';
import { PlacePositions1733700000000 } from './1733700000000-place-positions.migration';
import { IncidentPledges1733800000000 } from './1733800000000-incident-pledges.migration';

/**
 * The read models' first schema: every projection's tables, their stream revisions, and the
 * checkpoints. Column types are the portable pair (text, integer) on both databases. A later change
 * to a projection's tables is a new migration (or a rebuild, which recreates the tables from the
 * projection's definition and swaps them in).
 */
export class ReadModelInit1717200000000 implements MigrationInterface {
  name = 'ReadModelInit1717200000000';

  async up(q: QueryRunner): Promise<void> {
    const d: Dialect = q.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const schema = d === 'postgres' ? ((q.connection.options as { schema?: string }).schema ?? 'public') : undefined;
    const qualified = (name: string) => (schema ? `${quote(schema)}.${quote(name)}` : quote(name));
    for (const t of allTables()) for (const s of createTableSql(t, d, qualified)) await q.query(s);
    for (const s of createCheckpointsSql(d, qualified)) await q.query(s);
  }

  async down(q: QueryRunner): Promise<void> {
    const d: Dialect = q.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const schema = d === 'postgres' ? ((q.connection.options as { schema?: string }).schema ?? 'public') : undefined;
    const qualified = (name: string) => (schema ? `${quote(schema)}.${quote(name)}` : quote(name));
    for (const t of [...allTables().map((x) => x.name), CHECKPOINTS_TABLE]) await q.query(`DROP TABLE IF EXISTS ${qualified(t)}`);
  }
}

export const READ_MODEL_MIGRATIONS = [ReadModelInit1717200000000, IncidentFigures1733500000000, IncidentRollups1733600000000, PlacePositions1733700000000, IncidentPledges1733800000000];
