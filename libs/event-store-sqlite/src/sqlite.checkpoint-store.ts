import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { assertCheckpoint, type CheckpointStore } from '@lumbung/event-store';
import type { SqliteSynchronous } from './sqlite.event-store';

export interface SqliteCheckpointStoreOptions {
  /** the event store's file; created (with its directory) when missing */
  file: string;
  /** default FULL, like the event store: a checkpoint must not be newer than what survived a power cut */
  synchronous?: SqliteSynchronous;
  busyTimeoutMs?: number;
}

/**
 * Checkpoints in a small table of the event store's own SQLite file, on a connection of their own
 * (WAL lets it write between the store's appends). Each set is one committed statement.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  private readonly getStmt: Database.Statement<[string], { position: number }>;
  private readonly setStmt: Database.Statement<[string, number, string]>;
  private closed = false;

  private constructor(private readonly db: Database.Database) {
    this.getStmt = db.prepare('SELECT position FROM lumbung_checkpoints WHERE name = ?');
    this.setStmt = db.prepare(
      `INSERT INTO lumbung_checkpoints (name, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
       WHERE lumbung_checkpoints.position < excluded.position`,
    );
  }

  static open(options: SqliteCheckpointStoreOptions): SqliteCheckpointStore {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    const db = new Database(options.file);
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      db.exec(`CREATE TABLE IF NOT EXISTS lumbung_checkpoints (
        name       TEXT    PRIMARY KEY,
        position   INTEGER NOT NULL CHECK (position >= 0),
        updated_at TEXT    NOT NULL
      ) STRICT, WITHOUT ROWID`);
      return new SqliteCheckpointStore(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async get(name: string): Promise<number> {
    assertCheckpoint(name, 0);
    this.assertOpen();
    return this.getStmt.get(name)?.position ?? 0;
  }

  async set(name: string, position: number): Promise<void> {
    assertCheckpoint(name, position);
    this.assertOpen();
    this.setStmt.run(name, position, new Date().toISOString());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('checkpoint store is closed');
  }
}
