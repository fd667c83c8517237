export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres.event-store';
export { LogSealer, type SealerOptions } from './postgres.sealer';
export { runMigrations, ADVISORY_LOCK_NAMESPACE, MIGRATIONS_TABLE, type Migration } from './postgres.migration-runner';
export { MIGRATIONS } from './migrations';
export { PostgresCheckpointStore, CHECKPOINT_STORE_TABLE, type PostgresCheckpointStoreOptions } from './postgres.checkpoint-store';
