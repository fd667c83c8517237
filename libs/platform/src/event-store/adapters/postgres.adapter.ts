import type { EventStore } from '@lumbung/event-store';
import { PostgresEventStore } from '@lumbung/event-store-postgres';

export const openPostgres = (connectionString: string, schema: string, onError?: (err: Error) => void): Promise<EventStore> =>
  PostgresEventStore.connect({ connectionString, schema, onError });
