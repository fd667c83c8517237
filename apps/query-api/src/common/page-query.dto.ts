import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { PageRequest } from '@lumbung/read-model';

export const MAX_PAGE = 1000;

/** `limit`, `offset` and `format` of every list; `sort` is declared by each list with its own fields. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: the same list as CSV (as `Accept: text/csv`); without limit/offset every page' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

/** `sort=field` or `sort=field:asc|desc`, the field one of the list's own (checked here, so a typo is a 400, not a silent default). */
export function SortBy(...fields: string[]): PropertyDecorator {
  const pattern = new RegExp(`^(${fields.join('|')})(:(asc|desc))?$`);
  return applyDecorators(
    ApiPropertyOptional({ description: `field:asc|desc, field one of ${fields.join(', ')}`, example: `${fields[0]}:asc` }),
    IsOptional(),
    Matches(pattern, { message: `must be field or field:asc|desc, with field one of ${fields.join(', ')}` }),
  );
}

/** The read-model queries' paging from the query string. */
export function pageOf(q: PageQueryDto & { sort?: string }): PageRequest {
  const [sort, direction] = (q.sort ?? '').split(':');
  return {
    limit: q.limit,
    offset: q.offset,
    ...(sort ? { sort } : {}),
    ...(direction === 'desc' || direction === 'asc' ? { direction } : {}),
  };
}
