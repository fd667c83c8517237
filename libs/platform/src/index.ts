export * from './config';
export * from './event-store';
export * from './logging';
export * from './auth';
export * from './http';
export * from './metrics';
export * from './health';
export * from './lifecycle';
