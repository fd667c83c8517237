import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** The domain's id rule (libs/domain guards): a UUID or a code. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const ID_MESSAGE = 'must be an id (letters, digits, . _ : -, at most 128 characters)';
/** ISO-8601 time with a zone, as the domain requires (2024-03-01T08:00:00Z). */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

type Opts = { description?: string; example?: unknown };
const doc = (required: boolean, o: Opts & Record<string, unknown>) => (required ? ApiProperty(o) : ApiPropertyOptional(o));
const optional = (required: boolean) => (required ? [] : [IsOptional()]);

export const IdField = (o: Opts = {}, required = true) =>
  applyDecorators(...optional(required), Matches(ID_PATTERN, { message: ID_MESSAGE }), doc(required, { type: String, pattern: ID_PATTERN.source, ...o }));

export const TextField = (max: number, o: Opts = {}, required = true) =>
  applyDecorators(
    ...optional(required),
    IsString({ message: 'must be a text' }),
    MinLength(1, { message: 'must not be empty' }),
    Matches(/\S/, { message: 'must not be blank' }),
    MaxLength(max, { message: `must be at most ${max} characters` }),
    doc(required, { type: String, maxLength: max, ...o }),
  );

/** A quantity in the item's unit: a positive integer. */
export const QuantityField = (o: Opts = {}, required = true) =>
  applyDecorators(
    ...optional(required),
    IsInt({ message: "must be a positive integer in the item's unit" }),
    IsPositive({ message: "must be a positive integer in the item's unit" }),
    Max(Number.MAX_SAFE_INTEGER),
    doc(required, { type: Number, minimum: 1, ...o }),
  );

export const CountField = (o: Opts = {}, required = true) =>
  applyDecorators(
    ...optional(required),
    IsInt({ message: 'must be an integer >= 0' }),
    Min(0, { message: 'must be an integer >= 0' }),
    Max(Number.MAX_SAFE_INTEGER),
    doc(required, { type: Number, minimum: 0, ...o }),
  );

export const PositiveNumberField = (o: Opts = {}, required = true) =>
  applyDecorators(...optional(required), IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' }), IsPositive({ message: 'must be positive' }), doc(required, { type: Number, exclusiveMinimum: 0, ...o }));

export const EnumField = (values: readonly string[], o: Opts = {}, required = true) =>
  applyDecorators(...optional(required), IsIn(values as string[], { message: `must be one of ${values.join(', ')}` }), doc(required, { enum: [...values], ...o }));

export const IsoTimeField = (o: Opts = {}, required = true) =>
  applyDecorators(
    ...optional(required),
    IsString({ message: 'must be an ISO-8601 time with a zone (2024-03-01T08:00:00Z)' }),
    Matches(ISO_TIME, { message: 'must be an ISO-8601 time with a zone (2024-03-01T08:00:00Z)' }),
    doc(required, { type: String, format: 'date-time', ...o }),
  );

export const IsoDateField = (o: Opts = {}, required = true) =>
  applyDecorators(
    ...optional(required),
    IsString({ message: 'must be an ISO-8601 date (2024-03-01)' }),
    Matches(ISO_DATE, { message: 'must be an ISO-8601 date (2024-03-01)' }),
    doc(required, { type: String, format: 'date', ...o }),
  );

export const LatField = (o: Opts = {}, required = true) =>
  applyDecorators(...optional(required), IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' }), Min(-90), Max(90), doc(required, { type: Number, minimum: -90, maximum: 90, ...o }));

export const LonField = (o: Opts = {}, required = true) =>
  applyDecorators(...optional(required), IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' }), Min(-180), Max(180), doc(required, { type: Number, minimum: -180, maximum: 180, ...o }));

/** A non-empty list of nested DTOs, each validated (at most 500 lines, as the domain allows). */
export const LinesField = (type: () => new () => object, o: Opts = {}, required = true) =>
  applyDecorators(
    ...optional(required),
    IsArray({ message: 'must be a list' }),
    ArrayMinSize(1, { message: 'must have at least one line' }),
    ArrayMaxSize(500, { message: 'must have at most 500 lines' }),
    ValidateNested({ each: true }),
    Type(type),
    doc(required, { type: () => [type()], ...o }),
  );

export const TextListField = (max: number, o: Opts = {}, required = true) =>
  applyDecorators(
    ...optional(required),
    IsArray({ message: 'must be a list' }),
    ArrayMaxSize(100),
    IsString({ each: true, message: 'must be a list of texts' }),
    MinLength(1, { each: true, message: 'entries must not be empty' }),
    MaxLength(max, { each: true, message: `entries must be at most ${max} characters` }),
    doc(required, { type: [String], ...o }),
  );

export const NestedField = (type: () => new () => object, o: Opts = {}, required = true) =>
  applyDecorators(...optional(required), ValidateNested(), Type(type), doc(required, { type: () => type(), ...o }));
