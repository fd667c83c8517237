import { IdField, QuantityField, TextField } from './validators';

export class ItemQuantityLineDto {
  @IdField({ example: 'rice-5kg' }) itemId!: string;
  @QuantityField({ example: 120 }) quantity!: number;
}

export class ReasonDto {
  @TextField(1000, { description: 'why (recorded with the event)', example: 'road to the site flooded' }) reason!: string;
}

export class OptionalNoteDto {
  @TextField(1000, { example: 'coordinated with BPBD Provinsi' }, false) note?: string;
}
