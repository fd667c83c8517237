import { Controller, Post, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EventEmitter } from 'node:events';
import { DomainError } from '@lumbung/domain/shared/domain-error';
import { mapError, noteOutcome } from '../http/error-mapping';
import { CommandEndpoint } from './command-endpoint.decorator';
import { CommandMetricsGuard } from './command-metrics.guard';
import { MetricsService } from './metrics.service';

@Controller()
class Routes {
  @Post() @CommandEndpoint('RegisterItem') command(): void {}
  @Post() other(): void {}
}

type FakeResponse = EventEmitter & { statusCode: number };

function call(handler: keyof Routes): { ctx: ExecutionContext; res: FakeResponse } {
  const res = Object.assign(new EventEmitter(), { statusCode: 200 });
  const ctx = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { ctx, res };
}

async function counts(metrics: MetricsService): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.commandsTotal.get()).values) out[`${v.labels.command}/${v.labels.outcome}`] = v.value;
  const durations = (await metrics.commandDuration.get()).values.find((v) => v.metricName === 'lumbung_command_duration_seconds_count');
  out.timed = durations?.value ?? 0;
  return out;
}

describe('CommandMetricsGuard', () => {
  it('counts and times a command once, when its response is done, with the outcome its error was mapped to', async () => {
    const metrics = new MetricsService();
    const guard = new CommandMetricsGuard(new Reflector(), metrics);

    const ok = call('command');
    expect(guard.canActivate(ok.ctx)).toBe(true);
    expect(await counts(metrics)).toEqual({ timed: 0 });
    ok.res.emit('finish');
    ok.res.emit('close');

    const refused = call('command');
    guard.canActivate(refused.ctx);
    // What HttpErrorFilter does when the handler threw: a 409 that is a refusal, not a lost race.
    noteOutcome(refused.res, mapError(DomainError.rule('insufficient-stock', 'requested 5, available 1')).outcome);
    refused.res.statusCode = 409;
    refused.res.emit('finish');

    const gone = call('command');
    guard.canActivate(gone.ctx);
    gone.res.emit('close');

    expect(await counts(metrics)).toEqual({ 'RegisterItem/ok': 2, 'RegisterItem/refused': 1, timed: 3 });
  });

  it('lets other routes through untouched', async () => {
    const metrics = new MetricsService();
    const other = call('other');
    expect(new CommandMetricsGuard(new Reflector(), metrics).canActivate(other.ctx)).toBe(true);
    expect(other.res.listenerCount('finish')).toBe(0);
    other.res.emit('finish');
    expect(await counts(metrics)).toEqual({ timed: 0 });
  });
});
