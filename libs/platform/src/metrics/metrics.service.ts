import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { CommandOutcome } from '../http/error-mapping';

/** Command latencies: a few ms on SQLite, tens on PostgreSQL under load; seconds are a problem. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * One registry per application instead of prom-client's global one, so that several apps in one
 * process (the embedded mode, tests) do not register the same metric twice.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly commandsTotal: Counter<'command' | 'outcome'>;
  readonly commandDuration: Histogram<'command'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.commandsTotal = new Counter({
      name: 'lumbung_commands_total',
      help: 'Commands handled, by command type and outcome (ok, refused, invalid, conflict, error)',
      labelNames: ['command', 'outcome'],
      registers: [this.registry],
    });
    this.commandDuration = new Histogram({
      name: 'lumbung_command_duration_seconds',
      help: 'Time to handle a command over HTTP, from after authentication to the response',
      labelNames: ['command'],
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
  }

  recordCommand(command: string, outcome: CommandOutcome, seconds: number): void {
    this.commandsTotal.inc({ command, outcome });
    this.commandDuration.observe({ command }, seconds);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
