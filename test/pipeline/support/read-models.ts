// Read-model comparisons for the pipeline tests: PostgreSQL schemas written by libs/read-model.
import { escapeIdentifier } from 'pg';
import { withClient, type TestSchema } from '../../support/postgres';

const BOOKKEEPING = new Set(['read_model_migrations', 'projection_checkpoints']);

/** Sum of the stored checkpoints (next offsets) of a Kafka source: equals the topic's size when caught up. */
export async function appliedSum(schema: TestSchema, topic: string): Promise<number> {
  return withClient(async (c) => {
    const exists = await c.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'projection_checkpoints'`, [schema.schema]);
    if (exists.rowCount === 0) return 0;
    const r = await c.query<{ n: string | null }>(`SELECT sum("position")::text AS n FROM ${escapeIdentifier(schema.schema)}.projection_checkpoints WHERE "source" = $1`, [`kafka:${topic}`]);
    return Number(r.rows[0].n ?? 0);
  });
}

/** Every read-model table of a schema, rows sorted, as JSON-comparable values. */
export async function dumpTables(schema: TestSchema): Promise<Record<string, unknown[]>> {
  return withClient(async (c) => {
    const tables = await c.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, [schema.schema]);
    const out: Record<string, unknown[]> = {};
    for (const { table_name } of tables.rows) {
      if (BOOKKEEPING.has(table_name)) continue;
      const rows = await c.query(`SELECT * FROM ${escapeIdentifier(schema.schema)}.${escapeIdentifier(table_name)}`);
      out[table_name] = rows.rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  });
}

export async function poll(done: () => Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
