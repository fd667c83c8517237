import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openReadModel } from '../../libs/read-model/src/data-source';
import { createTestSchema, describeWithPostgres } from './postgres';

/** Opens a fresh, migrated read-model database for one test; close() destroys it. */
export type OpenReadModel = () => Promise<{ ds: DataSource; close(): Promise<void> }>;

/**
 * Runs a read-model suite on both databases the read models live in: PostgreSQL (a schema of its own
 * per test, named from `prefix`; skipped without PostgreSQL unless REQUIRE_INFRA=1) and SQLite (a file
 * of its own per test, the embedded mode's).
 */
export function onBothReadModelDatabases(prefix: string, suite: (name: string, open: OpenReadModel) => void): void {
  describeWithPostgres('PostgreSQL', () => {
    suite('PostgreSQL', async () => {
      const schema = await createTestSchema(prefix);
      const ds = await openReadModel({ type: 'postgres', url: schema.connectionString, schema: schema.schema });
      return { ds, close: async () => { await ds.destroy(); await schema.drop(); } };
    });
  });
  suite('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), `lumbung-${prefix.replace(/_/g, '-')}-`));
    const ds = await openReadModel({ type: 'better-sqlite3', file: join(dir, 'read-model.db') });
    return { ds, close: async () => { await ds.destroy(); rmSync(dir, { recursive: true, force: true }); } };
  });
}
