import { Type } from 'class-transformer';
import { ArrayMinSize, IsIn, IsInt, IsPositive, IsString, ValidateNested } from 'class-validator';
import { ApiError } from './api-error';
import { createValidationPipe } from './validation';

class LineDto {
  @IsString() item!: string;
  @IsInt({ message: 'must be a positive integer' }) @IsPositive({ message: 'must be a positive integer' }) quantity!: number;
}

class RequestDto {
  @IsIn(['life-saving', 'urgent', 'normal']) priority!: string;
  @ValidateNested({ each: true }) @Type(() => LineDto) @ArrayMinSize(1) lines!: LineDto[];
}

const pipe = createValidationPipe();
const validate = (body: unknown): Promise<unknown> => pipe.transform(body, { type: 'body', metatype: RequestDto });
async function refusal(body: unknown): Promise<ApiError> {
  try {
    await validate(body);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a refusal');
}

describe('validation pipe', () => {
  it('turns a valid body into the DTO', async () => {
    const dto = await validate({ priority: 'urgent', lines: [{ item: 'rice-5kg', quantity: 10 }] });
    expect(dto).toBeInstanceOf(RequestDto);
    expect((dto as RequestDto).lines[0]).toBeInstanceOf(LineDto);
  });

  it('names nested fields with their paths', async () => {
    const e = await refusal({ priority: 'urgent', lines: [{ item: 'a', quantity: 1 }, { item: 'b', quantity: 0 }] });
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid-input');
    expect(e.errors).toEqual([{ field: 'lines[1].quantity', reason: 'must be a positive integer' }]);
    expect(e.message).toBe('invalid input: lines[1].quantity must be a positive integer');
  });

  it('lists every failure, stripping the property name from default messages', async () => {
    const e = await refusal({ priority: 'soon', lines: [{ item: 3, quantity: 2.5 }] });
    expect(e.errors).toEqual([
      { field: 'priority', reason: 'must be one of the following values: life-saving, urgent, normal' },
      { field: 'lines[0].item', reason: 'must be a string' },
      { field: 'lines[0].quantity', reason: 'must be a positive integer' },
    ]);
    expect(e.message).toMatch(/\(and 2 more\)$/);
  });

  it('refuses unknown fields, nested ones too', async () => {
    const e = await refusal({ priority: 'normal', lines: [{ item: 'a', quantity: 1, colour: 'red' }], admin: true });
    expect(e.errors).toEqual(
      expect.arrayContaining([
        { field: 'admin', reason: 'should not exist' },
        { field: 'lines[0].colour', reason: 'should not exist' },
      ]),
    );
  });

  it('refuses an empty array', async () => {
    const e = await refusal({ priority: 'normal', lines: [] });
    expect(e.errors).toEqual([{ field: 'lines', reason: 'must contain at least 1 elements' }]);
  });
});
