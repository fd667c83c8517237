import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Max, Min, ValidateBy, type ValidationArguments } from 'class-validator';

/** Refuses the property when `other` is given too (a cut is a position or a time, never both). */
export function NotTogetherWith(other: string): PropertyDecorator {
  return ValidateBy({
    name: 'notTogetherWith',
    constraints: [other],
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => value === undefined || (args?.object as Record<string, unknown> | undefined)?.[other] === undefined,
      defaultMessage: () => `must not be given together with ${other}: give one of them`,
    },
  });
}

/**
 * Where an as-of read cuts the log: at a global position, or at a time (the events recorded at or
 * before it). Neither: at the head (the store as it is now, which a live read model will show once
 * its projector has caught up).
 */
export class AsOfQueryDto {
  @ApiPropertyOptional({ description: 'replay the events up to this global position (inclusive); at most the head of the log', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  position?: number;

  @ApiPropertyOptional({ description: 'ISO-8601 time: replay the events recorded (recordedAt) at or before it; not with position', example: '2024-03-05T10:00:00+07:00' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @NotTogetherWith('position')
  at?: string;
}
