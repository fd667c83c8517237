import type { RecordedEvent } from '@lumbung/event-store';
import { blankRow, fulfilmentProjection, ProjectionState, requestsTable, shipmentsProjection, shipmentsTable, stockProjection, stockTable, type Row } from '@lumbung/projections';
import { decodeChange, encodeChange, InProcessReadModelChanges, MAX_CHANGE_BYTES, summarizeBatch, type ReadModelChange } from './changes';
import { channelFor, READ_MODEL_CHANNEL } from './changes.postgres';

const event = (position: number): RecordedEvent => ({
  id: `e${position}`, type: 'DispatchDelivered', streamId: 'dispatch-D1', revision: position, position, schemaVersion: 1, data: {}, hash: 'h',
  metadata: { actor: 'a', correlationId: 'c', causationId: 'c', occurredAt: '2024-03-04T00:00:00.000Z', recordedAt: '2024-03-04T00:00:00.000Z' },
});

function stateWith(p: ConstructorParameters<typeof ProjectionState>[0], rows: Array<[typeof shipmentsTable, Row]>): ProjectionState {
  const s = new ProjectionState(p);
  for (const [t, r] of rows) s.seedRow(t, r, { ...blankRow(t, r), ...r });
  return s;
}

const change = (over: Partial<ReadModelChange> = {}): ReadModelChange => ({
  v: 1, source: 'store', partition: 0, checkpoint: 9, position: 9, events: 1, at: '2024-03-04T00:00:00.000Z',
  projections: ['shipments'], tables: ['rm_shipments'], incidents: [], warehouses: [], sites: [], members: [], requests: [], ...over,
});

describe('summarizeBatch', () => {
  it('names the projections, tables and ids of the rows the batch touched, and the batch position', () => {
    const shipments = stateWith(shipmentsProjection, [
      [shipmentsTable, { dispatch_id: 'D1', warehouse_id: 'gd-1', destination_kind: 'site', destination_id: 'posko-1', request_id: 'R1', incident_id: null, member_id: null }],
      [shipmentsTable, { dispatch_id: 'PP1', warehouse_id: 'gd-1', destination_kind: 'warehouse', destination_id: 'gd-2', incident_id: 'banjir', member_id: 'pmi' }],
    ]);
    const requests = stateWith(fulfilmentProjection, [[requestsTable, { request_id: 'R1', site_id: 'posko-1', incident_id: 'banjir' }]]);
    const untouched = new ProjectionState(stockProjection);
    const c = summarizeBatch([shipments, requests, untouched], [event(7), event(12), event(10)], { source: 'kafka', partition: 3, position: 41 }, 'T');
    expect(c).toEqual({
      v: 1, source: 'kafka', partition: 3, checkpoint: 41, position: 12, events: 3, at: 'T',
      projections: ['shipments', 'fulfilment'],
      tables: ['rm_requests', 'rm_shipments'],
      incidents: ['banjir'],
      warehouses: ['gd-1', 'gd-2'],
      sites: ['posko-1'],
      members: ['pmi'],
      requests: ['R1'],
    });
  });

  it('is undefined when nothing was touched (a redelivered batch)', () => {
    expect(summarizeBatch([new ProjectionState(stockProjection)], [event(3)], { source: 's', partition: 0, position: 3 })).toBeUndefined();
  });

  it('names the warehouse of a stock row (its owner is for the reader to look up)', () => {
    const stock = stateWith(stockProjection, [[stockTable, { warehouse_id: 'gd-9', item_id: 'rice' }]]);
    expect(summarizeBatch([stock], [event(1)], { source: 's', partition: 0, position: 1 })).toMatchObject({ warehouses: ['gd-9'], members: [], tables: ['rm_stock'] });
  });
});

describe('encodeChange / decodeChange', () => {
  it('round-trips a change that fits', () => {
    const c = change({ incidents: ['banjir'], requests: ['R1'] });
    expect(decodeChange(encodeChange(c))).toEqual(c);
  });

  it('truncates to "something changed" when the ids would not fit in a NOTIFY payload', () => {
    const requests = Array.from({ length: 2000 }, (_, i) => `REQ-${String(i).padStart(6, '0')}`);
    const text = encodeChange(change({ requests, incidents: ['banjir'] }));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_CHANGE_BYTES);
    expect(decodeChange(text)).toEqual(change({ truncated: true, projections: ['shipments'], tables: ['rm_shipments'] }));
  });

  it('refuses payloads that are not version-1 changes', () => {
    expect(decodeChange(undefined)).toBeUndefined();
    expect(decodeChange('not json')).toBeUndefined();
    expect(decodeChange(JSON.stringify({ ...change(), v: 2 }))).toBeUndefined();
    expect(decodeChange(JSON.stringify({ ...change(), incidents: 'banjir' }))).toBeUndefined();
  });
});

describe('InProcessReadModelChanges', () => {
  it('delivers committed changes to subscribers until they unsubscribe; a throwing listener harms no other', () => {
    const errors: string[] = [];
    const changes = new InProcessReadModelChanges((e) => errors.push(e.message));
    const a: ReadModelChange[] = [];
    const b: ReadModelChange[] = [];
    changes.subscribe(() => {
      throw new Error('dashboard broke');
    });
    const offA = changes.subscribe((c) => a.push(c));
    changes.subscribe((c) => b.push(c));
    changes.publishCommitted(change({ position: 1 }));
    offA();
    changes.publishCommitted(change({ position: 2 }));
    expect(a.map((c) => c.position)).toEqual([1]);
    expect(b.map((c) => c.position)).toEqual([1, 2]);
    expect(errors).toEqual(['dashboard broke', 'dashboard broke']);
  });
});

describe('channelFor', () => {
  it('is the base channel for public, one per other schema, and at most 63 bytes', () => {
    expect(channelFor(undefined)).toBe(READ_MODEL_CHANNEL);
    expect(channelFor('public')).toBe(READ_MODEL_CHANNEL);
    expect(channelFor('t1')).toBe(`${READ_MODEL_CHANNEL}_t1`);
    const long = channelFor('x'.repeat(60));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).not.toBe(channelFor('y'.repeat(60)));
  });
});
