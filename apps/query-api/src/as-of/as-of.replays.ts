import { streamIds, type DispatchPlannedData, type RequestDispatchRecordedData, type StockReservedData } from '@lumbung/domain';
import type { EventStore, RecordedEvent } from '@lumbung/event-store';
import { ApiError } from '@lumbung/platform';
import {
  fulfilmentProjection, GapMatrixReplay, itemsTable, requestFulfilmentView, requestLinesTable, requestsTable, shipmentLinesTable, shipmentsProjection, shipmentsTable,
  shipmentView, stockBatchesTable, stockProjection, stockTable, stockView, warehousesTable,
  type GapMatrixView, type Projection, type RequestFulfilmentView, type Row, type ShipmentView, type StockRowView,
} from '@lumbung/projections';
import { collect, project, referenceRowAsOf, rowIn, rowsIn } from './stream-replay';

const sid = streamIds;

/** What a log replay cost: events read, rows it held at the end, time taken. */
export interface ReplayCost {
  eventsRead: number;
  rowsHeld: number;
  elapsedMs: number;
}

/** How many whole-log replays (the gap matrix) may run at once in this process; more wait for none and get a 503. */
const MAX_LOG_REPLAYS = 2;
let logReplays = 0;

/**
 * The auditor's as-of reads: each folds events up to a cut through the same pure projections the
 * projector runs, and shapes the rows as the live query does (libs/projections' as-of views), so the
 * answer is what the query API showed once its read models had caught up to that position.
 *
 * Cost: a request reads its own stream and the streams of the dispatches it recorded; a dispatch its
 * stream; a warehouse's stock its stock stream, the dispatches reserved there, its warehouse stream
 * and one stream per item it holds. Each is proportional to those streams, independent of the log.
 * The gap matrix reads the global log from the start to the cut, page by page (see GapMatrixReplay
 * for the memory it keeps), at most MAX_LOG_REPLAYS at a time.
 */
export class AsOfReplays {
  constructor(private readonly store: EventStore) {}

  /** One request's fulfilment, or undefined when the request had not been submitted by then. */
  async request(requestId: string, position: number): Promise<RequestFulfilmentView | undefined> {
    const events = await collect(this.store, sid.request(requestId), position);
    if (!events.length) return undefined;
    // Receipts are recorded on the dispatch streams; the request's own stream names every dispatch that claimed from it.
    const dispatches = new Set(events.filter((e) => e.type === 'RequestDispatchRecorded' || e.type === 'RequestDispatchReleased').map((e) => (e.data as unknown as RequestDispatchRecordedData).dispatchId));
    for (const d of dispatches) await collect(this.store, sid.dispatch(d), position, events);
    const [state] = project([fulfilmentProjection as Projection], events);
    const row = rowIn(state, requestsTable, { request_id: requestId });
    return row ? requestFulfilmentView(row, rowsIn(state, requestLinesTable, (l) => l.request_id === requestId)) : undefined;
  }

  /** One shipment with its lines, and the events it was folded from, or undefined when not planned by then. */
  async dispatch(dispatchId: string, position: number): Promise<{ shipment: ShipmentView; events: RecordedEvent[] } | undefined> {
    const events = await collect(this.store, sid.dispatch(dispatchId), position);
    if (!events.length) return undefined;
    const [state] = project([shipmentsProjection as Projection], events);
    const row = rowIn(state, shipmentsTable, { dispatch_id: dispatchId });
    return row ? { shipment: shipmentView(row, rowsIn(state, shipmentLinesTable, (l) => l.dispatch_id === dispatchId)), events } : undefined;
  }

  /**
   * A warehouse's stock rows, or undefined when neither the warehouse nor its stock existed by then.
   * `expiringUntil` is the date up to which a batch counts as expiring (the live list's "now").
   */
  async warehouseStock(warehouseId: string, position: number, expiringUntil: string): Promise<StockRowView[] | undefined> {
    const events = await collect(this.store, sid.stock(warehouseId), position);
    const warehouse = await referenceRowAsOf(this.store, sid.warehouse(warehouseId), warehousesTable, { warehouse_id: warehouseId }, position);
    if (!events.length && !warehouse) return undefined;
    // What left with a dispatch is in transit until that dispatch's stream records its delivery or loss.
    const dispatches = new Set(events.filter((e) => e.type === 'StockReserved').map((e) => (e.data as unknown as StockReservedData).dispatchId));
    for (const d of dispatches) await collect(this.store, sid.dispatch(d), position, events);
    const [state] = project([stockProjection as Projection], events);
    const stock = rowsIn(state, stockTable, (r) => r.warehouse_id === warehouseId);
    const items = new Map<string, Row>();
    for (const r of stock) {
      const itemId = String(r.item_id);
      const item = await referenceRowAsOf(this.store, sid.item(itemId), itemsTable, { item_id: itemId }, position);
      if (item) items.set(itemId, item);
    }
    return stockView({ stock, batches: rowsIn(state, stockBatchesTable, (b) => b.warehouse_id === warehouseId), warehouse, items, expiringUntil });
  }

  /** Whether the incident was registered by then (its stream has an event at or before the cut). */
  async incidentKnown(incidentId: string, position: number): Promise<boolean> {
    return (await collect(this.store, sid.incident(incidentId), position)).length > 0;
  }

  /**
   * The gap matrix of an incident from a replay of the global log up to the cut. `gone()` is asked
   * every few thousand events: a client that hung up stops the replay.
   */
  async gapMatrix(incidentId: string, position: number, gone: () => boolean = () => false): Promise<{ matrix: GapMatrixView; cost: ReplayCost }> {
    if (logReplays >= MAX_LOG_REPLAYS) throw new ApiError(503, 'replay-busy', `${MAX_LOG_REPLAYS} replays of the log are running; try again shortly`);
    logReplays++;
    const started = Date.now();
    try {
      const replay = new GapMatrixReplay(incidentId);
      let read = 0;
      if (position > 0) {
        for await (const e of this.store.readAll({ after: 0, maxCount: position })) {
          if (e.position > position) break;
          replay.apply(e);
          if (++read % 5000 === 0 && gone()) throw new ApiError(499, 'client-gone', 'the client closed the connection');
        }
      }
      return { matrix: replay.matrix(), cost: { eventsRead: read, rowsHeld: replay.rowsHeld, elapsedMs: Date.now() - started } };
    } finally {
      logReplays--;
    }
  }
}

/** The dispatch's planned data (first event of its stream), for scope checks. */
export function plannedOf(events: readonly RecordedEvent[]): DispatchPlannedData | undefined {
  const e = events.find((x) => x.type === 'DispatchPlanned');
  return e ? (e.data as unknown as DispatchPlannedData) : undefined;
}
