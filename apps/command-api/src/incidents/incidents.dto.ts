import { incidentPhases, incidentTypes, type IncidentPhase, type IncidentType } from '@lumbung/domain';
import { EnumField, IdField, TextField, TextListField } from '../common';

export class RegisterIncidentDto {
  @IdField({ description: 'optional: the client may choose it; else derived from the command id', example: 'banjir-batanghari-2024' }, false) incidentId?: string;
  @TextField(200, { example: 'Banjir Sungai Batanghari, Maret 2024' }) name!: string;
  @EnumField(incidentTypes, { example: 'flood' }) type!: IncidentType;
  @TextListField(100, { description: 'affected districts (kabupaten/kota)', example: ['Batanghari', 'Muaro Jambi'] }) districts!: string[];
  @EnumField(incidentPhases, { description: 'default preparedness', example: 'emergency' }, false) phase?: IncidentPhase;
}

export class UpdateIncidentDto {
  @TextField(200, {}, false) name?: string;
  @TextListField(100, {}, false) districts?: string[];
}

export class ChangeIncidentPhaseDto {
  @EnumField(incidentPhases, { example: 'emergency' }) phase!: IncidentPhase;
  @TextField(1000, { example: 'SK Gubernur: status tanggap darurat' }) reason!: string;
}
