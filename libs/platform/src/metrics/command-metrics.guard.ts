import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { outcomeOfResponse } from '../http/error-mapping';
import { MetricsService } from './metrics.service';

/** The route metadata naming a route's command (set by @CommandEndpoint). */
export const COMMAND_NAME_KEY = 'lumbung:command';

/**
 * Counts and times the routes marked @CommandEndpoint (which binds it to them), from after
 * authentication (it runs after the global AuthGuard) until the response is done. The outcome is the
 * one the error response was mapped to (HttpErrorFilter notes it on the response), so that "refused"
 * (the state said no, 409) and "conflict" (lost races, 409 too) stay apart although they share a
 * status; `ok` when no error answered. A request whose client went away before its answer is counted
 * when the connection closes, with what was known then.
 *
 * A guard and the response's own events rather than an interceptor: any interceptor makes Nest run
 * the route through rxjs and two AsyncResource bindings per request (~5% of a command's CPU).
 */
@Injectable()
export class CommandMetricsGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly metrics: MetricsService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const command = this.reflector.get<string | undefined>(COMMAND_NAME_KEY, context.getHandler());
    if (!command || context.getType() !== 'http') return true;
    const res = context.switchToHttp().getResponse<ServerResponse>();
    const started = process.hrtime.bigint();
    const done = (): void => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      this.metrics.recordCommand(command, outcomeOfResponse(res), Number(process.hrtime.bigint() - started) / 1e9);
    };
    res.on('finish', done);
    res.on('close', done);
    return true;
  }
}
