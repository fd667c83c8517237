import { Module, type DynamicModule, type ForwardReference, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '@lumbung/event-store';
import {
  AuthModule,
  EmbeddedProjectionsModule,
  EventStoreModule,
  GracefulShutdownModule,
  HealthModule,
  LoggingModule,
  MetricsModule,
  type LumbungConfig,
} from '@lumbung/platform';
import type { DestinationStream } from 'pino';
import { CapacityModule } from './capacity/capacity.module';
import { CommandSupportModule } from './common/command-support.module';
import { DispatchesModule } from './dispatches/dispatches.module';
import { IncidentsModule } from './incidents/incidents.module';
import { ItemsModule } from './items/items.module';
import { MembersModule } from './members/members.module';
import { OperationsPlansModule } from './operations-plans/operations-plans.module';
import { PledgesModule } from './pledges/pledges.module';
import { RequestsModule } from './requests/requests.module';
import { SitesModule } from './sites/sites.module';
import { StockModule } from './stock/stock.module';
import { WarehousesModule } from './warehouses/warehouses.module';

type ModuleRef = Type<unknown> | DynamicModule | Promise<DynamicModule> | ForwardReference;

// ─────────────────────────────────────────────────────────────────────────────────────────────
// AGGREGATE MODULES: register each aggregate's module here (controllers, DTOs and command
// handlers in apps/command-api/src/<aggregate>/), e.g. `RequestModule`, `DispatchModule`.
// ─────────────────────────────────────────────────────────────────────────────────────────────
export const AGGREGATE_MODULES: ModuleRef[] = [
  CommandSupportModule,
  ItemsModule,
  MembersModule,
  WarehousesModule,
  SitesModule,
  IncidentsModule,
  CapacityModule,
  OperationsPlansModule,
  RequestsModule,
  PledgesModule,
  StockModule,
  DispatchesModule,
];

export interface CommandApiOptions {
  /** an already open store (embedded mode shares one, tests bring their own); else the config's */
  store?: EventStore;
  /** with `store`: close it when the app shuts down (default false: whoever opened it closes it) */
  closeStore?: boolean;
  /** where JSON log lines go (default stdout) */
  logDestination?: DestinationStream;
  /** more modules (tests register test-only routes this way) */
  extraModules?: ModuleRef[];
  /** listen to SIGTERM/SIGINT (default true; off for apps started inside tests) */
  shutdownHooks?: boolean;
  /** how long in-flight requests may take to finish on shutdown (default 10 s) */
  shutdownGraceMs?: number;
  /** run the projections in this process from the store's subscription (embedded mode; main.ts turns it on) */
  projections?: boolean;
}

@Module({})
export class AppModule {
  static register(config: LumbungConfig, options: CommandApiOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot({ level: config.logLevel, service: 'command-api', destination: options.logDestination }),
        options.store ? EventStoreModule.forStore(options.store, { closeOnShutdown: options.closeStore ?? false }) : EventStoreModule.forRoot(config),
        AuthModule.forRoot({ secret: config.tokenSecret }),
        MetricsModule,
        HealthModule.forRoot(),
        GracefulShutdownModule.forRoot({ graceMs: options.shutdownGraceMs }),
        CqrsModule.forRoot(),
        ...AGGREGATE_MODULES,
        ...(options.projections ? [EmbeddedProjectionsModule.forRoot(config.store)] : []),
        ...(options.extraModules ?? []),
      ],
    };
  }
}
