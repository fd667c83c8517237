import { Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { cmGet, DomainError, streamIds, type DomainCommandType, type StockSource } from '@lumbung/domain';
import { ifMatchRevision, type CommandContext } from '@lumbung/platform';
import {
  answer,
  ApiCommand,
  authorizeCommand,
  CommandRunner,
  idFor,
  incidentExtra,
  References,
  warehouseTarget,
  type CommandAnswer,
  type CommandOf,
  type StateOf,
  type StepOptions,
} from '../common';
import { pledgeCorrelation } from '../pledges/pledges.commands';
import type { AdjustStockDto, CountStockDto, ReceiveStockDto, ReturnEquipmentDto, TransferStockOutDto, WriteOffEquipmentDto } from './stock.dto';

export class ReceiveStockCommand extends ApiCommand<ReceiveStockDto> {}
export class AdjustStockCommand extends ApiCommand<AdjustStockDto> {}
export class CountStockCommand extends ApiCommand<CountStockDto> {}
export class TransferStockOutCommand extends ApiCommand<TransferStockOutDto> {}
export class ReturnEquipmentCommand extends ApiCommand<ReturnEquipmentDto> {}
export class WriteOffEquipmentCommand extends ApiCommand<WriteOffEquipmentDto> {}

/** Sums lines by item (a receipt may bring one item in several batches; a pledge counts per item). */
export function perItem(lines: ReadonlyArray<{ itemId: string; quantity: number }>): Array<{ itemId: string; quantity: number }> {
  const sums = new Map<string, number>();
  for (const l of lines) sums.set(l.itemId, (sums.get(l.itemId) ?? 0) + l.quantity);
  return [...sums].map(([itemId, quantity]) => ({ itemId, quantity }));
}

/** Commands on the stock of one warehouse: the warehouse must be active and the user act for it. */
// Injectable so that its constructor parameters are recorded for the subclasses Nest builds.
@Injectable()
abstract class StockHandler {
  constructor(
    protected readonly runner: CommandRunner,
    protected readonly refs: References,
  ) {}

  protected async warehouse(ctx: CommandContext, warehouseId: string, type: DomainCommandType): Promise<StateOf<'warehouse'>> {
    const warehouse = await this.refs.active('warehouse', warehouseId);
    authorizeCommand(ctx.principal, type, warehouseTarget(warehouseId, warehouse));
    return warehouse;
  }

  protected stock(ctx: CommandContext, warehouseId: string, command: CommandOf<'stock'>, options: StepOptions = {}) {
    return this.runner.run('stock', warehouseId, command, ctx, { expectedRevision: ifMatchRevision(ctx, streamIds.stock(warehouseId)), ...options });
  }
}

@CommandHandler(ReceiveStockCommand)
export class ReceiveStockHandler extends StockHandler implements ICommandHandler<ReceiveStockCommand> {
  async execute({ ctx, dto, id: warehouseId }: ReceiveStockCommand): Promise<CommandAnswer> {
    await this.warehouse(ctx, warehouseId, 'ReceiveStock');
    const items = await this.refs.items(dto.lines.map((l) => l.itemId));
    const receiptId = idFor(ctx, dto.receiptId, 'stock-receipt');
    const { source, correlationId, incidentId, pledge } = await this.source(dto, warehouseId, receiptId);
    const lines = dto.lines.map((l) => ({
      itemId: l.itemId,
      quantity: l.quantity,
      ...(l.batch !== undefined ? { batch: l.batch } : {}),
      ...(l.expiry !== undefined ? { expiry: l.expiry } : {}),
      // Equipment is deployed on loan and returned, never consumed: the catalogue says which it is.
      consumable: items.get(l.itemId)?.consumable !== false,
    }));
    const extra = await incidentExtra(this.runner, incidentId);
    const received = await this.stock(
      ctx,
      warehouseId,
      { type: 'ReceiveStock', data: { warehouseId, receiptId, source, lines, ...(dto.note !== undefined ? { note: dto.note } : {}) } },
      { ...(correlationId !== undefined ? { correlationId } : {}), extra: { ...extra, receiptId } },
    );
    if (pledge) {
      // A pledge delivered into a warehouse: counted against the pledge under the same receipt id
      // (a repeat is a no-op, so a retried receipt finishes this step if it was interrupted).
      await this.runner.run('pledge', pledge, { type: 'RecordPledgeDelivery', data: { pledgeId: pledge, receiptId, warehouseId, lines: perItem(lines) } }, ctx, {
        step: 'pledge-delivery',
        correlationId,
        extra: { ...extra, receiptId, warehouseId },
      });
    }
    return answer(warehouseId, received, { receiptId, ...(pledge ? { pledgeId: pledge } : {}) });
  }

  private async source(dto: ReceiveStockDto, warehouseId: string, receiptId: string): Promise<{ source: StockSource; correlationId?: string; incidentId?: string; pledge?: string }> {
    const s = dto.source;
    if (s.kind === 'procurement') return { source: { kind: 'procurement', reference: s.reference as string } };
    if (s.kind === 'transfer') {
      const fromWarehouseId = s.fromWarehouseId as string;
      const transferId = s.transferId as string;
      await this.refs.known('warehouse', fromWarehouseId);
      const { state: origin } = await this.runner.load('stock', fromWarehouseId);
      const recorded = cmGet(origin.recorded, `transfer:${transferId}`);
      if (recorded === undefined) {
        throw DomainError.notFound('unknown-transfer', `transfer ${transferId} was never sent from warehouse ${fromWarehouseId}`, { transferId, fromWarehouseId });
      }
      const [to] = JSON.parse(recorded) as [string];
      if (to !== warehouseId) {
        throw DomainError.rule('transfer-destination-mismatch', `transfer ${transferId} goes to warehouse ${to}, not ${warehouseId}`, { transferId, toWarehouseId: to, warehouseId });
      }
      return { source: { kind: 'transfer', transferId, fromWarehouseId }, correlationId: `transfer-${transferId}` };
    }
    const pledgeId = s.pledgeId as string;
    const { state: pledge } = await this.refs.existing('pledge', pledgeId);
    // Checked before anything is written, so that the stock receipt and the pledge delivery go together.
    if (pledge.receipts[receiptId] === undefined) {
      if (pledge.status !== 'accepted') {
        throw DomainError.rule(`pledge-${pledge.status}`, `pledge ${pledgeId} is ${pledge.status}; only an accepted pledge is delivered against`, { pledgeId, status: pledge.status });
      }
      dto.lines.forEach((l, i) => {
        if (!pledge.lines.some((p) => p.itemId === l.itemId)) {
          throw DomainError.rule('item-not-pledged', `${l.itemId} is not in pledge ${pledgeId}`, { pledgeId, itemId: l.itemId, field: `lines[${i}].itemId` });
        }
      });
    }
    if (s.memberId !== undefined && s.memberId !== pledge.memberId) {
      throw DomainError.rule('pledge-member-mismatch', `pledge ${pledgeId} was made by ${pledge.memberId}, not ${s.memberId}`, { pledgeId, memberId: s.memberId });
    }
    return {
      source: { kind: 'pledge', pledgeId, memberId: pledge.memberId as string },
      correlationId: pledgeCorrelation(pledgeId, pledge.requestId),
      incidentId: pledge.incidentId,
      pledge: pledgeId,
    };
  }
}

@CommandHandler(AdjustStockCommand)
export class AdjustStockHandler extends StockHandler implements ICommandHandler<AdjustStockCommand> {
  async execute({ ctx, dto, id: warehouseId }: AdjustStockCommand): Promise<CommandAnswer> {
    await this.warehouse(ctx, warehouseId, 'AdjustStock');
    await this.refs.known('item', dto.itemId);
    const { adjustmentId: given, ...rest } = dto;
    const adjustmentId = idFor(ctx, given, 'adjustment');
    const r = await this.stock(ctx, warehouseId, { type: 'AdjustStock', data: { warehouseId, adjustmentId, ...rest } }, { reason: `${dto.reason}: ${dto.note}`, extra: { adjustmentId } });
    return answer(warehouseId, r, { adjustmentId });
  }
}

@CommandHandler(CountStockCommand)
export class CountStockHandler extends StockHandler implements ICommandHandler<CountStockCommand> {
  async execute({ ctx, dto, id: warehouseId }: CountStockCommand): Promise<CommandAnswer> {
    await this.warehouse(ctx, warehouseId, 'CountStock');
    await Promise.all([...new Set(dto.lines.map((l) => l.itemId))].map((i) => this.refs.known('item', i)));
    const countId = idFor(ctx, dto.countId, 'count');
    const r = await this.stock(
      ctx,
      warehouseId,
      { type: 'CountStock', data: { warehouseId, countId, lines: dto.lines.map((l) => ({ itemId: l.itemId, counted: l.counted })), ...(dto.note !== undefined ? { note: dto.note } : {}) } },
      { ...(dto.note !== undefined ? { reason: dto.note } : {}), extra: { countId } },
    );
    return answer(warehouseId, r, { countId });
  }
}

@CommandHandler(TransferStockOutCommand)
export class TransferStockOutHandler extends StockHandler implements ICommandHandler<TransferStockOutCommand> {
  async execute({ ctx, dto, id: warehouseId }: TransferStockOutCommand): Promise<CommandAnswer> {
    await this.warehouse(ctx, warehouseId, 'TransferStockOut');
    await Promise.all([this.refs.active('warehouse', dto.toWarehouseId), this.refs.items(dto.lines.map((l) => l.itemId))]);
    const transferId = idFor(ctx, dto.transferId, 'transfer');
    const r = await this.stock(
      ctx,
      warehouseId,
      { type: 'TransferStockOut', data: { warehouseId, transferId, toWarehouseId: dto.toWarehouseId, lines: dto.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })), reason: dto.reason } },
      { correlationId: `transfer-${transferId}`, reason: dto.reason, extra: { transferId } },
    );
    return answer(warehouseId, r, { transferId, toWarehouseId: dto.toWarehouseId });
  }
}

/** Equipment back from (or lost on) a deployment: the dispatch must have left from this warehouse. */
// Injectable so that its constructor parameters are recorded for the subclasses Nest builds.
@Injectable()
abstract class EquipmentHandler extends StockHandler {
  protected async dispatchFrom(warehouseId: string, dispatchId: string): Promise<{ correlationId: string; incidentId?: string }> {
    const { state } = await this.refs.existing('dispatch', dispatchId);
    if (state.warehouseId !== warehouseId) {
      throw DomainError.rule('dispatch-from-another-warehouse', `dispatch ${dispatchId} left from ${state.warehouseId ?? 'a member directly'}, not from warehouse ${warehouseId}`, {
        dispatchId,
        warehouseId,
      });
    }
    return { correlationId: state.requestId ?? `dispatch-${dispatchId}`, incidentId: state.incidentId };
  }
}

@CommandHandler(ReturnEquipmentCommand)
export class ReturnEquipmentHandler extends EquipmentHandler implements ICommandHandler<ReturnEquipmentCommand> {
  async execute({ ctx, dto, id: warehouseId }: ReturnEquipmentCommand): Promise<CommandAnswer> {
    await this.warehouse(ctx, warehouseId, 'ReturnEquipment');
    const { correlationId, incidentId } = await this.dispatchFrom(warehouseId, dto.dispatchId);
    const r = await this.stock(
      ctx,
      warehouseId,
      { type: 'ReturnEquipment', data: { warehouseId, dispatchId: dto.dispatchId, lines: dto.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })), ...(dto.note !== undefined ? { note: dto.note } : {}) } },
      { correlationId, extra: { ...(await incidentExtra(this.runner, incidentId)), dispatchId: dto.dispatchId } },
    );
    return answer(warehouseId, r, { dispatchId: dto.dispatchId });
  }
}

@CommandHandler(WriteOffEquipmentCommand)
export class WriteOffEquipmentHandler extends EquipmentHandler implements ICommandHandler<WriteOffEquipmentCommand> {
  async execute({ ctx, dto, id: warehouseId }: WriteOffEquipmentCommand): Promise<CommandAnswer> {
    await this.warehouse(ctx, warehouseId, 'WriteOffDeployedEquipment');
    const { correlationId, incidentId } = await this.dispatchFrom(warehouseId, dto.dispatchId);
    const r = await this.stock(
      ctx,
      warehouseId,
      {
        type: 'WriteOffDeployedEquipment',
        data: { warehouseId, dispatchId: dto.dispatchId, lines: dto.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })), reason: dto.reason, note: dto.note },
      },
      { correlationId, reason: `${dto.reason}: ${dto.note}`, extra: { ...(await incidentExtra(this.runner, incidentId)), dispatchId: dto.dispatchId } },
    );
    return answer(warehouseId, r, { dispatchId: dto.dispatchId });
  }
}

export const stockHandlers = [ReceiveStockHandler, AdjustStockHandler, CountStockHandler, TransferStockOutHandler, ReturnEquipmentHandler, WriteOffEquipmentHandler];
