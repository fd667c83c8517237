import type { CheckpointStore, EventStore } from '@lumbung/event-store';
import { SqliteCheckpointStore, SqliteEventStore } from '@lumbung/event-store-sqlite';

export const openSqlite = (file: string): EventStore => SqliteEventStore.open({ file });

export const openSqliteCheckpoints = async (file: string): Promise<CheckpointStore> => SqliteCheckpointStore.open({ file });
