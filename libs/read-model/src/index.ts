// Read models in PostgreSQL or SQLite through TypeORM: tables, migrations, the batch writer with its
// checkpoints, the rebuild into shadow tables, and the queries the query API serves.
export * from './schema';
export * from './entities';
export * from './data-source';
export * from './sql-executor';
export * from './projection-store';
export * from './read-model.writer';
export * from './changes';
export * from './changes.postgres';
export * from './changes.polling';
export * from './rebuild';
export * from './queries';
export { ReadModelInit1717200000000, READ_MODEL_MIGRATIONS } from './migrations/1717200000000-read-model-init.migration';
