import { equipmentConditions, equipmentKinds, vehicleTypes, type EquipmentCondition, type EquipmentKind, type VehicleType } from '@lumbung/domain';
import { CountField, EnumField, IdField, PositiveNumberField, TextField, TextListField } from '../common';

export class DeclareWarehouseCapacityDto {
  @IdField({ description: 'a warehouse the member owns', example: 'gd-bpbd-jambi' }) warehouseId!: string;
  @PositiveNumberField({ example: 1200 }, false) capacityM3?: number;
  @PositiveNumberField({ example: 300 }, false) capacityTonnes?: number;
}

export class DeclareVehiclesDto {
  @EnumField(vehicleTypes, { example: 'truck' }) vehicleType!: VehicleType;
  @PositiveNumberField({ example: 8000 }) payloadKg!: number;
  @CountField({ description: '0: no longer has vehicles of this type', example: 4 }) count!: number;
}

export class DeclareEquipmentDto {
  @EnumField(equipmentKinds, { example: 'boat' }) kind!: EquipmentKind;
  @EnumField(equipmentConditions, { example: 'good' }) condition!: EquipmentCondition;
  @CountField({ example: 6 }) count!: number;
  @TextField(500, { example: 'rubber boats with 15 HP outboard' }, false) note?: string;
}

export class DeclarePeopleDto {
  @CountField({ example: 40 }) count!: number;
  @TextListField(100, { example: ['water rescue', 'logistics', 'first aid'] }, false) skills?: string[];
}
