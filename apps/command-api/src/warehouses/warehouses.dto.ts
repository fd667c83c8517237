import { IdField, LatField, LonField, TextField } from '../common';

export class RegisterWarehouseDto {
  @IdField({ description: 'optional: the client may choose it; else derived from the command id', example: 'gd-bpbd-jambi' }, false) warehouseId?: string;
  @TextField(200, { example: 'Gudang BPBD Provinsi Jambi' }) name!: string;
  @IdField({ description: 'the member organisation that owns and staffs it (must be registered)', example: 'bpbd-jambi' }) ownerMemberId!: string;
  @TextField(100, { example: 'Kota Jambi' }) district!: string;
  @LatField({ example: -1.61 }) lat!: number;
  @LonField({ example: 103.61 }) lon!: number;
  @TextField(500, { example: 'Jl. Jend. Sudirman, Jambi' }, false) address?: string;
}

export class UpdateWarehouseDto {
  @TextField(200, {}, false) name?: string;
  @IdField({ description: 'a new owner (EOC or admin only)' }, false) ownerMemberId?: string;
  @TextField(100, {}, false) district?: string;
  @LatField({}, false) lat?: number;
  @LonField({}, false) lon?: number;
  @TextField(500, {}, false) address?: string;
}
