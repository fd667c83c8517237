import { Inject, Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { READ_MODEL_CHANGES } from '@lumbung/platform';
import type { ReadModelChanges } from '@lumbung/read-model';

/** How long an answer may be served after it was computed, changes or not (the "now" some reads depend on: overdue). */
export const READ_CACHE_MAX_AGE_MS = 5_000;
/** Bytes of answers kept at most; the least recently used go first. */
export const READ_CACHE_MAX_BYTES = 64 * 1024 * 1024;

interface Stored {
  body: string;
  storedAt: number;
}

interface InFlight {
  generation: number;
  /** the body once the first reader's handler has written it; undefined when it wrote none (an error, CSV) */
  body: Promise<string | undefined>;
}

/** The first reader of a key in a generation: it computes; the others wait for what it writes. */
export interface CacheSlot {
  /** keeps the body, if the generation is still the one the computation began in */
  store(body: string): void;
  /** ends the slot (after the response); waiters compute for themselves if nothing was stored */
  settle(): void;
}

export type Lookup = { kind: 'hit'; body: string } | { kind: 'wait'; body: Promise<string | undefined> } | { kind: 'miss'; slot: CacheSlot };

/**
 * The query API's answers, kept until the read models change. The commander dashboard refreshes
 * every panel on each live change (GET /events/stream), so every open dashboard asks the same
 * questions at the same moment; without this, N screens cost N computations of the same gap matrix
 * and key figures per change. With it, the first reader of a question computes the answer and the
 * others (arriving meanwhile or later) get the same bytes, until:
 *  - the read models announce a committed batch (READ_MODEL_CHANGES: in-process in embedded mode,
 *    LISTEN/NOTIFY from the projectors in distributed mode): everything is dropped at once. A
 *    computation that was running when a change arrived is answered but not kept;
 *  - READ_CACHE_MAX_AGE_MS have passed since it was computed (answers that depend on the time, like
 *    "overdue", and a bound on anything missed).
 * The cache is off while announcements could be missed: before the listener is in place, while its
 * connection is down (a reconnect announces a change), and when the host wires no announcements.
 * What a reader may see is at most a few milliseconds older than without it (a NOTIFY's delivery
 * after the projector's commit) or an answer up to READ_CACHE_MAX_AGE_MS old about the time alone.
 * A request with `Cache-Control: no-cache` is always computed afresh.
 */
@Injectable()
export class ReadCache implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('ReadCache');
  private readonly stored = new Map<string, Stored>();
  private readonly inFlight = new Map<string, InFlight>();
  private bytes = 0;
  private generation = 0;
  private ready = false;
  private unsubscribe: (() => void) | undefined;
  readonly stats = { hits: 0, waits: 0, misses: 0, invalidations: 0 };

  constructor(
    @Optional() @Inject(READ_MODEL_CHANGES) private readonly changes?: ReadModelChanges,
    @Optional() @Inject('READ_CACHE_NOW') private readonly now: () => number = Date.now,
  ) {}

  onModuleInit(): void {
    if (!this.changes) {
      this.log.log('no read-model change announcements wired: answers are not cached');
      return;
    }
    this.unsubscribe = this.changes.subscribe(() => this.invalidate());
    void (this.changes.ready?.() ?? Promise.resolve()).then(() => {
      if (this.unsubscribe) this.ready = true;
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.ready = false;
    this.invalidate();
  }

  /** Whether answers may be served from the cache now. */
  get active(): boolean {
    return this.ready && (this.changes as { listening?: boolean } | undefined)?.listening !== false;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.stored.size, bytes: this.bytes };
  }

  /** Drops every answer; computations under way are not kept. */
  invalidate(): void {
    this.generation++;
    this.stats.invalidations++;
    this.stored.clear();
    this.inFlight.clear();
    this.bytes = 0;
  }

  lookup(key: string): Lookup {
    const generation = this.generation;
    const s = this.stored.get(key);
    if (s) {
      this.stored.delete(key);
      if (this.now() - s.storedAt < READ_CACHE_MAX_AGE_MS) {
        this.stored.set(key, s); // most recently used last
        this.stats.hits++;
        return { kind: 'hit', body: s.body };
      }
      this.bytes -= s.body.length;
    }
    const f = this.inFlight.get(key);
    if (f && f.generation === generation) {
      this.stats.waits++;
      return { kind: 'wait', body: f.body };
    }
    this.stats.misses++;
    return { kind: 'miss', slot: this.begin(key, generation) };
  }

  private begin(key: string, generation: number): CacheSlot {
    let resolve!: (body: string | undefined) => void;
    const flight: InFlight = { generation, body: new Promise((r) => (resolve = r)) };
    this.inFlight.set(key, flight);
    let done = false;
    const finish = (body: string | undefined) => {
      if (done) return;
      done = true;
      if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      resolve(body);
    };
    return {
      store: (body) => {
        if (done) return;
        if (generation === this.generation) this.keep(key, body);
        // waiters asked before any change that came since: the answer is theirs either way
        finish(body);
      },
      settle: () => finish(undefined),
    };
  }

  private keep(key: string, body: string): void {
    if (body.length > READ_CACHE_MAX_BYTES / 4) return;
    const old = this.stored.get(key);
    if (old) this.bytes -= old.body.length;
    this.stored.delete(key);
    this.stored.set(key, { body, storedAt: this.now() });
    this.bytes += body.length;
    for (const [k, s] of this.stored) {
      if (this.bytes <= READ_CACHE_MAX_BYTES) break;
      this.stored.delete(k);
      this.bytes -= s.body.length;
    }
  }
}
