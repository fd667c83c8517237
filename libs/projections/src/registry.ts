import { fulfilmentProjection } from './fulfilment.projection';
import { pledgesProjection } from './pledges.projection';
import type { Projection } from './projection';
import { readinessProjection } from './readiness.projection';
import { referenceProjection } from './reference.projection';
import { shipmentsProjection } from './shipments.projection';
import { stockProjection } from './stock.projection';

/** Every projection the projector runs, by name (the names `npm run projections -- rebuild <name>` takes). */
export const projections: readonly Projection[] = [
  referenceProjection as Projection,
  stockProjection as Projection,
  fulfilmentProjection as Projection,
  pledgesProjection as Projection,
  shipmentsProjection as Projection,
  readinessProjection as Projection,
];

/**
 * The gap matrix is not materialised: it is a query over reference, stock, fulfilment and pledges
 * (libs/read-model/src/queries/gap-matrix.query.ts), so rebuilding "gap" rebuilds those.
 */
export const projectionAliases: Readonly<Record<string, readonly string[]>> = {
  gap: ['reference', 'stock', 'fulfilment', 'pledges'],
};

export function resolveProjections(names: readonly string[] | 'all'): Projection[] {
  if (names === 'all') return [...projections];
  const wanted = new Set<string>();
  for (const name of names) {
    if (name === 'all') return [...projections];
    const alias = projectionAliases[name];
    if (alias) alias.forEach((a) => wanted.add(a));
    else if (projections.some((p) => p.name === name)) wanted.add(name);
    else throw new Error(`unknown projection "${name}"; known: ${[...projections.map((p) => p.name), ...Object.keys(projectionAliases), 'all'].join(', ')}`);
  }
  return projections.filter((p) => wanted.has(p.name));
}
