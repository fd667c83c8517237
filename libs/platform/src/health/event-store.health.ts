import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { EventStore } from '@lumbung/event-store';
import { EVENT_STORE } from '../event-store/event-store.tokens';

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthOptions {
  /** how long the store may take to answer before the instance counts as not ready */
  readinessTimeoutMs: number;
}

/** Ready when the store answers headPosition() in time: it is reachable and its schema is there. */
@Injectable()
export class EventStoreHealthIndicator {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'eventStore'): Promise<HealthIndicatorResult> {
    const session = this.indicators.check(key);
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.options.readinessTimeoutMs} ms`)), this.options.readinessTimeoutMs);
      });
      const headPosition = await Promise.race([this.store.headPosition(), timeout]);
      return session.up({ headPosition, latencyMs: Date.now() - started });
    } catch (e) {
      return session.down({ message: (e as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
