import { InMemoryEventStore, type EventStore } from '@lumbung/event-store';
import type { StoreConfig } from '../config';

export interface OpenOptions {
  /** errors the store recovers from by itself (a dropped pooled connection...): worth a log line */
  onError?: (err: Error) => void;
}

/**
 * Binds the port to the configured adapter. Adapters are loaded on demand, so that the embedded
 * SQLite mode loads neither the PostgreSQL driver nor the EventStoreDB client's native bridge.
 * The dynamic imports name files of this folder, not the @lumbung aliases: the Nest build rewrites
 * aliases in static imports only.
 */
export async function openEventStore(store: StoreConfig, options: OpenOptions = {}): Promise<EventStore> {
  switch (store.kind) {
    case 'sqlite':
      return (await import('./adapters/sqlite.adapter')).openSqlite(store.file);
    case 'postgres':
      return (await import('./adapters/postgres.adapter')).openPostgres(store.url, store.schema, options.onError);
    case 'eventstoredb':
      return (await import('./adapters/eventstoredb.adapter')).openEventStoreDb(store.url);
    case 'memory':
      return new InMemoryEventStore();
  }
}
