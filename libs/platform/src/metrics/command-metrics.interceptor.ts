import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, tap } from 'rxjs';
import { mapError } from '../http/error-mapping';
import { COMMAND_NAME_KEY } from './command-endpoint.decorator';
import { MetricsService } from './metrics.service';

/**
 * Counts and times routes marked @CommandEndpoint. The outcome comes from the same mapping the error
 * responses use, so that "refused" (the state said no, 409) and "conflict" (lost races, 409 too) stay
 * apart although they share a status.
 */
@Injectable()
export class CommandMetricsInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly metrics: MetricsService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const command = this.reflector.get<string | undefined>(COMMAND_NAME_KEY, context.getHandler());
    if (!command || context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const started = process.hrtime.bigint();
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    return next.handle().pipe(
      tap({
        complete: () => this.metrics.recordCommand(command, 'ok', seconds()),
        error: (err: unknown) => this.metrics.recordCommand(command, mapError(err, req).outcome, seconds()),
      }),
    );
  }
}
