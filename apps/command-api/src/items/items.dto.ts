import { itemCategories, type ItemCategory } from '@lumbung/domain';
import { EnumField, IdField, QuantityField, TextField } from '../common';

export class RegisterItemDto {
  @IdField({ description: 'optional: the client may choose it (UUID or code); else derived from the command id', example: 'rice-5kg' }, false) itemId?: string;
  @TextField(50, { example: 'FD-RICE-5' }) code!: string;
  @TextField(200, { example: 'Beras 5 kg (rice, 5 kg sack)' }) name!: string;
  @TextField(30, { example: 'sack' }) unit!: string;
  @EnumField(itemCategories, { description: 'equipment is deployed on loan and returned, not consumed', example: 'food' }) category!: ItemCategory;
  @QuantityField({ description: 'units per pack, where handled in packs', example: 10 }, false) packSize?: number;
}

export class UpdateItemDto {
  @TextField(200, {}, false) name?: string;
  @TextField(30, {}, false) unit?: string;
  @EnumField(itemCategories, {}, false) category?: ItemCategory;
  @QuantityField({}, false) packSize?: number;
}
