import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, OptionalNoteDto, ReasonDto, send, type CommandResultDto } from '../common';
import { AcceptPledgeCommand, DeclinePledgeCommand, LapsePledgeCommand, OfferPledgeCommand, WithdrawPledgeCommand } from './pledges.commands';
import { AcceptPledgeDto, OfferPledgeDto } from './pledges.dto';

@ApiTags('pledges')
@Controller('pledges')
export class PledgesController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @CommandRoute('OfferPledge', 'Offer a pledge (janji bantuan) for an incident or a request', 201)
  async offer(@Body() dto: OfferPledgeDto, @CommandCtx() ctx: CommandContext, @Res({ passthrough: true }) res: ServerResponse): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new OfferPledgeCommand(ctx, dto)));
  }

  @Post(':pledgeId/accept')
  @CommandRoute('AcceptPledge', 'Accept a pledge')
  async accept(
    @Param('pledgeId', IdParamPipe) id: string,
    @Body() dto: AcceptPledgeDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new AcceptPledgeCommand(ctx, dto, id)));
  }

  @Post(':pledgeId/decline')
  @CommandRoute('DeclinePledge', 'Decline a pledge (with a reason)')
  async decline(
    @Param('pledgeId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeclinePledgeCommand(ctx, dto, id)));
  }

  @Post(':pledgeId/withdraw')
  @CommandRoute('WithdrawPledge', 'Withdraw a pledge (the pledging member, with a reason); what was delivered stays delivered')
  async withdraw(
    @Param('pledgeId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new WithdrawPledgeCommand(ctx, dto, id)));
  }

  @Post(':pledgeId/lapse')
  @CommandRoute('LapsePledge', "Record that a pledge lapsed: its expected delivery date passed with quantities outstanding (EOC; refused before that date)")
  async lapse(
    @Param('pledgeId', IdParamPipe) id: string,
    @Body() dto: OptionalNoteDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new LapsePledgeCommand(ctx, dto, id)));
  }
}
