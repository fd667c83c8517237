import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, send, type CommandResultDto } from '../common';
import { DeclareEquipmentCommand, DeclarePeopleCommand, DeclareVehiclesCommand, DeclareWarehouseCapacityCommand } from './capacity.commands';
import { DeclareEquipmentDto, DeclarePeopleDto, DeclareVehiclesDto, DeclareWarehouseCapacityDto } from './capacity.dto';

/** A declaration replaces the member's previous one for the same warehouse, vehicle type or equipment kind and condition. */
@ApiTags('capacity register')
@Controller('members/:memberId/capacity')
export class CapacityController {
  constructor(private readonly bus: CommandBus) {}

  @Post('warehouses')
  @CommandRoute('DeclareWarehouseCapacity', "Declare the capacity of one of the member's warehouses")
  async warehouses(
    @Param('memberId', IdParamPipe) memberId: string,
    @Body() dto: DeclareWarehouseCapacityDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeclareWarehouseCapacityCommand(ctx, dto, memberId)));
  }

  @Post('vehicles')
  @CommandRoute('DeclareVehicles', 'Declare the vehicles of one type the member can field')
  async vehicles(
    @Param('memberId', IdParamPipe) memberId: string,
    @Body() dto: DeclareVehiclesDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeclareVehiclesCommand(ctx, dto, memberId)));
  }

  @Post('equipment')
  @CommandRoute('DeclareEquipment', 'Declare equipment (boats, generators, pumps, tents) by kind and condition')
  async equipment(
    @Param('memberId', IdParamPipe) memberId: string,
    @Body() dto: DeclareEquipmentDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeclareEquipmentCommand(ctx, dto, memberId)));
  }

  @Post('people')
  @CommandRoute('DeclarePeople', 'Declare the people the member can field, with their skills')
  async people(
    @Param('memberId', IdParamPipe) memberId: string,
    @Body() dto: DeclarePeopleDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new DeclarePeopleCommand(ctx, dto, memberId)));
  }
}
