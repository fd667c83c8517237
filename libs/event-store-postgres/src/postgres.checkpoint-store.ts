import { escapeIdentifier, Pool } from 'pg';
import { assertCheckpoint, type CheckpointStore } from '@lumbung/event-store';

export interface PostgresCheckpointStoreOptions {
  connectionString: string;
  /** the event store's schema (default public); created if missing */
  schema?: string;
  /** pool errors the store recovers from by itself (default: ignored) */
  onError?: (err: Error) => void;
}

export const CHECKPOINT_STORE_TABLE = 'lumbung_checkpoints';

/**
 * Checkpoints in a small table beside the event store's tables. A write is one autocommit UPSERT:
 * durable when it returns (synchronous_commit stays on), and guarded so that a lower position never
 * replaces a higher one.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  private readonly table: string;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.table = `${escapeIdentifier(schema)}.${escapeIdentifier(CHECKPOINT_STORE_TABLE)}`;
  }

  static async connect(options: PostgresCheckpointStoreOptions): Promise<PostgresCheckpointStore> {
    const schema = options.schema ?? 'public';
    const pool = new Pool({ connectionString: options.connectionString, max: 2, application_name: 'lumbung-checkpoints' });
    pool.on('error', (err) => options.onError?.(err));
    const store = new PostgresCheckpointStore(pool, schema);
    try {
      await ignoringCreateRace(() => pool.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(schema)}`));
      await ignoringCreateRace(() =>
        pool.query(
          `CREATE TABLE IF NOT EXISTS ${store.table} (
             name       text        PRIMARY KEY,
             position   bigint      NOT NULL CHECK (position >= 0),
             updated_at timestamptz NOT NULL DEFAULT now()
           )`,
        ),
      );
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  async get(name: string): Promise<number> {
    assertCheckpoint(name, 0);
    this.assertOpen();
    const { rows } = await this.pool.query<{ position: string }>(`SELECT position FROM ${this.table} WHERE name = $1`, [name]);
    return rows.length === 0 ? 0 : Number(rows[0].position);
  }

  async set(name: string, position: number): Promise<void> {
    assertCheckpoint(name, position);
    this.assertOpen();
    await this.pool.query(
      `INSERT INTO ${this.table} AS c (name, position) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()
       WHERE c.position < excluded.position`,
      [name, position],
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('checkpoint store is closed');
  }
}

/**
 * CREATE ... IF NOT EXISTS is not safe against a concurrent creator: both pass the check and the
 * second fails on the catalog's unique index. Either way the object now exists.
 */
async function ignoringCreateRace(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '42P07' && code !== '42P06') throw err;
  }
}
