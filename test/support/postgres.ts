import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { postgresUrl } from './infra';

/** The test database: DATABASE_URL, or the machine's local PostgreSQL (trust auth). */
export const DATABASE_URL = postgresUrl();

/** true when PostgreSQL answers within a few seconds. */
export async function postgresAvailable(connectionString = DATABASE_URL): Promise<boolean> {
  const c = new Client({ connectionString, connectionTimeoutMillis: 3000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * describe when PostgreSQL is reachable (as the jest global setup found it); otherwise skipped, or
 * failing with REQUIRE_INFRA=1 (CI), so that missing infrastructure can never pass a run silently.
 */
export { describeWithPostgres } from './infra';

export interface TestSchema {
  connectionString: string;
  schema: string;
  drop(): Promise<void>;
}

/** A fresh, uniquely named schema, so each spec file (or test) sees only its own data. */
export async function createTestSchema(prefix: string): Promise<TestSchema> {
  const base = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40);
  const schema = `${base}_${randomBytes(6).toString('hex')}`;
  await withClient((c) => c.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`));
  return {
    connectionString: DATABASE_URL,
    schema,
    drop: () => withClient((c) => c.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`)).then(() => undefined),
  };
}

/** A short-lived client on the test database (raw SQL behind a store's back, scripted transactions). */
export async function withClient<T>(run: (c: Client) => Promise<T>, connectionString = DATABASE_URL): Promise<T> {
  const c = new Client({ connectionString });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}
