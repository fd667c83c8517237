export * from './store-projector';
export * from './embedded-projections.module';
