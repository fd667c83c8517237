import { requestPriorities, type RequestPriority } from '@lumbung/domain';
import { CountField, EnumField, IdField, IsoTimeField, ItemQuantityLineDto, LinesField, TextField } from '../common';

export class SubmitRequestDto {
  @IdField({ description: 'optional: the client may choose it; else derived from the command id', example: 'req-posko-pemayung-001' }, false) requestId?: string;
  @IdField({ example: 'posko-pemayung' }) siteId!: string;
  @IdField({ example: 'banjir-batanghari-2024' }) incidentId!: string;
  @EnumField(requestPriorities, { example: 'life-saving' }) priority!: RequestPriority;
  @IsoTimeField({ example: '2024-03-05T12:00:00+07:00' }) neededBy!: string;
  @LinesField(() => ItemQuantityLineDto, { description: 'one line per item' }) lines!: ItemQuantityLineDto[];
  @TextField(1000, { example: '450 displaced families at SDN 12' }, false) note?: string;
}

export class ApprovedLineDto {
  @IdField({ example: 'rice-5kg' }) itemId!: string;
  @CountField({ description: 'at most the requested quantity; 0 approves none of this line', example: 300 }) approved!: number;
  @TextField(1000, { description: 'required when approving less than requested', example: 'shared with Posko Sengeti' }, false) reason?: string;
}

export class ApproveRequestDto {
  @LinesField(() => ApprovedLineDto, { description: 'lines left out are approved in full' }, false) lines?: ApprovedLineDto[];
  @TextField(1000, {}, false) note?: string;
}

export class CloseRequestDto {
  @TextField(1000, { example: 'served; the site is being closed' }, false) reason?: string;
}
