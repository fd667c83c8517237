import type { EventStore } from '@lumbung/event-store';
import { SqliteEventStore } from '@lumbung/event-store-sqlite';

export const openSqlite = (file: string): EventStore => SqliteEventStore.open({ file });
