import { dirname, join } from 'node:path';
import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@lumbung/event-store';
import { InProcessReadModelChanges, openReadModel, ReadModelWriter, type ReadModelChanges, type ReadModelDataSourceOptions } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';
import type { StoreConfig } from '../config';
import { EVENT_STORE } from '../event-store/event-store.tokens';
import { StoreProjector } from './store-projector';

export const READ_MODEL = Symbol('READ_MODEL');
export const STORE_PROJECTOR = Symbol('STORE_PROJECTOR');
/**
 * The read models' change announcements (libs/read-model changes.ts) that the query routes' event
 * stream follows: in-process here (the writer runs in this process), LISTEN in a distributed query API.
 */
export const READ_MODEL_CHANGES = Symbol('READ_MODEL_CHANGES');

/**
 * Where the read models live: in the event store's PostgreSQL schema, or, with SQLite, in a file beside the
 * events (`read-models.db`). Not in the events' own file: the event store and TypeORM hold two connections
 * in one process, and better-sqlite3 waits for a lock synchronously, so an append arriving while a
 * projection transaction is open would block the event loop that transaction needs to finish.
 */
export function readModelOptionsFor(store: StoreConfig): ReadModelDataSourceOptions {
  switch (store.kind) {
    case 'sqlite':
      return { type: 'better-sqlite3', file: join(dirname(store.file), 'read-models.db') };
    case 'postgres':
      return { type: 'postgres', url: store.url, schema: store.schema };
    default:
      throw new Error(`embedded projections need a sqlite or postgres store, not ${store.kind}`);
  }
}

@Injectable()
class EmbeddedProjectionsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Projections');

  constructor(
    @Inject(STORE_PROJECTOR) private readonly projector: StoreProjector,
    @Inject(READ_MODEL) private readonly ds: DataSource,
    @Inject(READ_MODEL_CHANGES) private readonly changes: ReadModelChanges,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
    this.log.log(`in-process projections following the event store from position ${this.projector.position}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector.stop();
    await this.changes.close();
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

/**
 * Embedded mode (DESIGN.md): the projections run in the same process from the store's own subscription,
 * with read models in the same database, through the same ReadModelWriter the Kafka projector uses.
 */
@Module({})
export class EmbeddedProjectionsModule {
  static forRoot(store: StoreConfig): DynamicModule {
    return {
      module: EmbeddedProjectionsModule,
      global: true,
      providers: [
        { provide: READ_MODEL, useFactory: () => openReadModel(readModelOptionsFor(store)) },
        {
          provide: READ_MODEL_CHANGES,
          useFactory: () => {
            const log = new Logger('ReadModelChanges');
            return new InProcessReadModelChanges((err) => log.warn(`a read-model change listener failed: ${err.message}`));
          },
        },
        {
          provide: STORE_PROJECTOR,
          inject: [EVENT_STORE, READ_MODEL, READ_MODEL_CHANGES],
          useFactory: (events: EventStore, ds: DataSource, changes: ReadModelChanges) => {
            const log = new Logger('Projections');
            return new StoreProjector(events, new ReadModelWriter(ds, { changes }), { onError: (err) => log.error(`projection batch failed, resuming from the checkpoint: ${err.message}`) });
          },
        },
        EmbeddedProjectionsLifecycle,
      ],
      exports: [READ_MODEL, STORE_PROJECTOR, READ_MODEL_CHANGES],
    };
  }
}
