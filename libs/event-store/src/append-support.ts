import { DuplicateEventIdError, WrongExpectedRevisionError } from './errors';
import type { AppendResult, EventMetadata, ExpectedRevision, RecordedEvent } from './event-store.port';
import { eventHash } from './integrity';
import type { PreparedAppend } from './validation';

/**
 * Pieces every adapter's append shares, so the rules are written once:
 * expected-revision checks, the hash chain, and what counts as an idempotent retry.
 */

/** -1 means the stream does not exist. Throws WrongExpectedRevisionError on a mismatch. */
export function checkExpectedRevision(streamId: string, expected: ExpectedRevision, current: number): void {
  const actual = current < 0 ? 'no-stream' : current;
  const ok =
    expected === 'any' ||
    (expected === 'no-stream' && current < 0) ||
    (expected === 'exists' && current >= 0) ||
    (typeof expected === 'number' && expected === current);
  if (!ok) throw new WrongExpectedRevisionError(streamId, expected, actual);
}

/** Events as they will be stored: revisions from current+1, hashes chained from the stream's last hash. */
export function chainEvents(
  append: PreparedAppend,
  current: number,
  prevHash: string,
  recordedAt: string,
): Array<Omit<RecordedEvent, 'position'> & { dataJson: string; metadataJson: string }> {
  const metadata: EventMetadata = { ...append.metadata, recordedAt };
  const metadataJson = JSON.stringify(metadata);
  let prev = prevHash;
  return append.events.map((e, i) => {
    const content = {
      id: e.id,
      type: e.type,
      streamId: append.streamId,
      revision: current + 1 + i,
      schemaVersion: e.schemaVersion,
      data: e.data,
      metadata,
    };
    const hash = eventHash(prev, content);
    prev = hash;
    return { ...content, hash, dataJson: e.dataJson, metadataJson };
  });
}

/** What the store already has for an event id. */
export interface StoredIdentity {
  id: string;
  streamId: string;
  revision: number;
  type: string;
  position: number | null;
}

/**
 * Decides whether an append is a retry of one already stored. Returns the original result when
 * every id is stored at the same place (same stream, consecutive revisions in the same order, same
 * types); null when none is stored; throws DuplicateEventIdError for anything in between.
 */
export function idempotentReplay(append: PreparedAppend, stored: StoredIdentity[]): AppendResult | null {
  if (stored.length === 0) return null;
  const byId = new Map(stored.map((s) => [s.id, s]));
  const first = byId.get(append.events[0].id);
  if (!first) {
    throw new DuplicateEventIdError(stored[0].id, 'some ids of this append are stored and some are not: not a retry of one append');
  }
  append.events.forEach((e, i) => {
    const s = byId.get(e.id);
    if (!s) throw new DuplicateEventIdError(first.id, `part of this append is stored, event ${e.id} is not`);
    if (s.streamId !== append.streamId) throw new DuplicateEventIdError(e.id, `stored in stream ${s.streamId}, not ${append.streamId}`);
    if (s.revision !== first.revision + i) throw new DuplicateEventIdError(e.id, 'stored at another revision or order');
    if (s.type !== e.type) throw new DuplicateEventIdError(e.id, `stored with type ${s.type}, not ${e.type}`);
  });
  const last = byId.get(append.events[append.events.length - 1].id)!;
  return {
    streamId: append.streamId,
    firstRevision: first.revision,
    nextExpectedRevision: last.revision,
    position: last.position,
    idempotentReplay: true,
  };
}
