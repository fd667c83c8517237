import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { CommandCtx, type CommandContext } from '@lumbung/platform';
import { CommandRoute, IdParamPipe, send, type CommandResultDto } from '../common';
import { AdjustStockCommand, CountStockCommand, ReceiveStockCommand, ReturnEquipmentCommand, TransferStockOutCommand, WriteOffEquipmentCommand } from './stock.commands';
import { AdjustStockDto, CountStockDto, ReceiveStockDto, ReturnEquipmentDto, TransferStockOutDto, WriteOffEquipmentDto } from './stock.dto';

/** The stock of one warehouse: one stream (stock-<warehouseId>) owns all its counts. */
@ApiTags('stock')
@Controller('warehouses/:warehouseId/stock')
export class StockController {
  constructor(private readonly bus: CommandBus) {}

  @Post('receipts')
  @CommandRoute('ReceiveStock', 'Receive goods into the warehouse (from a pledge, a procurement or a transfer); a pledge delivery is recorded against the pledge', 201)
  async receive(
    @Param('warehouseId', IdParamPipe) warehouseId: string,
    @Body() dto: ReceiveStockDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new ReceiveStockCommand(ctx, dto, warehouseId)));
  }

  @Post('adjustments')
  @CommandRoute('AdjustStock', 'Adjust stock: damaged, lost, expired or found (with what happened)', 201)
  async adjust(
    @Param('warehouseId', IdParamPipe) warehouseId: string,
    @Body() dto: AdjustStockDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new AdjustStockCommand(ctx, dto, warehouseId)));
  }

  @Post('counts')
  @CommandRoute('CountStock', 'Record a physical count (stock opname): each difference becomes an adjustment', 201)
  async count(
    @Param('warehouseId', IdParamPipe) warehouseId: string,
    @Body() dto: CountStockDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new CountStockCommand(ctx, dto, warehouseId)));
  }

  @Post('transfers')
  @CommandRoute('TransferStockOut', 'Send stock to another warehouse (it is received there with source transfer)', 201)
  async transfer(
    @Param('warehouseId', IdParamPipe) warehouseId: string,
    @Body() dto: TransferStockOutDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new TransferStockOutCommand(ctx, dto, warehouseId)));
  }

  @Post('returns')
  @CommandRoute('ReturnEquipment', 'Equipment back from a deployment, serviceable', 201)
  async returned(
    @Param('warehouseId', IdParamPipe) warehouseId: string,
    @Body() dto: ReturnEquipmentDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new ReturnEquipmentCommand(ctx, dto, warehouseId)));
  }

  @Post('write-offs')
  @CommandRoute('WriteOffDeployedEquipment', 'Write off deployed equipment that was lost or damaged', 201)
  async writeOff(
    @Param('warehouseId', IdParamPipe) warehouseId: string,
    @Body() dto: WriteOffEquipmentDto,
    @CommandCtx() ctx: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandResultDto> {
    return send(res, await this.bus.execute(new WriteOffEquipmentCommand(ctx, dto, warehouseId)));
  }
}
