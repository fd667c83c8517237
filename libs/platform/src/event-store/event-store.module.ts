import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@lumbung/event-store';
import type { LumbungConfig } from '../config';
import { describeStore } from '../config';
import { EVENT_STORE } from './event-store.tokens';
import { openEventStore } from './open-event-store';

/**
 * Closes the store after the HTTP server has stopped and drained (Nest disposes the server before it
 * calls onApplicationShutdown), so in-flight commands finish their appends first.
 */
@Injectable()
export class EventStoreCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('EventStore');

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    this.logger.log('event store closed');
  }
}

@Global()
@Module({})
export class EventStoreModule {
  /** Opens the store the configuration names, and closes it when the application shuts down. */
  static forRoot(config: Pick<LumbungConfig, 'store'>): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: async (): Promise<EventStore> => {
            const logger = new Logger('EventStore');
            let store: EventStore;
            try {
              store = await openEventStore(config.store, { onError: (err) => logger.warn({ err }, 'event store recovered from an error') });
            } catch (e) {
              // Name the store (without credentials): "ECONNREFUSED" alone does not say which setting to fix.
              throw new Error(`cannot open the event store ${describeStore(config.store)}: ${(e as Error).message}`, { cause: e });
            }
            logger.log(`opened ${describeStore(config.store)}`);
            return store;
          },
        },
        EventStoreCloser,
      ],
      exports: [EVENT_STORE],
    };
  }

  /**
   * An already opened store (the embedded mode shares one between apps; tests pass their own).
   * `closeOnShutdown` false leaves closing to whoever opened it.
   */
  static forStore(store: EventStore, options: { closeOnShutdown?: boolean } = {}): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [{ provide: EVENT_STORE, useValue: store }, ...(options.closeOnShutdown === false ? [] : [EventStoreCloser])],
      exports: [EVENT_STORE],
    };
  }
}
