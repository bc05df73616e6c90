import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The size of a page of a list route: the one limit every list of the officer API takes. */
const DEFAULT_LIMIT = 100;

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  /** The limit asked for, or the default. */
  static limitOf(query: PageQuery): number {
    return query.limit ?? DEFAULT_LIMIT;
  }
}
