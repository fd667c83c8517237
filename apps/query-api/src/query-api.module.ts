import { Module, type DynamicModule } from '@nestjs/common';
import type { EventStore } from '@lumbung/event-store';
import { AuthModule, EventStoreModule, GracefulShutdownModule, HealthModule, LoggingModule, MetricsModule, type LumbungConfig } from '@lumbung/platform';
import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import type { ReadModelChanges } from '@lumbung/read-model';
import { AsOfController } from './as-of/as-of.controller';
import { AuditController } from './audit/audit.controller';
import { ReadCacheModule } from './cache/read-cache.module';
import { BastController } from './audit/bast/bast.controller';
import { DashboardModule } from './dashboard/dashboard.module';
import { GapMatrixController } from './incidents/gap-matrix.controller';
import { ReadModelModule } from './infra/read-model.module';
import { LiveChangesModule } from './live/live-changes.module';
import { LiveModule } from './live/live.module';
import { PledgesController } from './pledges/pledges.controller';
import { ReadinessController } from './readiness/readiness.controller';
import { RequestsController } from './requests/requests.controller';
import { ShipmentsController } from './shipments/shipments.controller';
import { StockController } from './stock/stock.controller';

/**
 * The query and audit routes alone, under /query and /audit, so that they can be mounted in another
 * Nest app (the embedded process hosts them beside the command API). They need from the host:
 * EVENT_STORE and READ_MODEL (global providers: platform's EventStoreModule and
 * EmbeddedProjectionsModule, or this app's ReadModelModule), and AuthModule's global guard; they rely
 * on the host's validation pipe and error filter (createValidationPipe, HttpErrorFilter) as the
 * command API sets them.
 */
@Module({
  // Live: GET /events/stream (needs READ_MODEL_CHANGES from the host too); dashboard: GET /dashboard and /query/dashboard/*.
  imports: [LiveModule, DashboardModule, ReadCacheModule],
  controllers: [StockController, RequestsController, PledgesController, ShipmentsController, GapMatrixController, ReadinessController, AuditController, AsOfController, BastController],
})
export class QueryRoutesModule {}

export interface QueryApiOptions {
  /** an already open store (tests, a host process); else the config's, opened and closed here */
  store?: EventStore;
  /** an already initialised read-model DataSource; else opened beside the configured store (readModelOptionsFor) */
  readModel?: DataSource;
  /** the read models' change announcements (a host that runs the writer); else LISTEN (PostgreSQL) or polling beside readModel */
  changes?: ReadModelChanges;
  logDestination?: DestinationStream;
  shutdownGraceMs?: number;
}

/** The query API as its own app (distributed mode): logging, store, read models, auth, metrics, health, and the routes. */
@Module({})
export class QueryApiModule {
  static register(config: LumbungConfig, options: QueryApiOptions = {}): DynamicModule {
    return {
      module: QueryApiModule,
      imports: [
        LoggingModule.forRoot({ level: config.logLevel, service: 'query-api', destination: options.logDestination }),
        options.store ? EventStoreModule.forStore(options.store, { closeOnShutdown: false }) : EventStoreModule.forRoot(config),
        options.readModel ? ReadModelModule.forDataSource(options.readModel) : ReadModelModule.forRoot(config.store),
        LiveChangesModule.forReadModel(options.changes),
        AuthModule.forRoot({ secret: config.tokenSecret }),
        MetricsModule,
        HealthModule.forRoot(),
        GracefulShutdownModule.forRoot({ graceMs: options.shutdownGraceMs }),
        QueryRoutesModule,
      ],
    };
  }

  /** The routes only, for a host app that already provides EVENT_STORE, READ_MODEL and auth. */
  static routes(): typeof QueryRoutesModule {
    return QueryRoutesModule;
  }
}
