import type { EventStore, LogPoint, RecordedEvent } from '@lumbung/event-store';
import { ApiError } from '@lumbung/platform';
import type { AsOfQueryDto } from './as-of-query.dto';

/** Where a replay stops: everything at or before `position` in the sealed global log, nothing after. */
export interface AsOfCut {
  /** the last global position included (0: before the first event) */
  position: number;
  /** when the event at that position was recorded (null at position 0) */
  recordedAt: string | null;
  /** the time asked for, when the cut was asked by time */
  at: string | null;
  /** the head of the log when the cut was taken */
  head: number;
}

async function eventAtOrAfter(store: EventStore, position: number): Promise<RecordedEvent | undefined> {
  for await (const e of store.readAll({ after: position - 1, maxCount: 1 })) return e;
  return undefined;
}

/**
 * EventStore.logCut over the port's reads (stores without it): O(log head) reads of one whole event each, and as many round trips.
 * `t` is the time asked for in epoch ms.
 */
async function searchLog(store: EventStore, position: number | undefined, t: number | undefined): Promise<LogPoint> {
  const head = await store.headPosition();
  if (t === undefined) {
    const p = position ?? head;
    return { head, position: p, recordedAt: p >= 1 && p <= head ? ((await eventAtOrAfter(store, p))?.metadata.recordedAt ?? null) : null };
  }
  let lo = 0;
  let loRecordedAt: string | null = null;
  let hi = head;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    const e = await eventAtOrAfter(store, mid);
    if (e && e.position <= hi && Date.parse(e.metadata.recordedAt) <= t) {
      lo = e.position;
      loRecordedAt = e.metadata.recordedAt;
    } else hi = mid - 1;
  }
  return { head, position: lo, recordedAt: loRecordedAt };
}

/**
 * The cut a query asks for. A position beyond the head is refused (400: the log has not got there).
 * A time is turned into the last position recorded at or before it by a binary search over the log
 * (in the store's own statement where it has one: EventStore.logCut). recordedAt follows the position
 * except for appends that commit within the same few milliseconds in another order (PostgreSQL seals
 * in commit order): the search then lands on one of the boundaries inside that window. The answer
 * always names the position used, and asking again by that position gives the same state.
 */
export async function resolveCut(store: EventStore, q: AsOfQueryDto): Promise<AsOfCut> {
  // A time is compared to the millisecond, as recordedAt is written (finer digits are dropped, as Date.parse does).
  const t = q.position === undefined && q.at !== undefined ? Date.parse(q.at) : undefined;
  const at = t === undefined ? null : new Date(t).toISOString();
  const point = store.logCut
    ? await store.logCut(at !== null ? { at } : q.position !== undefined ? { position: q.position } : {})
    : await searchLog(store, q.position, t);
  if (q.position !== undefined && q.position > point.head) {
    const head = point.head;
    throw new ApiError(400, 'invalid-input', `position ${q.position} is beyond the head of the log (${head})`, { head }, [{ field: 'position', reason: `must be at most the head of the log, ${head}` }]);
  }
  return { position: point.position, recordedAt: point.recordedAt, at, head: point.head };
}
