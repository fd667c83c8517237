import {
  evolveDispatch, initialDispatchState, streamIds,
  type DispatchDeliveredData, type DispatchDepartedData, type DispatchEvent, type DispatchPlannedData, type DispatchState,
} from '@lumbung/domain';
import type { EventStore, RecordedEvent } from '@lumbung/event-store';
import { incidentsTable, itemsTable, membersTable, sitesTable, warehousesTable, type Row } from '@lumbung/projections';
import { referenceRowAsOf } from '../../as-of/stream-replay';

export interface BastLine {
  itemId: string;
  itemName: string | null;
  unit: string | null;
  sent: number;
  received: number;
  damaged: number;
  short: number;
  over: number;
  reason: string | null;
}

/** Everything the handover record (Berita Acara Serah Terima) prints, taken from the event store. */
export interface BastModel {
  dispatchId: string;
  receiptId: string;
  purpose: string;
  requestId: string | null;
  incident: { id: string; name: string | null } | null;
  sender: { warehouseId: string | null; warehouseName: string | null; district: string | null; address: string | null; memberId: string | null; memberName: string | null };
  receiver: { kind: 'site' | 'warehouse'; id: string; name: string | null; district: string | null; receivedBy: string };
  waybillNumber: string | null;
  vehicle: string | null;
  driver: string | null;
  plannedAt: string;
  departedAt: string | null;
  expectedAt: string | null;
  deliveredAt: string;
  note: string | null;
  lines: BastLine[];
  /** the receipt event: its integrity hash, and its place in the sealed log (null until sealed) */
  receipt: { eventId: string; streamId: string; revision: number; position: number | null; hash: string; recordedAt: string; actor: string; role: string | null; member: string | null };
  /** who recorded the departure (the sending warehouse officer), when known */
  departedBy: string | null;
  printedAt: string;
}

/** A dispatch's stream, folded by the domain's own evolve: its state, and its events by type. */
export interface DispatchRecord {
  state: DispatchState;
  events: RecordedEvent[];
  planned: DispatchPlannedData;
}

export async function readDispatch(store: EventStore, dispatchId: string): Promise<DispatchRecord | undefined> {
  const events: RecordedEvent[] = [];
  for await (const e of store.readStream(streamIds.dispatch(dispatchId))) events.push(e);
  const planned = events.find((e) => e.type === 'DispatchPlanned');
  if (!planned) return undefined;
  const state = events.reduce((s, e) => evolveDispatch(s, { type: e.type, data: e.data } as unknown as DispatchEvent), initialDispatchState);
  return { state, events, planned: planned.data as unknown as DispatchPlannedData };
}

const text = (r: Row | undefined, col: string): string | null => (r && r[col] !== null && r[col] !== undefined ? String(r[col]) : null);

/**
 * The BAST of a delivered dispatch. Names (warehouse, member, site, items, incident) are those their
 * streams held when the receipt was sealed, so a reprint shows what the signed paper showed.
 */
export async function buildBast(store: EventStore, record: DispatchRecord, printedAt: string): Promise<BastModel> {
  const deliveredEvent = record.events.find((e) => e.type === 'DispatchDelivered');
  if (!deliveredEvent) throw new Error(`dispatch ${record.planned.dispatchId} is not delivered`);
  const delivered = deliveredEvent.data as unknown as DispatchDeliveredData;
  const departedEvent = record.events.find((e) => e.type === 'DispatchDeparted');
  const departed = departedEvent?.data as unknown as DispatchDepartedData | undefined;
  const p = record.planned;
  const position = deliveredEvent.position > 0 ? deliveredEvent.position : await store.headPosition();
  const ref = (streamId: string, table: Parameters<typeof referenceRowAsOf>[2], key: Row) => referenceRowAsOf(store, streamId, table, key, position);

  const warehouse = p.warehouseId ? await ref(streamIds.warehouse(p.warehouseId), warehousesTable, { warehouse_id: p.warehouseId }) : undefined;
  const memberId = p.memberId ?? text(warehouse, 'owner_member_id');
  const member = memberId ? await ref(streamIds.member(memberId), membersTable, { member_id: memberId }) : undefined;
  const dest = p.destination;
  const receiverRow =
    dest.kind === 'site' ? await ref(streamIds.site(dest.siteId), sitesTable, { site_id: dest.siteId }) : await ref(streamIds.warehouse(dest.warehouseId), warehousesTable, { warehouse_id: dest.warehouseId });
  const incidentId = p.incidentId ?? null;
  const incident = incidentId ? await ref(streamIds.incident(incidentId), incidentsTable, { incident_id: incidentId }) : undefined;

  const lines: BastLine[] = [];
  for (const l of delivered.lines) {
    const item = await ref(streamIds.item(l.itemId), itemsTable, { item_id: l.itemId });
    lines.push({
      itemId: l.itemId, itemName: text(item, 'name'), unit: text(item, 'unit'),
      sent: l.dispatched, received: l.received, damaged: l.damaged, short: l.short, over: l.over, reason: l.reason ?? null,
    });
  }
  const m = deliveredEvent.metadata;
  return {
    dispatchId: p.dispatchId,
    receiptId: delivered.receiptId,
    purpose: p.purpose,
    requestId: p.requestId ?? null,
    incident: incidentId ? { id: incidentId, name: text(incident, 'name') } : null,
    sender: {
      warehouseId: p.warehouseId ?? null, warehouseName: text(warehouse, 'name'), district: text(warehouse, 'district'), address: text(warehouse, 'address'),
      memberId, memberName: text(member, 'name'),
    },
    receiver: { kind: dest.kind, id: dest.kind === 'site' ? dest.siteId : dest.warehouseId, name: text(receiverRow, 'name'), district: text(receiverRow, 'district'), receivedBy: delivered.receivedBy },
    waybillNumber: departed?.waybillNumber ?? null,
    vehicle: departed?.vehicle ?? null,
    driver: departed?.driver ?? null,
    plannedAt: p.plannedAt,
    departedAt: departed?.departedAt ?? null,
    expectedAt: departed?.expectedArrivalAt ?? null,
    deliveredAt: delivered.deliveredAt,
    note: delivered.note ?? null,
    lines,
    receipt: {
      eventId: deliveredEvent.id, streamId: deliveredEvent.streamId, revision: deliveredEvent.revision, position: deliveredEvent.position > 0 ? deliveredEvent.position : null,
      hash: deliveredEvent.hash, recordedAt: m.recordedAt, actor: m.actor, role: m.role ?? null, member: m.member ?? null,
    },
    departedBy: departedEvent?.metadata.actor ?? null,
    printedAt,
  };
}

export const totals = (lines: readonly BastLine[]) =>
  lines.reduce((t, l) => ({ sent: t.sent + l.sent, received: t.received + l.received, damaged: t.damaged + l.damaged, short: t.short + l.short, over: t.over + l.over }), { sent: 0, received: 0, damaged: 0, short: 0, over: 0 });
