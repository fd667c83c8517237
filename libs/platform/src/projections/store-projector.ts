import type { EventStore, RecordedEvent } from '@lumbung/event-store';
import type { ReadModelWriter } from '@lumbung/read-model';

export interface StoreProjectorOptions {
  /** checkpoint source name; one per read-model database */
  source?: string;
  maxBatch?: number;
  /** how long to gather more events once one has arrived */
  lingerMs?: number;
  onBatch?: (n: number, lastPosition: number) => void;
  onError?: (err: Error) => void;
}

/**
 * Embedded mode's projector: follows the event store's own subscription (no Kafka) and applies batches
 * with the same ReadModelWriter as the Kafka projector, so the read models are computed by the same code.
 * The checkpoint is the global position, stored in the batch's transaction: a restart resumes exactly.
 */
export class StoreProjector {
  private stopped = false;
  private running: Promise<void> | undefined;
  private sub: ReturnType<EventStore['subscribeToAll']> | undefined;
  private lastPosition = 0;
  private readonly waiters: Array<{ position: number; resolve: () => void }> = [];

  constructor(
    private readonly store: EventStore,
    private readonly writer: ReadModelWriter,
    private readonly o: StoreProjectorOptions = {},
  ) {}

  get source(): string {
    return this.o.source ?? 'store';
  }

  get position(): number {
    return this.lastPosition;
  }

  async start(): Promise<void> {
    this.lastPosition = await this.writer.getCheckpoint(this.source, 0);
    this.running = this.loop();
  }

  /** Resolves once the read models include everything up to `position` (tests, read-your-writes). */
  waitFor(position: number, timeoutMs = 10_000): Promise<void> {
    if (this.lastPosition >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read models did not reach position ${position} within ${timeoutMs} ms (at ${this.lastPosition})`)), timeoutMs);
      this.waiters.push({ position, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.sub?.close();
    await this.running;
  }

  private async loop(): Promise<void> {
    const maxBatch = this.o.maxBatch ?? 1000;
    const lingerMs = this.o.lingerMs ?? 5;
    while (!this.stopped) {
      try {
        this.sub = this.store.subscribeToAll({ after: this.lastPosition });
        const it = this.sub[Symbol.asyncIterator]();
        let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
        while (!this.stopped) {
          const batch: RecordedEvent[] = [];
          const first = await (pending ?? it.next());
          pending = undefined;
          if (first.done) break;
          batch.push(first.value);
          // Gather what is already there (or arrives within lingerMs), up to maxBatch.
          while (batch.length < maxBatch) {
            pending = it.next();
            const r = await Promise.race([pending, new Promise<'linger'>((res) => setTimeout(() => res('linger'), lingerMs))]);
            if (r === 'linger') break;
            pending = undefined;
            if (r.done) break;
            batch.push(r.value);
          }
          const last = batch[batch.length - 1].position;
          await this.writer.applyBatch(batch, { source: this.source, partition: 0, position: last });
          this.lastPosition = last;
          this.o.onBatch?.(batch.length, last);
          for (let i = this.waiters.length - 1; i >= 0; i--) {
            if (this.waiters[i].position <= last) this.waiters.splice(i, 1)[0].resolve();
          }
        }
      } catch (err) {
        if (this.stopped) return;
        this.o.onError?.(err as Error);
        await this.sub?.close().catch(() => undefined);
        // Resume from the stored checkpoint after a short pause: nothing is skipped or applied twice.
        await new Promise((r) => setTimeout(r, 500));
        this.lastPosition = await this.writer.getCheckpoint(this.source, 0).catch(() => this.lastPosition);
      }
    }
  }
}
