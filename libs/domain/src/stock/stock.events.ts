import type { DomainEvent } from '../shared/message';

export const stockSourceKinds = ['pledge', 'procurement', 'transfer'] as const;
export type StockSource =
  | { kind: 'pledge'; pledgeId: string; memberId?: string }
  | { kind: 'procurement'; reference: string }
  /** transfer in: from another warehouse, directly or by a pre-positioning dispatch (transferId = dispatch id) */
  | { kind: 'transfer'; transferId: string; fromWarehouseId: string };

export type ReceivedLine = {
  itemId: string;
  quantity: number;
  batch?: string;
  /** ISO date */
  expiry?: string;
  /** false for equipment (from the item catalogue): issued as deployed, returned later */
  consumable: boolean;
};

/** Quantities taken out of named batches, first-expired-first-out unless a batch was named; the rest had no batch. */
export type BatchTake = { batch: string; quantity: number };
export type OutgoingLine = { itemId: string; quantity: number; batches?: BatchTake[] };
export type QuantityLine = { itemId: string; quantity: number };

export const adjustmentReasons = ['damaged', 'lost', 'expired', 'found'] as const;
export type AdjustmentReason = (typeof adjustmentReasons)[number];

export type StockReceivedData = { warehouseId: string; receiptId: string; source: StockSource; lines: ReceivedLine[]; receivedAt: string; note?: string };
export type StockReservedData = { warehouseId: string; dispatchId: string; lines: QuantityLine[]; reservedAt: string };
export type StockReleasedData = { warehouseId: string; dispatchId: string; lines: QuantityLine[]; reason: string; releasedAt: string };
/** consumables leave the warehouse with the dispatch (in transit, then delivered) */
export type StockIssuedData = { warehouseId: string; dispatchId: string; lines: OutgoingLine[]; issuedAt: string };
export type StockAdjustedData = {
  warehouseId: string;
  adjustmentId: string;
  itemId: string;
  /** signed change of on-hand: negative for damaged, lost, expired; positive for found; either for a count */
  delta: number;
  reason: AdjustmentReason | 'count';
  note: string;
  /** where the stock went from (delta < 0) or the batch it was found into (delta > 0) */
  batches?: BatchTake[];
  expiry?: string;
  countId?: string;
  adjustedAt: string;
};
export type CountedLine = { itemId: string; counted: number; onHandBefore: number; difference: number };
export type StockCountedData = { warehouseId: string; countId: string; lines: CountedLine[]; note?: string; countedAt: string };
export type StockTransferredOutData = {
  warehouseId: string;
  transferId: string;
  toWarehouseId: string;
  lines: OutgoingLine[];
  reason: string;
  transferredAt: string;
};
/** equipment leaves on loan with the dispatch: shown as deployed, not issued */
export type EquipmentDeployedData = { warehouseId: string; dispatchId: string; lines: OutgoingLine[]; deployedAt: string };
export type EquipmentReturnedData = {
  warehouseId: string;
  dispatchId: string;
  lines: QuantityLine[];
  note?: string;
  returnedAt: string;
};
export type EquipmentWrittenOffData = {
  warehouseId: string;
  dispatchId: string;
  lines: QuantityLine[];
  reason: 'lost' | 'damaged';
  note: string;
  writtenOffAt: string;
};

export const stockEventTypes = [
  'StockReceived',
  'StockReserved',
  'StockReleased',
  'StockIssued',
  'StockAdjusted',
  'StockCounted',
  'StockTransferredOut',
  'EquipmentDeployed',
  'EquipmentReturned',
  'EquipmentWrittenOff',
] as const;

export type StockEvent =
  | DomainEvent<'StockReceived', StockReceivedData>
  | DomainEvent<'StockReserved', StockReservedData>
  | DomainEvent<'StockReleased', StockReleasedData>
  | DomainEvent<'StockIssued', StockIssuedData>
  | DomainEvent<'StockAdjusted', StockAdjustedData>
  | DomainEvent<'StockCounted', StockCountedData>
  | DomainEvent<'StockTransferredOut', StockTransferredOutData>
  | DomainEvent<'EquipmentDeployed', EquipmentDeployedData>
  | DomainEvent<'EquipmentReturned', EquipmentReturnedData>
  | DomainEvent<'EquipmentWrittenOff', EquipmentWrittenOffData>;
