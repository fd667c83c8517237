import { Body, Controller, Param, Patch, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, ReasonDto, send, type CommandResultDto } from '../common';
import { DeactivateItemCommand, RegisterItemCommand, UpdateItemCommand } from './items.commands';
import { RegisterItemDto, UpdateItemDto } from './items.dto';

@ApiTags('items')
@Controller('items')
export class ItemsController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @CommandRoute('RegisterItem', 'Register an item of the relief catalogue', 201)
  async register(@Body() dto: RegisterItemDto, @CommandCtx() ctx: CommandContext, @Res({ passthrough: true }) res: ServerResponse): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new RegisterItemCommand(ctx, dto)));
  }

  @Patch(':itemId')
  @CommandRoute('UpdateItem', 'Change an item (name, unit, category, pack size)')
  async update(
    @Param('itemId', IdParamPipe) id: string,
    @Body() dto: UpdateItemDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new UpdateItemCommand(ctx, dto, id)));
  }

  @Post(':itemId/deactivate')
  @CommandRoute('DeactivateItem', 'Take an item out of the catalogue (with a reason)')
  async deactivate(
    @Param('itemId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeactivateItemCommand(ctx, dto, id)));
  }
}
