import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';

export const SHUTDOWN_OPTIONS = Symbol('SHUTDOWN_OPTIONS');

export interface ShutdownOptions {
  /** how long in-flight requests may take to finish once shutdown starts */
  graceMs: number;
}

/**
 * Nest shuts down in this order: beforeApplicationShutdown hooks, then the HTTP server closes (no new
 * connections; in-flight requests finish), then onApplicationShutdown hooks (the event store
 * closes). Connections are closed as soon as they are idle, and after the grace period whatever is
 * still open is cut: a client holding a connection must not keep the process alive.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private timer?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SHUTDOWN_OPTIONS) private readonly options: ShutdownOptions,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: no new requests, finishing those in flight`);
    if (!server || typeof server.closeAllConnections !== 'function') return;
    // server.close() drops the connections idle at that moment only; a keep-alive connection whose
    // request finishes afterwards would hold the close until the client's keep-alive runs out.
    this.sweeper = setInterval(() => server.closeIdleConnections(), 50);
    this.sweeper.unref();
    this.timer = setTimeout(() => {
      this.logger.warn(`requests still open after ${this.options.graceMs} ms: closing their connections`);
      server.closeAllConnections();
    }, this.options.graceMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    clearInterval(this.sweeper);
  }
}

@Module({})
export class GracefulShutdownModule {
  static forRoot(options: Partial<ShutdownOptions> = {}): DynamicModule {
    return {
      module: GracefulShutdownModule,
      providers: [{ provide: SHUTDOWN_OPTIONS, useValue: { graceMs: options.graceMs ?? 10_000 } }, GracefulShutdown],
    };
  }
}
