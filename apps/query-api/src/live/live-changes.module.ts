import { Global, Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { READ_MODEL, READ_MODEL_CHANGES } from '@lumbung/platform';
import { readModelChangesFor, type ReadModelChanges } from '@lumbung/read-model';
import type { DataSource } from 'typeorm';

const OWNS_CHANGES = Symbol('OWNS_CHANGES');

/**
 * Closes the listener this module opened before the HTTP server and the read models close: its
 * connection is held out of the read models' pool, which would otherwise wait for it.
 */
@Injectable()
class ChangesCloser implements BeforeApplicationShutdown {
  constructor(
    @Inject(READ_MODEL_CHANGES) private readonly changes: ReadModelChanges,
    @Inject(OWNS_CHANGES) private readonly owns: boolean,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    if (this.owns) await this.changes.close();
  }
}

/**
 * READ_MODEL_CHANGES for the query API in its own process (distributed mode): the writer is the
 * projector, elsewhere, so changes arrive by LISTEN on PostgreSQL (polling the checkpoints on SQLite).
 * Nothing is opened until the first event stream subscribes.
 */
@Global()
@Module({})
export class LiveChangesModule {
  static forReadModel(handed?: ReadModelChanges): DynamicModule {
    return {
      module: LiveChangesModule,
      providers: [
        {
          provide: READ_MODEL_CHANGES,
          inject: [READ_MODEL],
          useFactory: (ds: DataSource) => {
            if (handed) return handed;
            const log = new Logger('ReadModelChanges');
            return readModelChangesFor(ds, { log: (level, message) => (level === 'warn' ? log.warn(message) : log.log(message)) });
          },
        },
        { provide: OWNS_CHANGES, useValue: !handed },
        ChangesCloser,
      ],
      exports: [READ_MODEL_CHANGES],
    };
  }
}
