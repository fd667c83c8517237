import { Body, Controller, Param, Patch, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, ReasonDto, send, type CommandResultDto } from '../common';
import { DeactivateMemberCommand, RegisterMemberCommand, UpdateMemberCommand } from './members.commands';
import { RegisterMemberDto, UpdateMemberDto } from './members.dto';

@ApiTags('members')
@Controller('members')
export class MembersController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @CommandRoute('RegisterMember', 'Register a member organisation of the cluster (government, business, community)', 201)
  async register(@Body() dto: RegisterMemberDto, @CommandCtx() ctx: CommandContext, @Res({ passthrough: true }) res: ServerResponse): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new RegisterMemberCommand(ctx, dto)));
  }

  @Patch(':memberId')
  @CommandRoute('UpdateMember', 'Change a member organisation')
  async update(
    @Param('memberId', IdParamPipe) id: string,
    @Body() dto: UpdateMemberDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new UpdateMemberCommand(ctx, dto, id)));
  }

  @Post(':memberId/deactivate')
  @CommandRoute('DeactivateMember', 'Deactivate a member organisation (with a reason)')
  async deactivate(
    @Param('memberId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeactivateMemberCommand(ctx, dto, id)));
  }
}
