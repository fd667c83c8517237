import fc from 'fast-check';
import { int, text, table, upsert, type Projection, type ProjectionEvent, type Row } from './projection';
import { projectAll, ProjectionState } from './projection-state';
import { projections } from './registry';
import { rollupIndex, sumRollup } from './rollup';
import { interleave, rng, ScenarioSimulator } from './testing/scenario';

/** A state's rollup table recomputed from its source rows (sumRollup), in key order as snapshot() gives it. */
async function expectedTarget(state: ProjectionState, target: string): Promise<Row[]> {
  const rollups = state.projection.rollups ?? [];
  const t = rollups.find((r) => r.target.name === target)!.target;
  const sums = await sumRollup(t, rollups, (source) => [[...state.rows.get(source.name)!.values()]]);
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

// A toy projection: items with a group and a quantity; per group their count and total; per "size" of group a count of groups.
const items = table('items', ['id'], [text('id'), text('grp'), int('qty')]);
const groups = table('groups', ['grp'], [text('grp'), int('items'), int('qty')]);
const sizes = table('sizes', ['size'], [int('size'), int('groups')]);
const toy: Projection = {
  name: 'toy',
  tables: [items, groups, sizes],
  eventTypes: new Set(['Put', 'Drop']),
  changes: (e) => {
    const d = e.data as { id: string; grp?: string; qty?: number };
    if (e.type === 'Drop') return [upsert(items, { id: d.id }, () => undefined)];
    return [upsert(items, { id: d.id }, (r) => ({ ...r, grp: d.grp ?? null, qty: d.qty ?? 0 }))];
  },
  rollups: [
    { source: items, target: groups, contribute: (r) => (typeof r.grp === 'string' ? { key: { grp: r.grp }, amounts: { items: 1, qty: Number(r.qty) } } : undefined) },
    { source: groups, target: sizes, contribute: (g) => ({ key: { size: Number(g.items) }, amounts: { groups: 1 } }) },
  ],
};
let revision = 0;
const ev = (type: string, data: Record<string, unknown>): ProjectionEvent =>
  ({ type, data, streamId: `item-${String(data.id)}`, revision: revision++, position: revision, eventId: `e${revision}`, metadata: {}, recordedAt: '' }) as unknown as ProjectionEvent;

describe('rollups: tables kept as sums over other tables', () => {
  it('given rows moving between groups and leaving, the sums follow and rows whose sums reach zero are absent', () => {
    const s = projectAll([toy], [
      ev('Put', { id: 'a', grp: 'x', qty: 5 }),
      ev('Put', { id: 'b', grp: 'x', qty: 7 }),
      ev('Put', { id: 'c', grp: 'y', qty: 1 }),
      ev('Put', { id: 'a', grp: 'y', qty: 6 }), // a moves from x to y with a new quantity
      ev('Drop', { id: 'c' }),
    ])[0];
    expect(s.snapshot().groups).toEqual([{ grp: 'x', items: 1, qty: 7 }, { grp: 'y', items: 1, qty: 6 }]);
    // chained: two groups of one item each; the group of size 2 (x before a left) is gone
    expect(s.snapshot().sizes).toEqual([{ size: 1, groups: 2 }]);
  });

  it('when every row of a group leaves, its row is deleted (the writer deletes it too)', () => {
    const s = projectAll([toy], [ev('Put', { id: 'a', grp: 'x', qty: 5 }), ev('Drop', { id: 'a' })])[0];
    expect(s.snapshot().groups).toEqual([]);
    expect(s.snapshot().sizes).toEqual([]);
  });

  it('deferred (the live writer): amounts wait level by level until the target rows are seeded, then add to them', () => {
    const s = new ProjectionState(toy, { deferRollups: true });
    // the database already holds group x with 2 items (qty 10) and its size row
    s.apply(ev('Put', { id: 'n', grp: 'x', qty: 3 }));
    const first = s.pendingRollups()!;
    expect(first.map((a) => [a.table.name, a.key, a.amounts])).toEqual([['groups', { grp: 'x' }, { items: 1, qty: 3 }]]);
    s.seedRow(groups, { grp: 'x' }, { grp: 'x', items: 2, qty: 10 });
    s.applyRollups(first);
    const second = s.pendingRollups()!;
    // group x went from size 2 to size 3
    expect(second.map((a) => [a.key, a.amounts]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      [{ size: 2 }, { groups: -1 }],
      [{ size: 3 }, { groups: 1 }],
    ]);
    s.seedRow(sizes, { size: 2 }, { size: 2, groups: 1 });
    s.applyRollups(second);
    expect(s.pendingRollups()).toBeUndefined();
    const written = s.takeChanges().rows.filter((r) => r.table !== items).map((r) => [r.table.name, r.key, r.row ?? null]);
    expect(written).toEqual(expect.arrayContaining([
      ['groups', { grp: 'x' }, { grp: 'x', items: 3, qty: 13 }],
      ['sizes', { size: 2 }, null], // its one group grew: deleted
      ['sizes', { size: 3 }, { size: 3, groups: 1 }],
    ]));
  });

  it('refuses a projection change that writes a rollup table, a non-int sum column and a cycle', () => {
    const bad: Projection = { ...toy, name: 'bad', changes: () => [upsert(groups, { grp: 'x' }, (r) => r)] };
    expect(() => projectAll([bad], [ev('Put', { id: 'a' })])).toThrow(/rollup table groups directly/);
    const textSum = table('t2', ['k'], [text('k'), text('label')]);
    expect(() => rollupIndex({ ...toy, name: 'b2', tables: [items, textSum], rollups: [{ source: items, target: textSum, contribute: () => undefined }] })).toThrow(/non-int column label/);
    expect(() => rollupIndex({ ...toy, name: 'b3', rollups: [...toy.rollups!, { source: sizes, target: groups, contribute: () => undefined }] })).toThrow(/cycle/);
  });

  describe("the projections' rollups equal their sums recomputed from the source rows, whatever the interleaving", () => {
    const scenarios = new Map<number, ScenarioSimulator>();
    const scenario = (seed: number) => {
      let s = scenarios.get(seed);
      if (!s) scenarios.set(seed, (s = new ScenarioSimulator({ seed, warehouses: 4, sites: 5, items: 8 }).setup().run(1500)));
      return s;
    };
    const withRollups = projections.filter((p) => p.rollups?.length);

    it('some projections keep rollups, and the scenario fills them', () => {
      expect(withRollups.map((p) => p.name).sort()).toEqual(['fulfilment', 'shipments']);
      const states = projectAll(withRollups, scenario(1).events);
      for (const s of states) for (const r of s.projection.rollups!) expect(s.rows.get(r.target.name)!.size).toBeGreaterThan(0);
    });

    it('maintained = recomputed, for shuffled streams', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.integer(), async (seed, shuffleSeed) => {
          const states = projectAll(withRollups, interleave(scenario(seed).events, rng(shuffleSeed)));
          for (const s of states) {
            for (const target of new Set(s.projection.rollups!.map((r) => r.target.name))) {
              expect(s.snapshot()[target]).toEqual(await expectedTarget(s, target));
            }
          }
        }),
        { numRuns: 10 },
      );
    });
  });
});
