import { incidentTypes, type IncidentType } from '@lumbung/domain';
import { EnumField, IdField, LinesField, QuantityField, TextField } from '../common';

export class PlanLineDto {
  @IdField({ example: 'family-kit' }) itemId!: string;
  @QuantityField({ example: 500 }) quantity!: number;
  @IdField({ description: 'the warehouse that should hold it before the hazard strikes', example: 'gd-bpbd-batanghari' }) warehouseId!: string;
}

export class DraftOperationsPlanDto {
  @IdField({ description: 'optional: the client may choose it; else derived from the command id', example: 'renops-banjir-batanghari' }, false) planId?: string;
  @TextField(200, { example: 'Rencana operasi logistik banjir Batanghari' }) name!: string;
  @EnumField(incidentTypes, { example: 'flood' }) hazard!: IncidentType;
  @TextField(100, { example: 'Batanghari' }) district!: string;
  @LinesField(() => PlanLineDto, { description: 'pre-positioning targets, one per item and warehouse' }) lines!: PlanLineDto[];
  @TextField(1000, {}, false) note?: string;
}

export class ReviseOperationsPlanDto {
  @LinesField(() => PlanLineDto) lines!: PlanLineDto[];
  @TextField(1000, { example: 'targets raised after the 2023 flood review' }) reason!: string;
}

export class ActivateOperationsPlanDto {
  @IdField({ description: 'an incident of the plan’s hazard that affects its district', example: 'banjir-batanghari-2024' }) incidentId!: string;
}
