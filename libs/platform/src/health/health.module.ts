import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventStoreHealthIndicator, HEALTH_OPTIONS, type HealthOptions } from './event-store.health';
import { HealthController } from './health.controller';

/** /health (liveness) and /health/ready (readiness: the event store answers). Needs EventStoreModule. */
@Module({})
export class HealthModule {
  static forRoot(options: Partial<HealthOptions> = {}): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: { readinessTimeoutMs: options.readinessTimeoutMs ?? 2000 } }, EventStoreHealthIndicator],
    };
  }
}
