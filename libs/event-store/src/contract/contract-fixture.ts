import type { EventStore } from '../event-store.port';

/**
 * What an adapter's test file hands to the contract suite. Every adapter passes the same suite;
 * the optional hooks let the suite reach behind the store for the tamper and durability cases.
 */
export interface EventStoreContractFixture {
  /** a fresh, empty store (its own database/schema/file); the suite closes it */
  create(): Promise<EventStore>;
  /** close and open the same storage again (durability across a restart) */
  reopen?(store: EventStore): Promise<EventStore>;
  /**
   * Change a stored event's data behind the store's back (raw SQL / file edit), so that verify must
   * report it. `position` is the event's global position.
   */
  tamperData?(store: EventStore, position: number, newData: Record<string, unknown>): Promise<void>;
  /** delete a whole stream's rows behind the store's back (events and, where kept, the log entries) */
  removeStream?(store: EventStore, streamId: string): Promise<void>;
  /** settle: wait until everything appended so far is visible in readAll (PostgreSQL seals behind appends) */
  settle?(store: EventStore): Promise<void>;
  /**
   * false where the store has no index by event id across streams (EventStoreDB): an id reused in another
   * stream cannot be refused there. Default true.
   */
  globalEventIdIndex?: boolean;
  /**
   * false where appendMultiple is not atomic across streams (EventStoreDB adapter: parts one after
   * the other); the all-or-none cases are then not run. Default true.
   */
  atomicMultiStream?: boolean;
  /** true where the store has its own lean read of the log for projections (readAllForProjection). Default false. */
  readAllForProjection?: boolean;
}
