import { ValidateIf } from 'class-validator';
import { adjustmentReasons, stockSourceKinds, type AdjustmentReason } from '@lumbung/domain';
import { CountField, EnumField, IdField, IsoDateField, ItemQuantityLineDto, LinesField, NestedField, QuantityField, TextField } from '../common';

export class StockSourceDto {
  @EnumField(stockSourceKinds, { description: 'pledge: a member’s pledge delivered here (recorded against the pledge too); procurement; transfer: from another warehouse', example: 'pledge' })
  kind!: 'pledge' | 'procurement' | 'transfer';

  @ValidateIf((s: StockSourceDto) => s.kind === 'pledge')
  @IdField({ description: 'with kind pledge', example: 'pledge-pmi-001' }, true)
  pledgeId?: string;

  @ValidateIf((s: StockSourceDto) => s.kind === 'pledge')
  @IdField({ description: 'with kind pledge; defaults to the pledging member' }, false)
  memberId?: string;

  @ValidateIf((s: StockSourceDto) => s.kind === 'procurement')
  @TextField(200, { description: 'with kind procurement: the purchase order or contract', example: 'PO/BPBD/2024/031' }, true)
  reference?: string;

  @ValidateIf((s: StockSourceDto) => s.kind === 'transfer')
  @IdField({ description: 'with kind transfer: the transfer recorded at the origin' }, true)
  transferId?: string;

  @ValidateIf((s: StockSourceDto) => s.kind === 'transfer')
  @IdField({ description: 'with kind transfer: the origin warehouse' }, true)
  fromWarehouseId?: string;
}

export class ReceivedLineDto {
  @IdField({ example: 'rice-5kg' }) itemId!: string;
  @QuantityField({ example: 400 }) quantity!: number;
  @TextField(100, { example: 'LOT-2403-A' }, false) batch?: string;
  @IsoDateField({ example: '2025-03-01' }, false) expiry?: string;
}

export class ReceiveStockDto {
  @IdField({ description: 'the receipt document number; optional, else derived from the command id', example: 'GRN-BPBD-0001' }, false) receiptId?: string;
  @NestedField(() => StockSourceDto) source!: StockSourceDto;
  @LinesField(() => ReceivedLineDto) lines!: ReceivedLineDto[];
  @TextField(1000, {}, false) note?: string;
}

export class AdjustStockDto {
  @IdField({ description: 'optional, else derived from the command id' }, false) adjustmentId?: string;
  @IdField({ example: 'rice-5kg' }) itemId!: string;
  @QuantityField({ example: 12 }) quantity!: number;
  @EnumField(adjustmentReasons, { description: 'found adds to stock; the others take out of it', example: 'damaged' }) reason!: AdjustmentReason;
  @TextField(1000, { description: 'what happened (required)', example: 'sacks soaked by a roof leak' }) note!: string;
  @TextField(100, {}, false) batch?: string;
  @IsoDateField({}, false) expiry?: string;
}

export class CountedLineDto {
  @IdField({ example: 'rice-5kg' }) itemId!: string;
  @CountField({ example: 388 }) counted!: number;
}

export class CountStockDto {
  @IdField({ description: 'optional, else derived from the command id', example: 'opname-2024-03-07' }, false) countId?: string;
  @LinesField(() => CountedLineDto) lines!: CountedLineDto[];
  @TextField(1000, {}, false) note?: string;
}

export class TransferStockOutDto {
  @IdField({ description: 'optional, else derived from the command id' }, false) transferId?: string;
  @IdField({ example: 'gd-bpbd-tebo' }) toWarehouseId!: string;
  @LinesField(() => ItemQuantityLineDto) lines!: ItemQuantityLineDto[];
  @TextField(1000, { example: 'rebalancing towards Tebo' }) reason!: string;
}

export class ReturnEquipmentDto {
  @IdField({ description: 'the dispatch that took the equipment out' }) dispatchId!: string;
  @LinesField(() => ItemQuantityLineDto) lines!: ItemQuantityLineDto[];
  @TextField(1000, {}, false) note?: string;
}

export class WriteOffEquipmentDto {
  @IdField({ description: 'the dispatch that took the equipment out' }) dispatchId!: string;
  @LinesField(() => ItemQuantityLineDto) lines!: ItemQuantityLineDto[];
  @EnumField(['lost', 'damaged'], { example: 'damaged' }) reason!: 'lost' | 'damaged';
  @TextField(1000, { example: 'hull torn on debris' }) note!: string;
}
