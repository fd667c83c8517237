import type { Command } from '../shared/message';
import type { StockSource } from './stock.events';

export type ReceiveStock = Command<
  'ReceiveStock',
  {
    warehouseId: string;
    receiptId: string;
    source: StockSource;
    lines: Array<{ itemId: string; quantity: number; batch?: string; expiry?: string; consumable?: boolean }>;
    note?: string;
  }
>;
/** Keyed by dispatch id: repeating the same reservation is a no-op, a different one is refused. */
export type ReserveStock = Command<'ReserveStock', { warehouseId: string; dispatchId: string; lines: Array<{ itemId: string; quantity: number }> }>;
/** Releases exactly what the dispatch reserved; a no-op when there is nothing (left) to release. */
export type ReleaseStock = Command<'ReleaseStock', { warehouseId: string; dispatchId: string; reason: string }>;
/** The dispatch departed: its reservation leaves the warehouse (consumables issued, equipment deployed). */
export type IssueStock = Command<'IssueStock', { warehouseId: string; dispatchId: string }>;
export type AdjustStock = Command<
  'AdjustStock',
  {
    warehouseId: string;
    adjustmentId: string;
    itemId: string;
    quantity: number;
    reason: 'damaged' | 'lost' | 'expired' | 'found';
    note: string;
    batch?: string;
    expiry?: string;
  }
>;
/** A physical count (stock opname): each difference from on-hand becomes an adjustment. */
export type CountStock = Command<'CountStock', { warehouseId: string; countId: string; lines: Array<{ itemId: string; counted: number }>; note?: string }>;
export type TransferStockOut = Command<
  'TransferStockOut',
  { warehouseId: string; transferId: string; toWarehouseId: string; lines: Array<{ itemId: string; quantity: number }>; reason: string }
>;
/** Equipment back from deployment, serviceable; lost or damaged equipment is written off instead. */
export type ReturnEquipment = Command<
  'ReturnEquipment',
  { warehouseId: string; dispatchId: string; lines: Array<{ itemId: string; quantity: number }>; note?: string }
>;
export type WriteOffDeployedEquipment = Command<
  'WriteOffDeployedEquipment',
  { warehouseId: string; dispatchId: string; lines: Array<{ itemId: string; quantity: number }>; reason: 'lost' | 'damaged'; note: string }
>;

export const stockCommandTypes = [
  'ReceiveStock',
  'ReserveStock',
  'ReleaseStock',
  'IssueStock',
  'AdjustStock',
  'CountStock',
  'TransferStockOut',
  'ReturnEquipment',
  'WriteOffDeployedEquipment',
] as const;

export type StockCommand =
  | ReceiveStock
  | ReserveStock
  | ReleaseStock
  | IssueStock
  | AdjustStock
  | CountStock
  | TransferStockOut
  | ReturnEquipment
  | WriteOffDeployedEquipment;
