import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * Prometheus metrics at /metrics (public): command counts and latencies, default process metrics.
 * Global, so that the CommandMetricsGuard that @CommandEndpoint binds to each command route finds
 * MetricsService in whichever module declares the route.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
