import type { Migration } from '../postgres.migration-runner';

/**
 * The auditor's trail of a request reads every event of its conversation (the request's id flows
 * through approval, dispatches and receipts as metadata.correlationId) across streams. Without an
 * index that is a scan of the whole log; with it, a lookup of a few dozen rows.
 */
export const correlationIndexMigration: Migration = {
  id: 2,
  name: 'correlation-index',
  sql: `CREATE INDEX events_correlation_idx ON events ((metadata->>'correlationId'), seq);`,
};
