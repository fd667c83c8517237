import { DataSource } from 'typeorm';
import { readModelEntities } from './entities';
import { READ_MODEL_MIGRATIONS } from './migrations/1717200000000-read-model-init.migration';
import { quote } from './schema';

export type ReadModelDataSourceOptions =
  | { type: 'postgres'; url: string; schema?: string; poolSize?: number }
  | { type: 'better-sqlite3'; file: string };

/**
 * The read models' DataSource (not yet initialised): PostgreSQL in distributed mode, the embedded
 * mode's SQLite file otherwise. Schema changes go through migrations only (synchronize is off).
 */
export function createReadModelDataSource(o: ReadModelDataSourceOptions): DataSource {
  if (o.type === 'postgres') {
    const schema = o.schema ?? 'public';
    return new DataSource({
      type: 'postgres',
      url: o.url,
      schema,
      entities: readModelEntities('postgres', schema),
      migrations: READ_MODEL_MIGRATIONS,
      migrationsTableName: 'read_model_migrations',
      synchronize: false,
      extra: { max: o.poolSize ?? 10, application_name: 'lumbung-read-model' },
    });
  }
  return new DataSource({
    type: 'better-sqlite3',
    database: o.file,
    enableWAL: true,
    // another process (the rebuild command, a second app) may hold the write lock for a moment
    timeout: 10_000,
    entities: readModelEntities('sqlite'),
    migrations: READ_MODEL_MIGRATIONS,
    migrationsTableName: 'read_model_migrations',
    synchronize: false,
  });
}

/**
 * Initialises the DataSource (when needed) and brings the schema up to date. Several processes may
 * start at once: on PostgreSQL a session advisory lock lets one migrate while the others wait.
 */
export async function migrateReadModel(ds: DataSource): Promise<DataSource> {
  if (!ds.isInitialized) await ds.initialize();
  if (ds.options.type !== 'postgres') {
    await ds.runMigrations({ transaction: 'all' });
    return ds;
  }
  const schema = (ds.options as { schema?: string }).schema ?? 'public';
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7342, 1)');
    // IF NOT EXISTS is not race-free across sessions: the event store creating the same schema at
    // the same moment fails this with 23505/42P06, which means it exists.
    await runner.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`).catch((err: { code?: string }) => {
      if (err.code !== '23505' && err.code !== '42P06') throw err;
    });
    await ds.runMigrations({ transaction: 'all' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7342, 1)').catch(() => undefined);
    await runner.release();
  }
  return ds;
}

/** createReadModelDataSource + migrateReadModel. */
export async function openReadModel(o: ReadModelDataSourceOptions): Promise<DataSource> {
  return migrateReadModel(createReadModelDataSource(o));
}
