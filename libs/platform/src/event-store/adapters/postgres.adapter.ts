import type { CheckpointStore, EventStore } from '@lumbung/event-store';
import { PostgresCheckpointStore, PostgresEventStore } from '@lumbung/event-store-postgres';

export const openPostgres = (connectionString: string, schema: string, onError?: (err: Error) => void): Promise<EventStore> =>
  PostgresEventStore.connect({ connectionString, schema, onError });

export const openPostgresCheckpoints = async (connectionString: string, schema: string, onError?: (err: Error) => void): Promise<CheckpointStore> =>
  PostgresCheckpointStore.connect({ connectionString, schema, onError });
