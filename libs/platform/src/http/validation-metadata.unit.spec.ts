import { getMetadataStorage, IsInt, IsString, Min, validateSync } from 'class-validator';
import { memoiseValidationMetadata } from './validation-metadata';

const failed = (o: object, groups?: string[]) =>
  validateSync(o, { forbidUnknownValues: false, ...(groups ? { groups } : {}) })
    .map((e) => `${e.property}: ${Object.keys(e.constraints ?? {}).join(',')}`)
    .sort();

class Quantity {
  @IsInt() amount!: unknown;
  @Min(10, { groups: ['bulk'] }) minimum!: unknown;
}

describe('memoiseValidationMetadata', () => {
  beforeAll(() => memoiseValidationMetadata());

  it('answers a class’s rules from memory, the same as before', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Quantity, '', false, false);
    expect(storage.getTargetValidationMetadatas(Quantity, '', false, false)).toBe(first);
    expect(failed(Object.assign(new Quantity(), { amount: 'x', minimum: 20 }))).toEqual(['amount: isInt']);
    expect(failed(Object.assign(new Quantity(), { amount: 2, minimum: 20 }))).toEqual([]);
  });

  it('keeps lookups with other options apart (groups)', () => {
    const q = Object.assign(new Quantity(), { amount: 'x', minimum: 1 });
    expect(failed(q)).toEqual(['amount: isInt', 'minimum: min']);
    expect(failed(q, ['bulk'])).toEqual(['minimum: min']);
    expect(failed(q, ['other'])).toEqual([]);
    expect(failed(q)).toEqual(['amount: isInt', 'minimum: min']);
  });

  it('sees rules added after a lookup: a class defined later, inherited rules, a rule added to a known class', () => {
    expect(failed(Object.assign(new Quantity(), { amount: 'x', minimum: 20 }))).toEqual(['amount: isInt']);
    class Line extends Quantity {
      @IsString() itemId!: unknown;
    }
    expect(failed(Object.assign(new Line(), { amount: 'x', minimum: 20, itemId: 3 }))).toEqual(['amount: isInt', 'itemId: isString']);
    class Later {
      note!: unknown;
    }
    expect(failed(Object.assign(new Later(), { note: 5 }))).toEqual([]);
    IsString()(Later.prototype, 'note');
    expect(failed(Object.assign(new Later(), { note: 5 }))).toEqual(['note: isString']);
  });

  it('installs once', () => {
    const lookup = getMetadataStorage().getTargetValidationMetadatas;
    memoiseValidationMetadata();
    expect(getMetadataStorage().getTargetValidationMetadatas).toBe(lookup);
  });
});
