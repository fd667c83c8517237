export * from './correlation-id';
export * from './logging.module';
