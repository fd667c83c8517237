import type { RecordedEvent, StreamHead, VerifyProblem, VerifyReport } from './event-store.port';
import { eventHash, GENESIS_HASH, logHash } from './integrity';

/**
 * Streaming integrity check shared by every adapter's verify(). Feed it the log in position order
 * (with the stored log hash where the adapter keeps one), then the stream heads; it stops at the
 * first problem. Memory: one entry per stream, nothing per event.
 */
export class ChainVerifier {
  private readonly streams = new Map<string, { revision: number; hash: string }>();
  private lastPosition = 0;
  private lastLogHash = GENESIS_HASH;
  private checkedCount = 0;
  problem: VerifyProblem | undefined;

  get checked(): number {
    return this.checkedCount;
  }

  /** Returns false once a problem is found. */
  check(e: RecordedEvent, storedLogHash?: string | null): boolean {
    if (this.problem) return false;
    const where = { position: e.position, streamId: e.streamId, revision: e.revision, eventId: e.id };
    if (e.position <= this.lastPosition) {
      return this.fail({ kind: 'reordered', ...where, detail: `position ${e.position} follows ${this.lastPosition}` });
    }
    if (e.position !== this.lastPosition + 1) {
      return this.fail({ kind: 'removed', ...where, detail: `positions ${this.lastPosition + 1}..${e.position - 1} are missing from the log` });
    }
    const s = this.streams.get(e.streamId);
    const expectedRevision = s ? s.revision + 1 : 0;
    if (e.revision < expectedRevision) {
      return this.fail({ kind: 'reordered', ...where, detail: `revision ${e.revision} after revision ${expectedRevision - 1} of the stream` });
    }
    if (e.revision > expectedRevision) {
      return this.fail({ kind: 'removed', ...where, detail: `revisions ${expectedRevision}..${e.revision - 1} of the stream are missing` });
    }
    const recomputed = eventHash(s ? s.hash : GENESIS_HASH, e);
    if (recomputed !== e.hash) {
      return this.fail({ kind: 'altered', ...where, detail: 'content does not match its hash (or the chain before it was rewritten)' });
    }
    const expectedLog = logHash(this.lastLogHash, e.position, e.hash);
    if (storedLogHash !== undefined && storedLogHash !== null && storedLogHash !== expectedLog) {
      return this.fail({ kind: 'chain-broken', ...where, detail: 'global log hash does not link to the previous entry' });
    }
    this.streams.set(e.streamId, { revision: e.revision, hash: e.hash });
    this.lastPosition = e.position;
    this.lastLogHash = expectedLog;
    this.checkedCount++;
    return true;
  }

  /** Heads the adapter keeps per stream: a head beyond what the log holds means events were removed. */
  checkHead(head: StreamHead): boolean {
    if (this.problem) return false;
    const s = this.streams.get(head.streamId);
    if (!s) {
      return this.fail({ kind: 'removed', streamId: head.streamId, detail: `stream ${head.streamId} (revision ${head.revision}) has no events in the log` });
    }
    if (s.revision !== head.revision || s.hash !== head.hash) {
      return this.fail({
        kind: s.revision < head.revision ? 'removed' : 'altered',
        streamId: head.streamId,
        revision: s.revision,
        detail: `stream head says revision ${head.revision}, the log ends at ${s.revision}`,
      });
    }
    return true;
  }

  report(): VerifyReport {
    return {
      ok: !this.problem,
      checked: this.checkedCount,
      headPosition: this.lastPosition,
      headLogHash: this.lastLogHash,
      ...(this.problem ? { problem: this.problem } : {}),
    };
  }

  private fail(p: VerifyProblem): false {
    this.problem = p;
    return false;
  }
}
