export * from './event-store.health';
export * from './health.controller';
export * from './health.module';
