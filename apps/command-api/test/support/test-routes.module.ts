/**
 * Test-only routes (never registered in production code): they exercise the platform the way the
 * aggregate controllers will (roles, validation, a command through handleCommand with idempotency,
 * If-Match and ETag, domain refusals, a failure) without depending on the domain being written.
 */
import { Body, Controller, Get, HttpCode, Inject, Logger, Module, Param, Post, Res } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsIn, IsInt, IsOptional, IsPositive, IsString, MaxLength, ValidateNested } from 'class-validator';
import type { ServerResponse } from 'node:http';
import { handleCommand, type Decider, type EventStore } from '@lumbung/event-store';
import { DomainError } from '@lumbung/domain/shared/domain-error';
import {
  assertSameRequest,
  commandMetadata,
  CommandCtx,
  CommandEndpoint,
  CurrentPrincipal,
  EVENT_STORE,
  IDEMPOTENT_REPLAY_HEADER,
  ifMatchRevision,
  Roles,
  setEtag,
  type CommandContext,
  type Principal,
} from '@lumbung/platform';

export class TestLineDto {
  @IsString() @MaxLength(50) item!: string;
  @IsInt({ message: 'must be a positive integer' }) @IsPositive({ message: 'must be a positive integer' }) quantity!: number;
}

export class TestRequestDto {
  @IsIn(['life-saving', 'urgent', 'normal']) priority!: string;
  @ValidateNested({ each: true }) @Type(() => TestLineDto) @ArrayMinSize(1) lines!: TestLineDto[];
}

export class IncrementDto {
  @IsInt({ message: 'must be a positive integer' }) @IsPositive({ message: 'must be a positive integer' }) by!: number;
  @IsOptional() @IsInt() delayMs?: number;
}

type CounterEvent = { type: 'CounterIncremented'; data: { by: number } };
interface Counter {
  value: number;
}
export const COUNTER_LIMIT = 10;

/** A tiny decider with one rule, so that the refusal path is a real domain refusal. */
export const counterDecider: Decider<{ by: number }, Counter, CounterEvent> = {
  initialState: { value: 0 },
  evolve: (s, e) => ({ value: s.value + e.data.by }),
  decide: (c, s) => {
    if (s.value + c.by > COUNTER_LIMIT) {
      throw DomainError.rule('counter-limit', `requested ${c.by}, available ${COUNTER_LIMIT - s.value}`, { requested: c.by, available: COUNTER_LIMIT - s.value });
    }
    return [{ type: 'CounterIncremented', data: { by: c.by } }];
  },
};

@Controller('test')
export class TestRoutesController {
  private readonly logger = new Logger('TestRoutes');

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('eoc-only')
  @Roles('eoc')
  eocOnly(@CurrentPrincipal() principal: Principal): Principal {
    this.logger.log('eoc-only route reached');
    return principal;
  }

  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: TestRequestDto): TestRequestDto {
    return body;
  }

  @Post('counters/:id')
  @HttpCode(200)
  @Roles('eoc', 'warehouse')
  @CommandEndpoint('IncrementCounter')
  async increment(
    @Param('id') id: string,
    @Body() body: IncrementDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<{ value: number; revision: number; replayed: boolean; commandId: string }> {
    const streamId = `counter-${id}`;
    const expectedRevision = ifMatchRevision(ctx, streamId);
    if (body.delayMs) await new Promise((r) => setTimeout(r, body.delayMs));
    const result = await handleCommand(
      this.store,
      streamId,
      counterDecider,
      { commandId: ctx.commandId, command: { by: body.by }, metadata: commandMetadata(ctx, { reason: 'test' }) },
      { expectedRevision },
    );
    const replayed = assertSameRequest(result, ctx.requestHash);
    if (replayed) res.setHeader(IDEMPOTENT_REPLAY_HEADER, 'true');
    setEtag(res, streamId, result.revision);
    this.logger.log(`counter ${id} at revision ${result.revision}`);
    return { value: result.state.value, revision: result.revision, replayed, commandId: ctx.commandId };
  }

  @Get('boom')
  @Roles('eoc')
  boom(): never {
    throw new Error('secret internals: connection to 10.1.2.3:5432 refused');
  }
}

@Module({ controllers: [TestRoutesController] })
export class TestRoutesModule {}
