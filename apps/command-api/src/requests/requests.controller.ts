import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, ReasonDto, send, type CommandResultDto } from '../common';
import { ApproveRequestCommand, CancelRequestCommand, CloseRequestCommand, RejectRequestCommand, SubmitRequestCommand } from './requests.commands';
import { ApproveRequestDto, CloseRequestDto, SubmitRequestDto } from './requests.dto';

@ApiTags('requests')
@Controller('requests')
export class RequestsController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @CommandRoute('SubmitRequest', 'Submit a request (permintaan) from a site: items, quantities, priority, needed-by', 201)
  async submit(@Body() dto: SubmitRequestDto, @CommandCtx() ctx: CommandContext, @Res({ passthrough: true }) res: ServerResponse): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new SubmitRequestCommand(ctx, dto)));
  }

  @Post(':requestId/approve')
  @CommandRoute('ApproveRequest', 'Approve a request, possibly reducing lines (each with a reason)')
  async approve(
    @Param('requestId', IdParamPipe) id: string,
    @Body() dto: ApproveRequestDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new ApproveRequestCommand(ctx, dto, id)));
  }

  @Post(':requestId/reject')
  @CommandRoute('RejectRequest', 'Reject a request (with a reason)')
  async reject(
    @Param('requestId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new RejectRequestCommand(ctx, dto, id)));
  }

  @Post(':requestId/cancel')
  @CommandRoute('CancelRequest', 'Withdraw a request nothing was dispatched for (with a reason)')
  async cancel(
    @Param('requestId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new CancelRequestCommand(ctx, dto, id)));
  }

  @Post(':requestId/close')
  @CommandRoute('CloseRequest', 'Close an approved request (how far it was served is recorded)')
  async close(
    @Param('requestId', IdParamPipe) id: string,
    @Body() dto: CloseRequestDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new CloseRequestCommand(ctx, dto, id)));
  }
}
