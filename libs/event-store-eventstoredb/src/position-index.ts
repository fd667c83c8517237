import { EventStoreError } from '@lumbung/event-store';

/**
 * Maps our contiguous 1-based global positions to KurrentDB $all commit positions.
 *
 * The port numbers the global log 1, 2, 3... while $all positions are byte offsets in the transaction
 * log (increasing, with gaps). The n-th event of this store's log in $all order gets position n; this
 * index remembers the commit position of each, so that "after n" becomes an exact $all position to
 * read or subscribe from. It only ever grows at its tail, from reads of $all that start at a position
 * it already holds, so every process that builds it from the same database gets the same numbers.
 *
 * Memory: 8 bytes per event (a Float64Array; commit positions stay below 2^53). Built lazily by the
 * adapter with one pass over the store's events in $all, then extended incrementally.
 */
export class PositionIndex {
  private commits = new Float64Array(1024);
  private count = 0;

  /** Events indexed (= the highest position known). */
  get length(): number {
    return this.count;
  }

  /** Commit position of the last indexed event, 0 when empty. */
  get lastCommit(): number {
    return this.count === 0 ? 0 : this.commits[this.count - 1];
  }

  /** Commit position of position n (1-based), 0 for position 0. */
  commitOf(position: number): number {
    if (position === 0) return 0;
    if (!Number.isSafeInteger(position) || position < 0 || position > this.count) {
      throw new EventStoreError(`position ${position} is not in the index (it holds 1..${this.count})`, 'invalid-position');
    }
    return this.commits[position - 1];
  }

  /** Position of an indexed commit position, or undefined. */
  positionOf(commit: number): number | undefined {
    let lo = 0;
    let hi = this.count - 1;
    // Most lookups are for recent events: try the tail before the binary search.
    if (hi >= 0 && this.commits[hi] === commit) return hi + 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.commits[mid];
      if (v === commit) return mid + 1;
      if (v < commit) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /**
   * The position of an event read from $all, where `previousCommit` is the commit position of the
   * store event read just before it (0 at the start of the log). An event already indexed keeps its
   * number; the next one after the tail is appended; anything else means the log no longer matches
   * what this process indexed (events removed by a scavenge, or read out of order): refused loudly.
   */
  adopt(commit: number, previousCommit: number): number {
    if (!Number.isSafeInteger(commit) || commit < 0) {
      throw new EventStoreError(`commit position ${commit} cannot be indexed`, 'position-index-inconsistent');
    }
    if (commit <= this.lastCommit) {
      const p = this.positionOf(commit);
      if (p === undefined) {
        throw new EventStoreError(`$all event at commit position ${commit} is not in this process's position index: was the log changed?`, 'position-index-inconsistent');
      }
      return p;
    }
    if (previousCommit !== this.lastCommit) {
      throw new EventStoreError(
        `$all event at ${commit} follows ${previousCommit}, but the position index ends at ${this.lastCommit}`,
        'position-index-inconsistent',
      );
    }
    if (this.count === this.commits.length) {
      const grown = new Float64Array(this.commits.length * 2);
      grown.set(this.commits);
      this.commits = grown;
    }
    this.commits[this.count++] = commit;
    return this.count;
  }
}
