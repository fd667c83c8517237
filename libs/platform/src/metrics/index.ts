export * from './metrics.service';
export * from './command-endpoint.decorator';
export * from './command-metrics.guard';
export * from './metrics.controller';
export * from './metrics.module';
