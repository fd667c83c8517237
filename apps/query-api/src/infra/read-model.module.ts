import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { READ_MODEL, readModelOptionsFor, type StoreConfig } from '@lumbung/platform';
import { openReadModel } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';

const OWNS_READ_MODEL = Symbol('OWNS_READ_MODEL');

/** Closes the read-model DataSource this module opened (one handed in is closed by whoever opened it). */
@Injectable()
class ReadModelCloser implements OnApplicationShutdown {
  constructor(
    @Inject(READ_MODEL) private readonly ds: DataSource,
    @Inject(OWNS_READ_MODEL) private readonly owns: boolean,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.owns && this.ds.isInitialized) await this.ds.destroy();
  }
}

/**
 * The read models under the platform's READ_MODEL token, the same token embedded mode's
 * EmbeddedProjectionsModule provides: the query routes read through it whichever process hosts them.
 */
@Global()
@Module({})
export class ReadModelModule {
  /** Opens (and migrates) the read models beside the configured store; closes them on shutdown. */
  static forRoot(store: StoreConfig): DynamicModule {
    return {
      module: ReadModelModule,
      providers: [
        {
          provide: READ_MODEL,
          useFactory: async () => {
            const ds = await openReadModel(readModelOptionsFor(store));
            new Logger('ReadModel').log(`read models open (${ds.options.type})`);
            return ds;
          },
        },
        { provide: OWNS_READ_MODEL, useValue: true },
        ReadModelCloser,
      ],
      exports: [READ_MODEL],
    };
  }

  /** An already initialised DataSource (tests, a host that opened it). */
  static forDataSource(ds: DataSource): DynamicModule {
    return {
      module: ReadModelModule,
      providers: [{ provide: READ_MODEL, useValue: ds }, { provide: OWNS_READ_MODEL, useValue: false }, ReadModelCloser],
      exports: [READ_MODEL],
    };
  }
}
