// Projections as pure functions over rows (DESIGN.md): no database, no framework.
export * from './projection';
export * from './rollup';
export * from './projection-state';
export * from './reference.projection';
export * from './stock.projection';
export * from './fulfilment.projection';
export * from './pledges.projection';
export * from './shipments.projection';
export * from './readiness.projection';
export * from './registry';
// As-of replays (the auditor's "what the dispatcher could see then"): pure twins of the live queries.
export * from './gap-matrix';
export * from './gap-matrix-replay';
export * from './as-of-views';
