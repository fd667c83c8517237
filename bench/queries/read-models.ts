import { escapeIdentifier, type Pool } from 'pg';
import { PostgresEventStore } from '@lumbung/event-store-postgres';
import { openReadModel, rebuildProjections, type RebuildProgress } from '@lumbung/read-model';
import { Progress } from './progress';

/** The bench's note of the store head its read models were rebuilt at, so that a reused schema is not rebuilt again. */
const META = 'bench_queries_meta';

export interface ReadModelsReady {
  /** the store's sealed head */
  head: number;
  /** seconds the rebuild took, or undefined when the kept read models were already at the head */
  rebuildSeconds?: number;
  rebuiltEvents?: number;
}

/**
 * Brings the read models beside the store (same schema, as the query API opens them in distributed
 * mode) up to the store's head with the rebuild the operators use (npm run projections -- rebuild all),
 * then ANALYZEs the schema, so that the planner knows the tables' sizes as autovacuum would tell it on a
 * live system. Skipped when a previous run already rebuilt at this head, unless `force`.
 */
export async function ensureReadModels(admin: Pool, url: string, schema: string, force: boolean): Promise<ReadModelsReady> {
  const s = escapeIdentifier(schema);
  const store = await PostgresEventStore.connect({ connectionString: url, schema, pageSize: 5000 });
  const ds = await openReadModel({ type: 'postgres', url, schema });
  try {
    const head = await store.headPosition();
    await admin.query(`CREATE TABLE IF NOT EXISTS ${s}.${META} (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), store_head bigint NOT NULL, rebuilt_at timestamptz NOT NULL)`);
    const { rows } = await admin.query<{ store_head: string }>(`SELECT store_head FROM ${s}.${META}`);
    if (!force && rows.length && Number(rows[0].store_head) === head) return { head };
    const bar = new Progress();
    const line = (p: RebuildProgress) =>
      `  rebuilding read models: ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')} events, ${p.eventsPerSecond.toLocaleString('en')} events/s, ETA ${p.etaSeconds?.toFixed(0) ?? '--'} s, ${p.phase}`;
    const result = await rebuildProjections(store, ds, 'all', { onProgress: (p) => (p.phase === 'done' ? bar.done(line(p)) : bar.show(line(p))) });
    await analyzeSchema(admin, schema);
    await admin.query(
      `INSERT INTO ${s}.${META} (store_head, rebuilt_at) VALUES ($1, now()) ON CONFLICT (singleton) DO UPDATE SET store_head = EXCLUDED.store_head, rebuilt_at = EXCLUDED.rebuilt_at`,
      [result.position],
    );
    return { head, rebuildSeconds: result.seconds, rebuiltEvents: result.events };
  } finally {
    await store.close();
    await ds.destroy();
  }
}

/** ANALYZE of every table of the schema (the store's and the read models'). */
export async function analyzeSchema(admin: Pool, schema: string): Promise<void> {
  const { rows } = await admin.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = $1`, [schema]);
  for (const r of rows) await admin.query(`ANALYZE ${escapeIdentifier(schema)}.${escapeIdentifier(r.tablename)}`);
}
