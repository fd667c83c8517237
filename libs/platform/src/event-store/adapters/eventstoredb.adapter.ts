import type { EventStore } from '@lumbung/event-store';
import { EventStoreDbEventStore } from '@lumbung/event-store-eventstoredb';

export const openEventStoreDb = (connectionString: string): EventStore => EventStoreDbEventStore.connect(connectionString);
