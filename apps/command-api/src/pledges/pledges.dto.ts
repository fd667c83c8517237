import { IdField, IsoTimeField, ItemQuantityLineDto, LinesField, TextField } from '../common';

export class OfferPledgeDto {
  @IdField({ description: 'optional: the client may choose it; else derived from the command id', example: 'pledge-pmi-001' }, false) pledgeId?: string;
  @IdField({ description: 'the pledging member (a member user pledges only for its own organisation)', example: 'pmi-jambi' }) memberId!: string;
  @IdField({ description: 'the incident pledged for (or give requestId)', example: 'banjir-batanghari-2024' }, false) incidentId?: string;
  @IdField({ description: 'the request pledged for (or give incidentId)' }, false) requestId?: string;
  @LinesField(() => ItemQuantityLineDto) lines!: ItemQuantityLineDto[];
  @IsoTimeField({ description: 'expected delivery', example: '2024-03-06T10:00:00+07:00' }) expectedBy!: string;
  @TextField(1000, {}, false) note?: string;
}

export class AcceptPledgeDto {
  @TextField(1000, { example: 'deliver to Gudang BPBD Batanghari' }, false) note?: string;
}
