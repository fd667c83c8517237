export * from './event-store.tokens';
export * from './event-store.module';
export * from './open-event-store';
export * from './open-checkpoint-store';
