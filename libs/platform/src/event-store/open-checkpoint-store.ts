import { InMemoryCheckpointStore, type CheckpointStore } from '@lumbung/event-store';
import type { StoreConfig } from '../config';
import type { OpenOptions } from './open-event-store';

/**
 * The checkpoint store beside the configured event store (the relay's last published position).
 * Loaded on demand like openEventStore, from files of this folder (the Nest build rewrites aliases in
 * static imports only).
 */
export async function openCheckpointStore(store: StoreConfig, options: OpenOptions = {}): Promise<CheckpointStore> {
  switch (store.kind) {
    case 'sqlite':
      return (await import('./adapters/sqlite.adapter')).openSqliteCheckpoints(store.file);
    case 'postgres':
      return (await import('./adapters/postgres.adapter')).openPostgresCheckpoints(store.url, store.schema, options.onError);
    case 'memory':
      return new InMemoryCheckpointStore();
    case 'eventstoredb':
      // Not yet: the checkpoint would go to a PostgreSQL beside KurrentDB, or to a stream of its own.
      throw new Error('relay checkpoints with LUMBUNG_STORE=eventstoredb are not implemented yet');
  }
}
