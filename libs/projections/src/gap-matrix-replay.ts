import type { DispatchPlannedData, PledgeOfferedData, RequestSubmittedData } from '@lumbung/domain';
import { fulfilmentProjection } from './fulfilment.projection';
import { computeGapMatrix, rowsOf, type GapMatrixView } from './gap-matrix';
import { pledgesProjection } from './pledges.projection';
import type { Projection, ProjectionEvent } from './projection';
import { ProjectionState } from './projection-state';
import { referenceProjection } from './reference.projection';
import { stockProjection } from './stock.projection';

/** How often the replay drops per-stream bookkeeping it no longer needs (see ProjectionState.forgetPlainStreams). */
const TIDY_EVERY = 10_000;

/**
 * Replays the global log, in order, into in-memory states of the four projections the gap matrix
 * reads (reference, stock, fulfilment, pledges), keeping only what can matter for one incident:
 * reference and stock rows whole (they are small: a row per warehouse and item), but requests and
 * pledges of other incidents are never projected. Memory is therefore the reference and stock rows,
 * this incident's requests and pledges with their lines, and a few ids per stream of the log.
 *
 * The pruning never changes the answer: a pruned request is one whose incident is another (the
 * matrix filters those out), a pruned dispatch stream one that serves such a request or none (its
 * receipt feeds no row of this incident), a pruned pledge one that names neither this incident nor
 * one of its requests. Where the incident of a named request is not known yet, the event is kept.
 */
export class GapMatrixReplay {
  private readonly reference = new ProjectionState(referenceProjection as Projection);
  private readonly stock = new ProjectionState(stockProjection as Projection);
  private readonly fulfilment = new ProjectionState(fulfilmentProjection as Projection);
  private readonly pledges = new ProjectionState(pledgesProjection as Projection);
  /** every request's incident, other incidents' too: a pledge or dispatch names a request by id only */
  private readonly requestIncident = new Map<string, string>();
  /** streams whose events this incident's matrix does not need (by the projection that skips them) */
  private readonly skipFulfilment = new Set<string>();
  private readonly skipPledges = new Set<string>();
  private seen = 0;
  /** the last position applied */
  position = 0;

  constructor(readonly incidentId: string) {}

  apply(e: ProjectionEvent): void {
    this.position = e.position;
    this.reference.apply(e);
    this.stock.apply(e);
    if (this.fulfilment.handles(e) && this.forFulfilment(e)) this.fulfilment.apply(e);
    if (this.pledges.handles(e) && this.forPledges(e)) this.pledges.apply(e);
    if (++this.seen % TIDY_EVERY === 0) this.tidy();
  }

  matrix(): GapMatrixView {
    return computeGapMatrix(rowsOf([this.reference, this.stock, this.fulfilment, this.pledges]), this.incidentId);
  }

  /** Rows held in memory now (for the cost a caller reports). */
  get rowsHeld(): number {
    let total = 0;
    for (const s of [this.reference, this.stock, this.fulfilment, this.pledges]) for (const t of s.rows.values()) total += t.size;
    return total;
  }

  private forFulfilment(e: ProjectionEvent): boolean {
    if (e.type === 'RequestSubmitted') {
      const d = e.data as unknown as RequestSubmittedData;
      this.requestIncident.set(d.requestId, d.incidentId);
      if (d.incidentId !== this.incidentId) this.skipFulfilment.add(e.streamId);
    } else if (e.type === 'DispatchPlanned') {
      const d = e.data as unknown as DispatchPlannedData;
      const incident = d.requestId !== undefined ? this.requestIncident.get(d.requestId) : undefined;
      // Without a request the fulfilment projection does nothing with the stream; with another incident's, nothing this matrix reads.
      if (d.requestId === undefined || (incident !== undefined && incident !== this.incidentId)) this.skipFulfilment.add(e.streamId);
    }
    return !this.skipFulfilment.has(e.streamId);
  }

  private forPledges(e: ProjectionEvent): boolean {
    if (e.type === 'PledgeOffered') {
      const d = e.data as unknown as PledgeOfferedData;
      const viaRequest = d.requestId !== undefined ? this.requestIncident.get(d.requestId) : undefined;
      const mine = d.incidentId === this.incidentId || (d.requestId !== undefined && (viaRequest === undefined || viaRequest === this.incidentId));
      if (!mine) this.skipPledges.add(e.streamId);
    }
    return !this.skipPledges.has(e.streamId);
  }

  /** A replay sees each event once: the changed-row bookkeeping and plain stream states can go. */
  private tidy(): void {
    for (const s of [this.reference, this.stock, this.fulfilment, this.pledges]) {
      s.takeChanges();
      s.forgetPlainStreams();
    }
  }
}
