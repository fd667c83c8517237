import { describeEventStoreContract } from './contract/event-store.contract';
import { InMemoryEventStore } from './in-memory.event-store';

describeEventStoreContract('in-memory', {
  create: async () => new InMemoryEventStore(),
  tamperData: async (store, position, newData) => (store as InMemoryEventStore).tamper(position, (e) => (e.data = newData as never)),
});
