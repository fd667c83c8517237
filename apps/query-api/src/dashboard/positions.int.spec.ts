import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@lumbung/event-store';
import { SqliteEventStore } from '@lumbung/event-store-sqlite';
import type { MapPlace } from '@lumbung/read-model';
import { ScenarioSimulator } from '../../../../libs/projections/src/testing/scenario';
import { runSteps } from '../../../../libs/read-model/src/testing/read-model-testing';
import { PlacePositions } from './positions';

/**
 * The map's positions for places an older read model has none of (embedded mode's read models made
 * before the reference projection kept lat/lon): folded from the place's stream on a real store, and
 * only for those places.
 */
describe('PlacePositions on a SQLite store', () => {
  let dir: string;
  let store: SqliteEventStore;
  let reads: string[];
  let counting: EventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lumbung-positions-'));
    store = SqliteEventStore.open({ file: join(dir, 'lumbung.db'), synchronous: 'NORMAL' });
    const sim = new ScenarioSimulator({ seed: 2, warehouses: 3, sites: 2 }).setup();
    expect(sim.exec('warehouse', 'wh-1', 'UpdateWarehouse', { warehouseId: 'wh-1', lon: 104.125 })).toBe(true);
    await runSteps(store, sim.steps);
    // the store as it is, with the streams it is asked for noted
    counting = Object.create(store, { readStream: { value: (id: string, ...rest: unknown[]) => (reads.push(id), (store.readStream as (...a: unknown[]) => ReturnType<EventStore['readStream']>)(id, ...rest)) } });
  });
  beforeEach(() => (reads = []));
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const place = (id: string, lat: number | null, lon: number | null): MapPlace => ({ id, name: id, district: 'Tebo', lat, lon });

  it('folds the streams of the places without a position, and reads nothing for the others', async () => {
    const positions = new PlacePositions(counting);
    const warehouses = [place('wh-0', null, null), place('wh-1', null, null), place('wh-2', -3, 101)];
    await positions.complete('warehouse', warehouses);
    expect(warehouses.map((w) => [w.id, w.lat, w.lon])).toEqual([['wh-0', -1.6, 103.6], ['wh-1', -1.6, 104.125], ['wh-2', -3, 101]]);
    expect(reads).toEqual(['warehouse-wh-0', 'warehouse-wh-1']);
    const sites = [place('site-1', null, null)];
    await positions.complete('site', sites);
    expect(sites[0]).toMatchObject({ lat: -1.7, lon: 103.1 });
    expect(reads).toEqual(['warehouse-wh-0', 'warehouse-wh-1', 'site-site-1']);
    // a place no stream knows stays without a position
    const unknown = [place('wh-9', null, null)];
    await positions.complete('warehouse', unknown);
    expect(unknown[0]).toMatchObject({ lat: null, lon: null });
  });

  it('keeps what it folded while the read model’s own pair is the same, and folds again once it changed', async () => {
    const positions = new PlacePositions(counting);
    await positions.complete('warehouse', [place('wh-0', null, null)]);
    await positions.complete('warehouse', [place('wh-0', null, null)]);
    expect(reads).toEqual(['warehouse-wh-0']);
    // the read model's pair changed (an update carried a latitude alone): the stream is folded again, and its fold is the answer
    const moved = [place('wh-0', -2, null)];
    await positions.complete('warehouse', moved);
    expect(reads).toEqual(['warehouse-wh-0', 'warehouse-wh-0']);
    expect(moved[0]).toMatchObject({ lat: -1.6, lon: 103.6 });
    await positions.complete('warehouse', [place('wh-0', -2, null)]);
    expect(reads).toHaveLength(2);
  });
});
