import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, ReasonDto, send, type CommandResultDto } from '../common';
import { CancelDispatchCommand, DepartDispatchCommand, MarkDispatchLostCommand, RecordReceiptCommand } from './dispatch-lifecycle.handlers';
import { DepartDispatchDto, PlanDispatchDto, RecordReceiptDto } from './dispatches.dto';
import { PlanDispatchCommand } from './plan-dispatch.handler';

@ApiTags('dispatches')
@Controller('dispatches')
export class DispatchesController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @CommandRoute('PlanDispatch', 'Plan a dispatch: reserve stock in one warehouse against an approved request (or pre-position between warehouses, or a member’s direct delivery)', 201)
  async plan(@Body() dto: PlanDispatchDto, @CommandCtx() ctx: CommandContext, @Res({ passthrough: true }) res: ServerResponse): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new PlanDispatchCommand(ctx, dto)));
  }

  @Post(':dispatchId/depart')
  @CommandRoute('DepartDispatch', 'The dispatch leaves (vehicle, driver, waybill): its stock is issued, equipment deployed')
  async depart(
    @Param('dispatchId', IdParamPipe) id: string,
    @Body() dto: DepartDispatchDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DepartDispatchCommand(ctx, dto, id)));
  }

  @Post(':dispatchId/cancel')
  @CommandRoute('CancelDispatch', 'Cancel a planned dispatch: its reservation and request claim are released')
  async cancel(
    @Param('dispatchId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new CancelDispatchCommand(ctx, dto, id)));
  }

  @Post(':dispatchId/lost')
  @CommandRoute('MarkDispatchLost', 'Report a dispatch in transit lost: the request need is outstanding again, equipment written off')
  async lost(
    @Param('dispatchId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new MarkDispatchLostCommand(ctx, dto, id)));
  }

  @Post(':dispatchId/receipt')
  @CommandRoute('RecordReceipt', 'Record the receipt (BAST) at the destination, per line received, damaged, short, over; closes the dispatch', 201)
  async receipt(
    @Param('dispatchId', IdParamPipe) id: string,
    @Body() dto: RecordReceiptDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new RecordReceiptCommand(ctx, dto, id)));
  }
}
