// A read-model sink for transport-level tests that keeps, per stream, the revisions in the order they
// were applied, skipping what a stream already applied (like the real writer). A gap (revision n+2
// after n) is recorded as such: that is a lost or reordered event.
import type { RecordedEvent } from '../../../libs/event-store/src';

export class RecordingSink {
  readonly heads = new Map<string, number>();
  readonly gaps: string[] = [];
  readonly checkpoints = new Map<string, number>();
  applied = 0;
  duplicatesSkipped = 0;
  batches = 0;
  failNext = 0;

  async applyBatch(events: RecordedEvent[], checkpoint: { source: string; partition: number; position: number }): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('sink failure (test)');
    }
    await new Promise((r) => setImmediate(r));
    for (const e of events) {
      const head = this.heads.get(e.streamId) ?? -1;
      if (e.revision <= head) {
        this.duplicatesSkipped++;
        continue;
      }
      if (e.revision !== head + 1) this.gaps.push(`${e.streamId}: ${head} -> ${e.revision}`);
      this.heads.set(e.streamId, e.revision);
      this.applied++;
    }
    const key = `${checkpoint.source}#${checkpoint.partition}`;
    this.checkpoints.set(key, Math.max(checkpoint.position, this.checkpoints.get(key) ?? -1));
    this.batches++;
  }

  async getCheckpoint(source: string, partition: number): Promise<number | null> {
    return this.checkpoints.get(`${source}#${partition}`) ?? null;
  }
}
