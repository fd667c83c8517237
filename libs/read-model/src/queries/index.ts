export * from './paging';
export * from './stock.query';
export * from './fulfilment.query';
export * from './pledges.query';
export * from './shipments.query';
export * from './gap-matrix.query';
export * from './readiness.query';
export * from './dashboard.query';
