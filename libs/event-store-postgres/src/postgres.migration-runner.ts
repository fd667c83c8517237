import { escapeIdentifier, type Pool, type PoolClient } from 'pg';

export interface Migration {
  /** applied in increasing order; recorded in lumbung_schema_migrations */
  id: number;
  name: string;
  /** runs with search_path set to the target schema, inside one transaction with its bookkeeping row */
  sql: string;
}

/**
 * Namespaces (first key) of the two-key advisory locks this library takes; the second key is
 * hashtext(schema), so stores in different schemas never wait for each other. A hash collision
 * between two schema names would only serialise them, never break anything.
 */
export const ADVISORY_LOCK_NAMESPACE = {
  migrations: 0x6c756d01,
  sealer: 0x6c756d02,
} as const;

export const MIGRATIONS_TABLE = 'lumbung_schema_migrations';

/**
 * Brings the schema up to date. Two processes starting at once both call this: the session-level
 * advisory lock makes the second wait until the first is done, after which it finds nothing left
 * to apply. Each migration runs in its own transaction together with the row that records it, so
 * a crash leaves the schema at a recorded migration boundary. Returns the ids it applied.
 */
export async function runMigrations(pool: Pool, schema: string, migrations: readonly Migration[]): Promise<number[]> {
  const ordered = [...migrations].sort((a, b) => a.id - b.id);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i].id === ordered[i - 1].id) throw new Error(`migration id ${ordered[i].id} is used twice`);
  }
  const s = escapeIdentifier(schema);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [ADVISORY_LOCK_NAMESPACE.migrations, schema]);
    try {
      // IF NOT EXISTS is not race-free across sessions: another component (the read models, the
      // checkpoint store) creating the same schema at the same moment fails us with 23505/42P06.
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`).catch((err: { code?: string }) => {
        if (err.code !== '23505' && err.code !== '42P06') throw err;
      });
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.${MIGRATIONS_TABLE} (
           id integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ id: number }>(`SELECT id FROM ${s}.${MIGRATIONS_TABLE}`);
      const applied = new Set(rows.map((r) => r.id));
      const done: number[] = [];
      for (const m of ordered) {
        if (applied.has(m.id)) continue;
        await applyOne(client, s, m);
        done.push(m.id);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [ADVISORY_LOCK_NAMESPACE.migrations, schema]).catch((err: Error) => {
        // A connection that cannot unlock must not go back to the pool holding the lock.
        broken = err;
      });
    }
  } catch (err) {
    broken ??= err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}

async function applyOne(client: PoolClient, s: string, m: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL search_path TO ${s}, pg_catalog`);
    await client.query(m.sql);
    await client.query(`INSERT INTO ${s}.${MIGRATIONS_TABLE} (id, name) VALUES ($1, $2)`, [m.id, m.name]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new Error(`migration ${m.id} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
  }
}
