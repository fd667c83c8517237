import type { Migration } from '../postgres.migration-runner';

/**
 * The event store's tables. The runner sets search_path to the store's schema for the migration's
 * transaction, so names here are unqualified.
 */
export const eventLogMigration: Migration = {
  id: 1,
  name: 'event-log',
  sql: `
    -- One row per stream: the append locks it (SELECT ... FOR UPDATE or the UPDATE of the head), so
    -- appends to different streams never wait for each other.
    CREATE TABLE streams (
      stream_id text PRIMARY KEY,
      revision bigint NOT NULL,
      last_hash text NOT NULL
    );

    -- seq is insertion order, NOT commit order: a transaction that took an earlier seq can commit
    -- after a later one. Global positions therefore come from the sealed log below, never from seq.
    -- tx_id lets the sealer tell which events can no longer be overtaken (see postgres.sealer.ts).
    CREATE TABLE events (
      seq bigserial NOT NULL,
      tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      id uuid NOT NULL,
      stream_id text NOT NULL,
      revision bigint NOT NULL,
      type text NOT NULL,
      schema_version integer NOT NULL,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL,
      hash text NOT NULL,
      CONSTRAINT events_pkey PRIMARY KEY (id),
      CONSTRAINT events_seq_key UNIQUE (seq),
      CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
    );
    CREATE INDEX events_tx_seq_idx ON events (tx_id, seq);

    -- The sealed global log: insert-only, positions 1, 2, 3... without gaps, each chained to the one
    -- before by log_hash = logHash(previous log_hash, position, event hash).
    CREATE TABLE log (
      position bigint PRIMARY KEY,
      seq bigint NOT NULL CONSTRAINT log_seq_key UNIQUE CONSTRAINT log_seq_fkey REFERENCES events (seq),
      log_hash text NOT NULL
    );

    -- The sealer's cursor (the last sealed event in (tx_id, seq) order) and the head of the log,
    -- written in the same statement as the log rows they describe.
    CREATE TABLE sealer_state (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      cursor_tx xid8 NOT NULL,
      cursor_seq bigint NOT NULL,
      position bigint NOT NULL,
      log_hash text NOT NULL
    );
    INSERT INTO sealer_state (cursor_tx, cursor_seq, position, log_hash)
      VALUES ('0'::xid8, 0, 0, '${'0'.repeat(64)}');
  `,
};
