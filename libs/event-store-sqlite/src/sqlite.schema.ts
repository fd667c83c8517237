import type Database from 'better-sqlite3';
import { GENESIS_HASH } from '@lumbung/event-store';

/**
 * Numbered migrations, applied in order inside one BEGIN IMMEDIATE transaction, so two processes
 * opening a fresh file at the same time cannot both create the schema: the second waits for the
 * write lock (busy_timeout) and then finds the versions already applied.
 * Append-only list: never edit a shipped migration, add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, streams and the log head',
    sql: `
      -- position is the rowid: the global, commit-ordered log position, assigned by the append itself
      -- (SQLite has one writer at a time, so there is no gap and no reordering to seal afterwards).
      CREATE TABLE events (
        position       INTEGER PRIMARY KEY,
        id             TEXT    NOT NULL UNIQUE,
        stream_id      TEXT    NOT NULL,
        revision       INTEGER NOT NULL,
        type           TEXT    NOT NULL,
        schema_version INTEGER NOT NULL,
        data           TEXT    NOT NULL,
        metadata       TEXT    NOT NULL,
        recorded_at    TEXT    NOT NULL,
        hash           TEXT    NOT NULL,
        log_hash       TEXT    NOT NULL,
        UNIQUE (stream_id, revision)
      ) STRICT;

      CREATE TABLE streams (
        stream_id TEXT    PRIMARY KEY,
        revision  INTEGER NOT NULL,
        last_hash TEXT    NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- One row: the last position and log hash. Appends take the next position from here rather
      -- than from MAX(position), so rows deleted from the tail of the log leave a gap the next append
      -- cannot paper over, and verify can tell a truncated log from a short one.
      CREATE TABLE log_head (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        position  INTEGER NOT NULL,
        log_hash  TEXT    NOT NULL
      ) STRICT;
      INSERT INTO log_head (id, position, log_hash) VALUES (1, 0, '${GENESIS_HASH}');
    `,
  },
  {
    version: 2,
    name: 'index on the correlation id (the auditor\'s trail of a request)',
    sql: `CREATE INDEX events_correlation ON events (json_extract(metadata, '$.correlationId'), position);`,
  },
];

export function migrate(db: Database.Database, now: () => Date): number {
  const apply = db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
    const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number };
    const known = MIGRATIONS[MIGRATIONS.length - 1].version;
    if (row.v > known) {
      throw new Error(`event store file has schema version ${row.v}, this build knows up to ${known}: refusing to open it with older code`);
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of MIGRATIONS) {
      if (m.version <= row.v) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, now().toISOString());
    }
    return known;
  });
  return apply.immediate();
}
