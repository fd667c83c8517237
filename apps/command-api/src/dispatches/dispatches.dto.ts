import { ValidateIf } from 'class-validator';
import { CountField, EnumField, IdField, IsoTimeField, ItemQuantityLineDto, LinesField, NestedField, TextField } from '../common';

export class DestinationDto {
  @EnumField(['site', 'warehouse'], { description: 'site: against an approved request; warehouse: pre-positioning during preparedness', example: 'site' })
  kind!: 'site' | 'warehouse';

  @ValidateIf((d: DestinationDto) => d.kind === 'site')
  @IdField({ description: 'with kind site', example: 'posko-pemayung' }, true)
  siteId?: string;

  @ValidateIf((d: DestinationDto) => d.kind === 'warehouse')
  @IdField({ description: 'with kind warehouse', example: 'gd-bpbd-tebo' }, true)
  warehouseId?: string;
}

export class PlanDispatchDto {
  @IdField({ description: 'optional: the client may choose it; else derived from the command id', example: 'dsp-2024-0001' }, false) dispatchId?: string;
  @IdField({ description: 'the warehouse whose stock is reserved (or give memberId and pledgeId for a member’s direct delivery)', example: 'gd-bpbd-batanghari' }, false)
  warehouseId?: string;
  @IdField({ description: 'a member delivering straight to the site against its accepted pledge' }, false) memberId?: string;
  @IdField({ description: 'with memberId: the pledge delivered' }, false) pledgeId?: string;
  @NestedField(() => DestinationDto) destination!: DestinationDto;
  @IdField({ description: 'the approved request served (required to a site)', example: 'req-posko-pemayung-001' }, false) requestId?: string;
  @IdField({ description: 'the incident (taken from the request when there is one)' }, false) incidentId?: string;
  @IdField({ description: 'the operations plan a pre-positioning move serves' }, false) planId?: string;
  @LinesField(() => ItemQuantityLineDto) lines!: ItemQuantityLineDto[];
}

export class DepartDispatchDto {
  @TextField(100, { example: 'BH 8123 KA (truck)' }) vehicle!: string;
  @TextField(200, { example: 'Pak Yusuf' }) driver!: string;
  @TextField(100, { example: 'SJ/BPBD-BTH/2024/0007' }) waybillNumber!: string;
  @IsoTimeField({ example: '2024-03-04T15:00:00+07:00' }, false) expectedArrivalAt?: string;
}

export class ReceiptLineDto {
  @IdField({ example: 'rice-5kg' }) itemId!: string;
  @CountField({ description: 'arrived in good order', example: 95 }) received!: number;
  @CountField({ description: 'arrived damaged', example: 3 }, false) damaged?: number;
  @TextField(1000, { description: 'required when a line is damaged, short or over', example: '3 sacks torn, 2 missing' }, false) reason?: string;
}

export class RecordReceiptDto {
  @IdField({ description: 'the BAST number; optional, else derived from the command id', example: 'BAST-PMY-2024-001' }, false) receiptId?: string;
  @TextField(200, { example: 'Ibu Sari (koordinator posko)' }) receivedBy!: string;
  @LinesField(() => ReceiptLineDto, { description: 'one line for every dispatched item (received 0 if nothing came)' }) lines!: ReceiptLineDto[];
  @TextField(1000, {}, false) note?: string;
}
