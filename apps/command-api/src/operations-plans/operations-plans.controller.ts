import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, send, type CommandResultDto } from '../common';
import { ActivateOperationsPlanCommand, DraftOperationsPlanCommand, ReviseOperationsPlanCommand } from './operations-plans.commands';
import { ActivateOperationsPlanDto, DraftOperationsPlanDto, ReviseOperationsPlanDto } from './operations-plans.dto';

@ApiTags('operations plans')
@Controller('operations-plans')
export class OperationsPlansController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @CommandRoute('DraftOperationsPlan', 'Draft a logistics operations plan: pre-positioning targets for a hazard in a district', 201)
  async draft(@Body() dto: DraftOperationsPlanDto, @CommandCtx() ctx: CommandContext, @Res({ passthrough: true }) res: ServerResponse): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DraftOperationsPlanCommand(ctx, dto)));
  }

  @Post(':planId/revisions')
  @CommandRoute('ReviseOperationsPlan', 'Revise the targets (a new version, with a reason)', 201)
  async revise(
    @Param('planId', IdParamPipe) id: string,
    @Body() dto: ReviseOperationsPlanDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new ReviseOperationsPlanCommand(ctx, dto, id)));
  }

  @Post(':planId/activate')
  @CommandRoute('ActivateOperationsPlan', 'Activate the current version of the plan for an incident of its hazard and district')
  async activate(
    @Param('planId', IdParamPipe) id: string,
    @Body() dto: ActivateOperationsPlanDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new ActivateOperationsPlanCommand(ctx, dto, id)));
  }
}
