import type { CheckpointStore, EventStore, RecordedEvent, Subscription } from '@lumbung/event-store';
import type { EventPublisher, TransportLogger } from '@lumbung/messaging';
import { NO_LOG } from '@lumbung/messaging';

export interface RelayOptions {
  store: EventStore;
  checkpoints: CheckpointStore;
  publisher: EventPublisher;
  /** the checkpoint's name, one per destination (e.g. relay:lumbung.events) */
  checkpointName: string;
  /** events per publish at most (default 500) */
  batchSize?: number;
  /**
   * How long a batch waits for more events once it has one (default 5 ms). A backlog fills batches
   * at once; live traffic pays at most this much latency for fewer, larger Kafka requests.
   */
  batchMs?: number;
  /** first and longest pause between reconnection attempts (default 250 ms, 5 s) */
  reconnectDelayMs?: { initial: number; max: number };
  logger?: TransportLogger;
  /** after each batch is acknowledged and checkpointed (metrics, tests) */
  onBatch?: (info: { events: number; lastPosition: number; publishMs: number }) => void;
}

export interface RelayStats {
  /** last position acknowledged by the transport and checkpointed */
  checkpoint: number;
  batches: number;
  events: number;
  /** times the relay dropped its producer and subscription and started again from the checkpoint */
  restarts: number;
  lastError?: string;
}

const STOP = Symbol('stop');
const TIMEOUT = Symbol('timeout');

/**
 * Follows the store's global log from its checkpoint and publishes it in batches. The checkpoint
 * moves only after the transport acknowledged a whole batch, so:
 *  - nothing is lost: after a crash, the relay starts again after the last acknowledged batch;
 *  - nothing is reordered within a stream: the log is read in order, a batch is sent in order by a
 *    producer that keeps per-partition order across its retries, and after any failure the relay
 *    starts over from the checkpoint with a new producer rather than skipping ahead;
 *  - a duplicate is possible (a batch acknowledged but not checkpointed before a crash, or a failed
 *    send that was partly written); it is the same event with the same stream revision, which
 *    consumers skip.
 */
export class RelayService {
  private readonly batchSize: number;
  private readonly batchMs: number;
  private readonly delays: { initial: number; max: number };
  private readonly log: TransportLogger;
  private stopping = false;
  private readonly stopListeners = new Set<() => void>();
  private loop: Promise<void> | undefined;
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();
  readonly stats: RelayStats = { checkpoint: 0, batches: 0, events: 0, restarts: 0 };

  constructor(private readonly o: RelayOptions) {
    this.batchSize = o.batchSize ?? 500;
    this.batchMs = o.batchMs ?? 5;
    this.delays = o.reconnectDelayMs ?? { initial: 250, max: 5000 };
    this.log = o.logger ?? NO_LOG;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${this.batchSize}`);
  }

  /** Starts relaying in the background; failures are retried, never thrown. */
  start(): void {
    if (this.loop) throw new Error('relay already started');
    this.loop = this.run();
  }

  /**
   * Graceful stop: no new batch is started; the batch in hand is published and checkpointed (if the
   * transport is reachable), then the subscription and producer are closed.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const l of this.stopListeners) l();
    this.stopListeners.clear();
    await this.loop;
  }

  /** Resolves once the checkpoint has reached the position (tests, benchmarks). */
  waitForCheckpoint(position: number, timeoutMs = 30_000): Promise<void> {
    if (this.stats.checkpoint >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`relay checkpoint still at ${this.stats.checkpoint} after ${timeoutMs} ms, waiting for ${position}`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  private async run(): Promise<void> {
    let delay = this.delays.initial;
    while (!this.stopping) {
      let sub: Subscription | undefined;
      try {
        await this.o.publisher.connect();
        const after = await this.o.checkpoints.get(this.o.checkpointName);
        this.advance(after);
        sub = this.o.store.subscribeToAll({ after });
        this.log.info({ after, checkpoint: this.o.checkpointName }, 'relaying from the checkpoint');
        await this.pump(sub, () => (delay = this.delays.initial));
      } catch (err) {
        this.stats.restarts++;
        this.stats.lastError = (err as Error).message;
        this.log.warn({ err: (err as Error).message, checkpoint: this.stats.checkpoint, retryInMs: delay }, 'relay interrupted; starting again from the checkpoint');
        await this.o.publisher.disconnect();
        await this.orStop(sleep(delay));
        delay = Math.min(delay * 2, this.delays.max);
      } finally {
        await sub?.close().catch(() => undefined);
      }
    }
    await this.o.publisher.disconnect();
    this.log.info({ checkpoint: this.stats.checkpoint }, 'relay stopped');
  }

  /** Reads batches off the subscription and publishes them until stopped; throws on any failure. */
  private async pump(sub: Subscription, onProgress: () => void): Promise<void> {
    const it = sub[Symbol.asyncIterator]();
    // A next() that lost a race to the timer is kept for the next round, never dropped: an async
    // iterator's step cannot be taken back, and its event belongs to the next batch.
    let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
    const take = () => (pending ??= it.next());

    while (!this.stopping) {
      const first = await this.orStop(take());
      if (first === STOP) return;
      pending = undefined;
      if (first.done) throw new Error('the store subscription ended');
      const batch: RecordedEvent[] = [first.value];

      const deadline = Date.now() + this.batchMs;
      let ended = false;
      while (batch.length < this.batchSize && !this.stopping) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        let timer: NodeJS.Timeout | undefined;
        const r = await this.orStop(Promise.race([take(), new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), left)))]));
        clearTimeout(timer);
        if (r === TIMEOUT || r === STOP) break;
        pending = undefined;
        if (r.done) {
          ended = true;
          break;
        }
        batch.push(r.value);
      }

      const started = Date.now();
      await this.o.publisher.publish(batch);
      const last = batch[batch.length - 1].position;
      await this.o.checkpoints.set(this.o.checkpointName, last);
      const publishMs = Date.now() - started;
      this.stats.batches++;
      this.stats.events += batch.length;
      this.advance(last);
      onProgress();
      this.log.debug({ events: batch.length, first: batch[0].position, last, publishMs }, 'batch published');
      this.o.onBatch?.({ events: batch.length, lastPosition: last, publishMs });
      if (ended) throw new Error('the store subscription ended');
    }
  }

  /**
   * The promise's outcome, or STOP as soon as stop() is called. A listener per wait, removed when
   * the wait ends: racing one long-lived promise instead would pile up a reaction per batch.
   */
  private orStop<T>(p: Promise<T>): Promise<T | typeof STOP> {
    return new Promise((resolve, reject) => {
      const onStop = () => resolve(STOP);
      if (this.stopping) onStop();
      else this.stopListeners.add(onStop);
      p.then(
        (v) => {
          this.stopListeners.delete(onStop);
          resolve(v);
        },
        (e: unknown) => {
          this.stopListeners.delete(onStop);
          reject(e);
        },
      );
    });
  }

  private advance(position: number): void {
    if (position <= this.stats.checkpoint) return;
    this.stats.checkpoint = position;
    for (const w of this.waiters) {
      if (w.position <= position) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
