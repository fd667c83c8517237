import { randomUUID } from 'node:crypto';
import type { AppendMetadata } from '@lumbung/event-store';
import type { ScenarioStep } from '../../libs/projections/src/testing/scenario';

type Data = Record<string, unknown>;

/** The aggregate id field of the reference-data aggregates: the command API correlates their commands by it. */
const REFERENCE_ID: Record<string, string> = {
  item: 'itemId',
  member: 'memberId',
  warehouse: 'warehouseId',
  site: 'siteId',
  incident: 'incidentId',
  capacity: 'memberId',
  operationsPlan: 'planId',
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The correlation ids the command API gives each command (apps/command-api: a request's commands and
 * every step of a dispatch made against it carry the request id; a pledge's carry its request id or
 * `pledge-<id>`; a transfer's `transfer-<id>`; reference data its own id; anything else, such as a
 * procurement receipt or a count, the HTTP request's own id). The scenario simulator leaves them out
 * (it numbers its commands), so the benchmark sets them here, and the trail of a request
 * (`GET /audit/requests/:id/trail`) finds what it would find in production: the request's events and
 * those of its dispatches, reservations, issues and receipts, across streams.
 */
export class CommandApiCorrelations {
  private readonly byDispatch = new Map<string, string>();
  private readonly byPledge = new Map<string, string>();
  /**
   * The plan-dispatch flow reserves stock before it claims the request: the reservation's metadata
   * waits here for the claim that names the request (both in the same simulator action, before any
   * append runs), and keeps `dispatch-<id>` when the claim is refused.
   */
  private readonly awaitingClaim = new Map<string, AppendMetadata>();

  /** The metadata of one command's append, correlated as the command API would. */
  metadataOf(step: ScenarioStep): AppendMetadata {
    const m = step.command.metadata;
    const meta: AppendMetadata = {
      actor: m.actor,
      role: m.role,
      ...(m.member ? { member: m.member } : {}),
      correlationId: '',
      causationId: randomUUID(),
      occurredAt: m.now,
    };
    meta.correlationId = this.correlate(step, meta);
    return meta;
  }

  /** Reservations still waiting for a claim after a simulator chunk keep their dispatch correlation. */
  endOfChunk(): void {
    this.awaitingClaim.clear();
  }

  private correlate(step: ScenarioStep, meta: AppendMetadata): string {
    const d = step.command.data as Data;
    const type = step.command.type;
    const ofDispatch = (id: string | undefined) => (id ? (this.byDispatch.get(id) ?? `dispatch-${id}`) : randomUUID());
    switch (step.aggregate) {
      case 'request': {
        const requestId = str(d.requestId) ?? randomUUID();
        const dispatchId = str(d.dispatchId);
        if (type === 'RecordDispatchAgainstRequest' && dispatchId) {
          this.byDispatch.set(dispatchId, requestId);
          const reservation = this.awaitingClaim.get(dispatchId);
          if (reservation) reservation.correlationId = requestId;
          this.awaitingClaim.delete(dispatchId);
        }
        return requestId;
      }
      case 'dispatch': {
        const dispatchId = str(d.dispatchId);
        if (type === 'PlanDispatch' && dispatchId) {
          const c = str(d.requestId) ?? `dispatch-${dispatchId}`;
          this.byDispatch.set(dispatchId, c);
          return c;
        }
        return ofDispatch(dispatchId);
      }
      case 'pledge': {
        const pledgeId = str(d.pledgeId) ?? randomUUID();
        if (type === 'OfferPledge') {
          const c = str(d.requestId) ?? `pledge-${pledgeId}`;
          this.byPledge.set(pledgeId, c);
          return c;
        }
        return this.byPledge.get(pledgeId) ?? `pledge-${pledgeId}`;
      }
      case 'stock':
        return this.stockCorrelation(type, d, meta, ofDispatch);
      default: {
        const key = REFERENCE_ID[step.aggregate];
        return (key && str(d[key])) ?? randomUUID();
      }
    }
  }

  private stockCorrelation(type: string, d: Data, meta: AppendMetadata, ofDispatch: (id: string | undefined) => string): string {
    const dispatchId = str(d.dispatchId);
    if (type === 'ReserveStock' && dispatchId) {
      if (!this.byDispatch.has(dispatchId)) this.awaitingClaim.set(dispatchId, meta);
      return ofDispatch(dispatchId);
    }
    if (dispatchId) return ofDispatch(dispatchId);
    if (type === 'TransferStockOut') return `transfer-${str(d.transferId) ?? randomUUID()}`;
    const source = (d.source ?? {}) as Data;
    if (source.kind === 'pledge') {
      const pledgeId = str(source.pledgeId) ?? randomUUID();
      return this.byPledge.get(pledgeId) ?? `pledge-${pledgeId}`;
    }
    if (source.kind === 'transfer') return `transfer-${str(source.transferId) ?? randomUUID()}`;
    // procurement receipts, adjustments, counts: the HTTP request's own correlation id
    return randomUUID();
  }
}
