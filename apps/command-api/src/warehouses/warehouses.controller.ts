import { Body, Controller, Param, Patch, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, ReasonDto, send, type CommandResultDto } from '../common';
import { DeactivateWarehouseCommand, RegisterWarehouseCommand, UpdateWarehouseCommand } from './warehouses.commands';
import { RegisterWarehouseDto, UpdateWarehouseDto } from './warehouses.dto';

@ApiTags('warehouses')
@Controller('warehouses')
export class WarehousesController {
  constructor(private readonly bus: CommandBus) {}

  @Post()
  @CommandRoute('RegisterWarehouse', 'Register a warehouse (gudang) owned by a member', 201)
  async register(@Body() dto: RegisterWarehouseDto, @CommandCtx() ctx: CommandContext, @Res({ passthrough: true }) res: ServerResponse): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new RegisterWarehouseCommand(ctx, dto)));
  }

  @Patch(':warehouseId')
  @CommandRoute('UpdateWarehouse', 'Change a warehouse (a member only its own, without handing it over)')
  async update(
    @Param('warehouseId', IdParamPipe) id: string,
    @Body() dto: UpdateWarehouseDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new UpdateWarehouseCommand(ctx, dto, id)));
  }

  @Post(':warehouseId/deactivate')
  @CommandRoute('DeactivateWarehouse', 'Deactivate a warehouse (with a reason)')
  async deactivate(
    @Param('warehouseId', IdParamPipe) id: string,
    @Body() dto: ReasonDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeactivateWarehouseCommand(ctx, dto, id)));
  }
}
