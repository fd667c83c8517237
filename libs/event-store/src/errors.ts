import type { ExpectedRevision } from './event-store.port';

/** Base of every error the event store raises on purpose; adapters never leak driver errors for these cases. */
export class EventStoreError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the revision the caller expected. The same type in every adapter. */
export class WrongExpectedRevisionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** the stream's actual last revision, or 'no-stream' */
    readonly actual: number | 'no-stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`, 'wrong-expected-revision');
  }
}

/** Refused input: oversized event, empty stream id, data that is not JSON, malformed id... */
export class InvalidAppendError extends EventStoreError {
  constructor(readonly field: string, readonly reason: string) {
    super(`invalid append: ${field}: ${reason}`, 'invalid-append');
  }
}

/** An event id that is already stored somewhere else, or with other content: not a retry. */
export class DuplicateEventIdError extends EventStoreError {
  constructor(readonly eventId: string, readonly detail: string) {
    super(`event id ${eventId} already stored: ${detail}`, 'duplicate-event-id');
  }
}

/** handleCommand gave up after its bounded retries on WrongExpectedRevision. */
export class ConcurrencyRetriesExhaustedError extends EventStoreError {
  constructor(readonly streamId: string, readonly attempts: number) {
    super(`stream ${streamId}: still conflicting after ${attempts} attempts`, 'concurrency-retries-exhausted');
  }
}

export class EventStoreClosedError extends EventStoreError {
  constructor() {
    super('event store is closed', 'closed');
  }
}
