import type { AppendMetadata, EventStore, ExpectedRevision, NewEvent } from '@lumbung/event-store';

export interface AppendJob {
  streamId: string;
  events: NewEvent[];
  expected: ExpectedRevision;
  metadata: AppendMetadata;
}

/**
 * Appends commands' events in the order they were decided, up to `concurrency` appends in flight, as
 * that many writers of the command API would: appends start strictly in decision order, and one
 * whose stream has an append in flight waits for it (and holds back those behind it), so that the
 * global log follows the decision order up to the reordering of the appends in flight. (Letting the
 * appends of a busy stream fall behind while the others run ahead would put a warehouse's
 * reservations thousands of positions after the dispatches they were made for.) Each append carries
 * the exact expected revision, so it takes the store's one-round-trip fast path.
 */
export class AppendPipeline {
  private readonly queue: AppendJob[] = [];
  private head = 0;
  private readonly inFlight = new Set<string>();
  private drained: Array<{ below: number; wake: () => void }> = [];
  private queued = 0;
  private failure: Error | undefined;
  appendedEvents = 0;
  appends = 0;

  constructor(
    private readonly store: EventStore,
    private readonly concurrency: number,
  ) {}

  /** Events submitted and not yet appended. */
  get backlog(): number {
    return this.queued;
  }

  submit(job: AppendJob): void {
    this.queue.push(job);
    this.queued += job.events.length;
    this.pump();
  }

  /** Waits until at most `events` are waiting (backpressure for the generator); throws the first failed append. */
  async below(events: number): Promise<void> {
    while (this.queued > events && !this.failure) await new Promise<void>((r) => this.drained.push({ below: events, wake: r }));
    if (this.failure) throw this.failure;
  }

  async drain(): Promise<void> {
    await this.below(0);
  }

  /** Starts the jobs at the head of the queue while there is room and their streams are free. */
  private pump(): void {
    while (!this.failure && this.inFlight.size < this.concurrency && this.head < this.queue.length) {
      const job = this.queue[this.head];
      if (this.inFlight.has(job.streamId)) return;
      this.head++;
      this.inFlight.add(job.streamId);
      this.run(job);
    }
    // drop the started jobs from the array now and then (shift() on every start would be quadratic)
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private run(job: AppendJob): void {
    this.store.append(job.streamId, job.events, job.expected, job.metadata).then(
      () => {
        this.appendedEvents += job.events.length;
        this.appends++;
        this.finished(job);
      },
      (err: Error) => {
        this.failure ??= err;
        this.finished(job);
      },
    );
  }

  private finished(job: AppendJob): void {
    this.inFlight.delete(job.streamId);
    this.queued -= job.events.length;
    this.pump();
    const still: typeof this.drained = [];
    for (const d of this.drained) {
      if (this.queued <= d.below || this.failure) d.wake();
      else still.push(d);
    }
    this.drained = still;
  }
}
