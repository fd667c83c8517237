import type { RecordedEvent, Subscription } from './event-store.port';

/**
 * Wakes subscribers when this process appends or seals, so live delivery does not wait for a poll.
 * Appends from other processes are picked up by the poll interval.
 */
export class Notifier {
  private waiters = new Set<() => void>();

  notify(): void {
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }

  /** Resolves on the next notify() or after ms, whichever comes first. */
  wait(ms: number): { promise: Promise<void>; cancel: () => void } {
    let timer: NodeJS.Timeout | undefined;
    let resolveFn!: () => void;
    const promise = new Promise<void>((resolve) => {
      resolveFn = resolve;
      timer = setTimeout(() => {
        this.waiters.delete(resolveFn);
        resolve();
      }, ms);
      this.waiters.add(resolveFn);
    }).finally(() => clearTimeout(timer));
    const cancel = () => {
      this.waiters.delete(resolveFn);
      clearTimeout(timer);
      resolveFn();
    };
    return { promise, cancel };
  }
}

export interface PollingSubscriptionOptions {
  after: number;
  /** events with position > after, in position order, at most max of them */
  readPage: (after: number, max: number) => Promise<RecordedEvent[]>;
  notifier: Notifier;
  pageSize?: number;
  /** how long to wait for a notify before polling again when caught up */
  pollMs?: number;
  onClose?: () => void;
}

/**
 * Catch-up then live subscription over a paged reader of the sealed log. It reads a page only when
 * the consumer has taken the previous one (backpressure), and checks that positions strictly
 * increase, so a reader bug can never deliver an event twice or out of order.
 */
export function pollingSubscription(o: PollingSubscriptionOptions): Subscription {
  const pageSize = o.pageSize ?? 500;
  const pollMs = o.pollMs ?? 100;
  let closed = false;
  let pendingWait: { cancel: () => void } | undefined;
  let last = o.after;

  async function* run(): AsyncGenerator<RecordedEvent> {
    while (!closed) {
      const page = await o.readPage(last, pageSize);
      if (closed) return;
      for (const e of page) {
        if (e.position <= last) throw new Error(`subscription: position ${e.position} not after ${last}`);
        last = e.position;
        yield e;
        if (closed) return;
      }
      if (page.length < pageSize) {
        const w = o.notifier.wait(pollMs);
        pendingWait = w;
        await w.promise;
        pendingWait = undefined;
      }
    }
  }

  const iterator = run();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      if (closed) return;
      closed = true;
      pendingWait?.cancel();
      o.onClose?.();
      // Ends a consumer blocked in for-await once its current step finishes.
      await iterator.return(undefined).catch(() => undefined);
    },
  };
}

/** Collects an async iterable (tests and small reads only). */
export async function toArray<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
