export * from './sqlite.event-store';
export { MIGRATIONS, type Migration } from './sqlite.schema';
export { SqliteCheckpointStore, type SqliteCheckpointStoreOptions } from './sqlite.checkpoint-store';
